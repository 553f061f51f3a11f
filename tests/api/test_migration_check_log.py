"""sql/0012: the check log becomes one row per check request. A database with per-number log rows
from before it migrates with every entry reading as it did (ids, fields, order, filters, pages),
and new checks take ids after every old one."""

import hashlib
from pathlib import Path

import kr_helpers as H
import label_helpers as L
from municipal_helpers import log_entries

SQL_DIR = Path(__file__).resolve().parents[2] / "sql"


def migrate_up_to(pg, db, last_version):
    """Applies sql/NNNN_*.sql up to last_version the way `kwaliteitsregister migrate` does (each
    file in one transaction, recorded with its checksum), so that `migrate` goes on from there."""
    pg.psql("CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL,"
            " checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())", db=db)
    files = sorted(SQL_DIR.glob("[0-9][0-9][0-9][0-9]_*.sql"))
    for f in files:
        version = int(f.name[:4])
        if version > last_version:
            break
        body = f.read_bytes()
        pg.psql(body.decode(), db=db)
        pg.psql(f"INSERT INTO schema_migrations (version, name, checksum) VALUES"
                f" ({version}, '{f.name}', '{hashlib.sha256(body).hexdigest()}')", db=db)


def test_per_number_log_rows_migrate_to_rows_per_check(pg, scratch_db, run_binary, spawn_server):
    db = scratch_db()
    migrate_up_to(pg, db, 11)
    a, b = [pg.psql("INSERT INTO accounts (username, password_hash, role, municipality_code)"
                    f" VALUES ('{H.unique_name('gm')}', 'x', 'municipality', '{gm}') RETURNING id", db=db)[0][0]
            for gm in ("GM0014", "GM0363")]
    # Rows as 0006 wrote them: one per number, ids from the table's own sequence, which has given
    # out ids beyond the last row (a rolled-back check).
    old = [(3, a, "GM0014", "11111111", "2025-01-02", True, "2025-01-02 09:00:00.123456+00"),
           (4, a, "GM0014", "22222222", "2025-01-02", False, "2025-01-02 09:00:00.123460+00"),
           (5, a, "GM0014", "11111111", "2025-01-02", True, "2025-01-02 09:00:00.123470+00"),
           (8, b, "GM0363", "11111111", "2024-12-31", False, "2025-01-03 10:30:00+00"),
           (9, b, "GM0363", "33333333", "2025-01-03", True, "2025-01-03 10:31:00.5+00")]
    for r in old:
        pg.psql("INSERT INTO certification_check_log (id, account_id, municipality_code, kvk_number, on_date,"
                f" certified, asked_at) VALUES ({r[0]}, '{r[1]}', '{r[2]}', '{r[3]}', '{r[4]}', {r[5]}, '{r[6]}')",
                db=db)
    pg.psql("SELECT setval('certification_check_log_id_seq', 12)", db=db)

    m = run_binary(["migrate"], db=db, timeout=60)
    assert m.returncode == 0, m.stderr[-1500:]
    assert pg.psql("SELECT count(*) FROM certification_check_log", db=db) == [("5",)]

    srv, client = spawn_server(db=db)
    kr = H.Kr(client, pg)
    admin = kr.admin_token()
    expected = [{"id": r[0], "accountId": r[1], "municipalityCode": r[2], "kvkNumber": r[3], "on": r[4],
                 "certified": r[5], "askedAt": asked}
                for r, asked in zip(old, ["2025-01-02T09:00:00.123456Z", "2025-01-02T09:00:00.123460Z",
                                          "2025-01-02T09:00:00.123470Z", "2025-01-03T10:30:00.000000Z",
                                          "2025-01-03T10:31:00.500000Z"])]
    expected.reverse()  # newest first
    for limit in ("1", "2", "100"):
        assert log_entries(client, admin, limit=limit) == expected
    assert log_entries(client, admin, municipalityCode="GM0014") == [e for e in expected if e["id"] in (3, 4, 5)]
    assert log_entries(client, admin, kvkNumber="11111111", limit="1") == \
        [e for e in expected if e["kvkNumber"] == "11111111"]
    assert log_entries(client, admin, kvkNumber="11111111", municipalityCode="GM0363") == [expected[1]]

    # New checks come after every old id, newest first, one entry per number.
    acct = kr.make_account("municipality", link="GM0014")
    tok = kr.token_for(acct)
    r = client.post("/v1/certification-checks", token=tok, json={"kvkNumbers": ["11111111", "44444444"]})
    assert r.status_code == 200, r.content
    new = log_entries(client, admin, municipalityCode="GM0014")
    assert [e["kvkNumber"] for e in new] == ["44444444", "11111111", "11111111", "22222222", "11111111"]
    assert new[2:] == [e for e in expected if e["id"] in (3, 4, 5)]
    assert new[1]["id"] > 12 and new[0]["id"] == new[1]["id"] + 1
    assert all(e["accountId"] == acct["account"]["id"] and e["certified"] is False for e in new[:2])
    L.check_timestamp(new[0]["askedAt"])
