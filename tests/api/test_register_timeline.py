"""Stored status timelines for rows the service did not write: `migrate` (and so `serve`) derives
the timeline of every professional that has none, once, with replicas starting together."""

import subprocess

import kr_helpers as H

A, B, C = ("00000000-0000-4000-8000-00000000000" + x for x in "abc")

LOAD = f"""
INSERT INTO professionals (id, given_name, family_name, email, profile, education_level, state,
                           registration_number, deregistered_on) VALUES
  ('{A}', 'Anna', 'Achter', 'a@example.test', 'sociaal-werker-hbo', 'hbo', 'registered', 'RSW9000001', NULL),
  ('{B}', 'Bas', 'Buiten', 'b@example.test', 'sociaal-werker-mbo', 'mbo', 'applied', NULL, NULL),
  ('{C}', 'Cor', 'Centraal', 'c@example.test', 'sociaal-werker-hbo', 'hbo', 'deregistered', 'RSW9000003',
   '2022-06-01');
INSERT INTO registration_periods (professional_id, number, starts_on, ends_on, requirements, window_weeks)
  VALUES ('{A}', 1, '2020-01-01', '2024-12-31', '{{}}', 12), ('{C}', 1, '2020-01-01', '2024-12-31', '{{}}', 12);
INSERT INTO measures (professional_id, type, starts_on, ends_on, reason, public)
  VALUES ('{A}', 'suspension', '2021-03-01', '2021-03-31', 'Tuchtzaak', true);
"""


def migrate(pg, db, processes):
    env = H.server_env(pg, H.free_port(), db=db)
    procs = [subprocess.Popen([str(H.SERVER_BIN), "migrate"], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(processes)]
    outputs = [p.communicate(timeout=120) for p in procs]
    for p, (out, err) in zip(procs, outputs):
        assert p.returncode == 0, f"migrate failed: {out[-800:]} {err[-800:]}"
        assert H.sanitizer_report(err) is None, err
    return "".join(out for out, _ in outputs)


def test_migrate_derives_missing_timelines_once(pg, scratch_db):
    db = scratch_db()
    migrate(pg, db, 1)
    pg.psql(LOAD, db=db)
    logs = migrate(pg, db, 4)
    assert logs.count("derived the registration statuses of 3 professionals") == 1, logs[-2000:]
    rows = pg.psql("SELECT professional_id, from_on, until_on, status FROM registration_statuses"
                   " ORDER BY professional_id, from_on", db=db)
    assert rows == [
        (A, "-infinity", "2020-01-01", "applied"), (A, "2020-01-01", "2021-03-01", "registered"),
        (A, "2021-03-01", "2021-04-01", "suspended"), (A, "2021-04-01", "2025-01-01", "registered"),
        (A, "2025-01-01", "infinity", "expired"),
        (B, "-infinity", "infinity", "applied"),
        (C, "-infinity", "2020-01-01", "applied"), (C, "2020-01-01", "2022-06-01", "registered"),
        (C, "2022-06-01", "infinity", "deregistered"),
    ], rows
    # Nothing is left to derive: a second start changes nothing.
    assert "derived the registration statuses" not in migrate(pg, db, 1)
    assert len(pg.psql("SELECT 1 FROM registration_statuses", db=db)) == 9
