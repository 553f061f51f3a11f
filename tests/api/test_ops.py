"""Operational surface: health, readiness, metrics, docs, the document, logs, CLI, migrations."""

import json
import re
import time
import urllib.parse
import uuid

import pytest

import kr_helpers as H
from kr_helpers import assert_problem


# ------------------------------------------------------------------ health


def test_healthz(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}


def test_readyz(client):
    r = client.get("/readyz")
    assert r.status_code == 200
    assert r.json() == {"status": "ready", "database": "up", "schema": "current"}


def test_health_needs_no_token_and_ignores_bad_ones(client):
    r = client.get("/healthz", headers={"Authorization": "Bearer garbage"})
    assert r.status_code == 200
    r = client.get("/readyz", headers={"Authorization": "Bearer garbage"})
    assert r.status_code == 200


# ------------------------------------------------------------------ metrics

_SAMPLE_RE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+\d+)?$')
_LABEL_RE = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_metrics(text):
    samples = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        m = _SAMPLE_RE.match(line)
        assert m, f"not a Prometheus sample line: {line!r}"
        labels = dict(_LABEL_RE.findall(m.group(3) or ""))
        value = float(m.group(4).replace("+Inf", "inf"))
        samples.append((m.group(1), labels, value))
    return samples


def test_metrics(client, kr, admin_token):
    client.get("/healthz")
    acct = kr.make_account("admin")
    client.get(f"/v1/accounts/{acct['account']['id']}", token=admin_token)
    r = client.get("/metrics")
    assert r.status_code == 200
    ct = r.headers.get("Content-Type")
    assert H.media_base(ct) == "text/plain", ct
    assert H.media_params(ct).get("version") == "0.0.4", ct
    text = r.text
    samples = parse_metrics(text)
    names = {s[0] for s in samples}
    assert "# TYPE http_requests_total counter" in text
    hz = [s for s in samples if s[0] == "http_requests_total" and s[1].get("route") == "/healthz"
          and s[1].get("method") == "GET" and s[1].get("status") == "200"]
    assert hz and hz[0][2] >= 1, "no http_requests_total{method=GET,route=/healthz,status=200}"
    # routes are templates, never concrete ids
    assert acct["account"]["id"] not in text, "metrics contain a concrete account id (route must be a template)"
    routes = {s[1].get("route") for s in samples if s[0] == "http_requests_total"}
    assert any(r_ and "accounts" in r_ and "accountId" in r_ for r_ in routes), routes
    for n in ("http_request_duration_seconds_bucket", "http_request_duration_seconds_sum",
              "http_request_duration_seconds_count", "db_pool_connections", "db_pool_size"):
        assert n in names, f"metric {n} missing"
    inf = [s for s in samples if s[0] == "http_request_duration_seconds_bucket" and s[1].get("le") == "+Inf"
           and s[1].get("route") == "/healthz"]
    assert inf, "no +Inf bucket for /healthz"
    states = {s[1].get("state") for s in samples if s[0] == "db_pool_connections"}
    assert {"idle", "busy", "broken"} <= states, states
    size = [s[2] for s in samples if s[0] == "db_pool_size"]
    assert size == [8.0], size
    pool = sum(s[2] for s in samples if s[0] == "db_pool_connections")
    assert pool == 8, f"db_pool_connections sum {pool}"


def test_metrics_count_increases(client):
    def count():
        for name, labels, value in parse_metrics(client.get("/metrics").text):
            if name == "http_requests_total" and labels.get("route") == "/readyz" and labels.get("status") == "200" \
                    and labels.get("method") == "GET":
                return value
        return 0.0

    before = count()
    for _ in range(3):
        client.get("/readyz")
    assert count() >= before + 3


# ------------------------------------------------------------------ docs


def test_docs_page_and_assets(client):
    r = client.get("/docs")
    assert r.status_code == 200
    assert H.media_base(r.headers.get("Content-Type")) == "text/html"
    html = r.text
    refs = re.findall(r'(?:src|href)\s*=\s*["\']([^"\']+)["\']', html, re.I)
    external = [x for x in refs if re.match(r"^(https?:)?//", x)]
    assert not external, f"/docs references external assets (must work offline): {external}"
    resolved = {urllib.parse.urljoin(client.base_url + "/docs", x) for x in refs
                if not x.startswith(("#", "data:", "mailto:"))}
    paths = {urllib.parse.urlsplit(u).path for u in resolved}
    for needed in ("/docs/swagger-ui.css", "/docs/swagger-ui-bundle.js", "/docs/docs-init.js"):
        assert needed in paths, f"/docs does not load {needed} (references: {refs})"
    for p in sorted(paths):
        a = client.get(p)
        assert a.status_code == 200, f"{p}: {a.status_code}"
        ct = H.media_base(a.headers.get("Content-Type"))
        if p.endswith(".css"):
            assert ct == "text/css", f"{p}: {ct}"
        elif p.endswith(".js"):
            assert ct in ("application/javascript", "text/javascript"), f"{p}: {ct}"
        assert len(a.content) > 0
    bundle = client.get("/docs/swagger-ui-bundle.js")
    assert len(bundle.content) > 100_000, "swagger-ui-bundle.js looks truncated"
    init = client.get("/docs/docs-init.js").text
    assert "/v1/openapi.json" in init, "docs-init.js does not load /v1/openapi.json"
    assert "petstore" not in init.lower()
    assert not re.search(r"https?://", init), "docs-init.js fetches something remote"


@pytest.mark.parametrize("name", ["nope.js", "..%2F..%2Fetc%2Fpasswd", "%2e%2e", "swagger-ui.css.map.x"])
def test_docs_unknown_asset_is_404(client, name):
    assert_problem(client.get(f"/docs/{name}"), 404)


def test_docs_without_swagger_ui_answer_503_never_an_empty_file(spawn_server):
    """A build made without `npm ci` has no swagger-ui files to embed (CMake's target
    kwaliteitsregister-nodocs, built beside the server, is that build): the page and those files
    answer a 503 problem saying so, never an empty 200; everything else is served as usual."""
    nodocs = H.SERVER_BIN.with_name(H.SERVER_BIN.name + "-nodocs")
    assert nodocs.is_file(), f"{nodocs} was not built (CMake target kwaliteitsregister-nodocs)"
    _, c = spawn_server(binary=nodocs)
    for path in ("/docs", "/docs/swagger-ui-bundle.js", "/docs/swagger-ui.css"):
        r = c.get(path)
        body = assert_problem(r, 503, slug="not-built")
        assert "npm ci" in body["detail"], f"{path}: the problem does not say how to build the docs: {body}"
        assert r.headers.get("Retry-After") is None, f"{path}: Retry-After on a part that was not built"
    init = c.get("/docs/docs-init.js")
    assert init.status_code == 200 and len(init.content) > 0
    assert_problem(c.get("/docs/nope.js"), 404)
    assert c.get("/v1/openapi.json").status_code == 200


def test_docs_path_traversal(client):
    r = client.raw("GET", "/docs/../../../../etc/passwd", validate=False)
    assert r.status_code in (400, 404), r.status_code
    assert b"root:" not in r.content


# ------------------------------------------------------------------ document


def test_openapi_json_equals_yaml(client, contract):
    r = client.get("/v1/openapi.json")
    assert r.status_code == 200
    assert H.media_base(r.headers.get("Content-Type")) == "application/json"
    served = r.json()
    assert served == contract.doc, "GET /v1/openapi.json differs from openapi/openapi.yaml"
    assert served["info"]["version"] == r.headers.get("API-Version")


def test_routes_subcommand(run_binary, contract):
    r = run_binary(["routes"])
    assert r.returncode == 0, f"routes exited {r.returncode}: {r.stderr[-2000:]}"
    routes = json.loads(r.stdout)
    assert isinstance(routes, list)
    for x in routes:
        assert isinstance(x, dict) and set(x) >= {"method", "path"}, x
    pairs = [(x["method"].upper(), x["path"]) for x in routes]
    assert len(pairs) == len(set(pairs)), "duplicate routes"
    documented = contract.operations()
    assert set(pairs) == documented, (
        f"served but undocumented: {sorted(set(pairs) - documented)}; "
        f"documented but not served: {sorted(documented - set(pairs))}")


# ------------------------------------------------------------------ logs


def _wait_for_log(server, predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while True:
        records = server.log_records()
        if predicate(records) or time.monotonic() > deadline:
            return records
        time.sleep(0.2)


def test_request_log_lines(client, server):
    rid = "log-check-" + uuid.uuid4().hex
    client.get("/healthz", headers={"X-Request-Id": rid})
    client.get("/v1/nope", headers={"X-Request-Id": rid + "-404"})

    def has(records):
        ids = {o.get("requestId") for _, o in records if isinstance(o, dict)}
        return rid in ids and rid + "-404" in ids

    records = _wait_for_log(server, has)
    not_json = [line for line, o in records if not isinstance(o, dict)]
    assert not not_json, f"stdout lines that are not JSON objects: {not_json[:5]}"
    mine = [o for _, o in records if o.get("requestId") == rid and o.get("msg") == "request"]
    assert len(mine) == 1, f"expected one request log line for {rid}: {mine}"
    line = mine[0]
    for k in ("requestId", "method", "route", "path", "status", "durationMs"):
        assert k in line, f"request log line without {k}: {line}"
    assert line["method"] == "GET" and line["path"] == "/healthz" and line["route"] == "/healthz"
    assert line["status"] == 200
    assert isinstance(line["durationMs"], (int, float)) and line["durationMs"] >= 0
    nf = [o for _, o in records if o.get("requestId") == rid + "-404" and o.get("msg") == "request"]
    assert nf and nf[0]["status"] == 404 and nf[0]["path"] == "/v1/nope"


def test_every_request_was_logged(client, server):
    """Every response this session's client received (all earlier test modules included)."""
    client.get("/healthz")
    seen = list(client.seen)

    def complete(records):
        ids = {o.get("requestId") for _, o in records if isinstance(o, dict) and o.get("msg") == "request"}
        return all(s[0] in ids for s in seen)

    records = _wait_for_log(server, complete, timeout=8)
    by_id = {}
    for _, o in records:
        if isinstance(o, dict) and o.get("msg") == "request":
            by_id.setdefault(o.get("requestId"), []).append(o)
    missing, wrong = [], []
    for rid, method, path, status in seen:
        lines = by_id.get(rid)
        if not lines:
            missing.append(f"{method} {path} -> {status} ({rid})")
            continue
        ok = any(l.get("method") == method and l.get("status") == status and
                 str(l.get("path", "")).split("?", 1)[0] == path for l in lines)
        if not ok:
            wrong.append(f"{method} {path} -> {status} ({rid}): {lines}")
    assert not missing, f"{len(missing)} of {len(seen)} requests have no log line, e.g. {missing[:10]}"
    assert not wrong, f"log lines disagree with the responses, e.g. {wrong[:5]}"


def test_logs_never_contain_secrets(client, server, kr):
    kr.admin_token()  # at least one token issued
    time.sleep(0.5)
    text = server.stdout_text() + "\n" + server.stderr_text()
    leaked = sorted(s for s in H.SECRETS if s in text)
    assert H.ADMIN_PASSWORD not in text, "the admin password is in the logs"
    assert not leaked, f"{len(leaked)} secrets (tokens/passwords) appear in the logs, e.g. {leaked[0][:24]}..."
    # no JWT-shaped strings at all
    jwts = re.findall(r"eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]+", text)
    assert not jwts, f"JWTs in the logs: {jwts[:2]}"


# ------------------------------------------------------------------ CLI


def test_version(run_binary):
    r = run_binary(["--version"], env_overrides={"DATABASE_URL": None, "JWT_SECRET": None})
    assert r.returncode == 0, r.stderr
    assert re.search(r"\d+\.\d+\.\d+", r.stdout + r.stderr), r.stdout


def test_help(run_binary):
    r = run_binary(["--help"], env_overrides={"DATABASE_URL": None, "JWT_SECRET": None})
    assert r.returncode == 0, r.stderr
    out = r.stdout + r.stderr
    for word in ("serve", "migrate", "routes"):
        assert word in out, f"--help does not mention {word}"


def test_unknown_subcommand_fails(run_binary):
    r = run_binary(["frobnicate"], timeout=10)
    assert not r.timed_out
    assert r.returncode != 0


def _expect_startup_failure(run_binary, overrides, name):
    t0 = time.monotonic()
    r = run_binary(["serve"], env_overrides=overrides, timeout=15)
    assert not r.timed_out, f"serve with bad {name} kept running: {r.stdout[-500:]} {r.stderr[-500:]}"
    assert r.returncode != 0, f"serve with bad {name} exited 0"
    assert time.monotonic() - t0 < 10
    assert name in r.stdout + r.stderr, f"the start-up error does not name {name}: {r.stdout[-800:]} {r.stderr[-800:]}"


def test_short_jwt_secret_is_refused(run_binary):
    _expect_startup_failure(run_binary, {"JWT_SECRET": "0123456789"}, "JWT_SECRET")


def test_31_byte_jwt_secret_is_refused(run_binary):
    _expect_startup_failure(run_binary, {"JWT_SECRET": "x" * 31}, "JWT_SECRET")


def test_missing_jwt_secret_is_refused(run_binary):
    _expect_startup_failure(run_binary, {"JWT_SECRET": None}, "JWT_SECRET")


def test_missing_database_url_is_refused(run_binary):
    _expect_startup_failure(run_binary, {"DATABASE_URL": None}, "DATABASE_URL")


def test_migrate_twice(run_binary, scratch_db, pg):
    db = scratch_db()
    for i in (1, 2):
        r = run_binary(["migrate"], db=db, timeout=60)
        assert r.returncode == 0, f"migrate #{i} exited {r.returncode}: {r.stdout[-1500:]} {r.stderr[-1500:]}"
    rows = pg.psql("select version, checksum from schema_migrations order by version", db=db)
    assert rows and rows[0][0] == "1", rows
    assert len({v for v, _ in rows}) == len(rows)


@pytest.mark.parametrize("table", ["professionals", "organisations", "certifying_bodies", "accounts",
                                   "refresh_tokens", "login_failures", "schema_migrations"])
def test_spec_tables_exist(pg, table):
    assert pg.psql(f"select to_regclass('public.{table}') is not null") == [("t",)], \
        f"table {table} (named in the spec) does not exist after migrations"


def test_schema_migrations_columns(pg):
    cols = {r[0] for r in pg.psql("select column_name from information_schema.columns "
                                  "where table_name = 'schema_migrations'")}
    assert {"version", "name", "checksum", "applied_at"} <= cols, cols


def test_migrate_on_the_served_database_is_a_no_op(run_binary, pg):
    before = pg.psql("select version, checksum, applied_at from schema_migrations order by version")
    r = run_binary(["migrate"], timeout=60)
    assert r.returncode == 0, r.stderr[-1500:]
    assert pg.psql("select version, checksum, applied_at from schema_migrations order by version") == before


def test_migrate_detects_an_edited_migration(run_binary, scratch_db, pg):
    db = scratch_db()
    r = run_binary(["migrate"], db=db, timeout=60)
    assert r.returncode == 0, r.stderr[-1500:]
    pg.psql("update schema_migrations set checksum = 'x' where version = 1", db=db)
    r = run_binary(["migrate"], db=db, timeout=60)
    assert not r.timed_out
    assert r.returncode != 0, "migrate accepted an edited migration"
    out = (r.stdout + r.stderr).lower()
    assert "migration" in out and re.search(r"checksum|edited|modified|changed|mismatch|differ", out), \
        f"the error does not say a migration was edited: {r.stdout[-800:]} {r.stderr[-800:]}"
    # serve refuses too (the schema is not what this binary expects)
    r = run_binary(["serve"], db=db, timeout=15)
    assert not r.timed_out, "serve started on a database with an edited migration"
    assert r.returncode != 0
