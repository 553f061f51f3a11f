"""The answer check: the same requests to the service and the peer, ~20 ids per route (ordinary
ones and the edge cases: withdrawn, suspended, struck off, expired, deregistered, unknown,
malformed), comparing status, Content-Type and the parsed JSON. Ignored: nextCursor (each side
has its own opaque cursor; the next page through each side's cursor is compared instead) and an
outcome's submittedAt/updatedAt (the time of the write). Exits 1 on any mismatch.
Usage: check.py SERVICE_URL PEER_URL DATABASE_URL TOKENS.json"""
import json
import sys
import urllib.error
import urllib.request

from db import query

service, peer, url, tokens_file = sys.argv[1:5]
tokens = json.load(open(tokens_file))
IGNORED = {"nextCursor", "submittedAt", "updatedAt"}
mismatches, compared = [], {}


def call(base, method, path, token=None, body=None, headers=None):
    h = dict(headers or {})
    if token:
        h["Authorization"] = "Bearer " + token
    data = None
    if body is not None:
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        h["Content-Type"] = "application/json"
    req = urllib.request.Request(base + path, data, h, method=method)
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, r.headers.get("Content-Type"), json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type"), json.loads(e.read() or b"null")


def strip(v, ignore):
    if isinstance(v, dict):
        return {k: strip(x, ignore) for k, x in v.items() if k not in ignore}
    if isinstance(v, list):
        return [strip(x, ignore) for x in v]
    return v


def diff(a, b, path=""):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                yield f"{path}.{k}: {'missing in service' if k not in a else 'missing in peer'}"
            else:
                yield from diff(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            yield from diff(x, y, f"{path}[{i}]")
    elif a != b or type(a) is not type(b) and not (isinstance(a, (int, float)) and isinstance(b, (int, float))):
        yield f"{path or '.'}: service {json.dumps(a)[:160]} / peer {json.dumps(b)[:160]}"


def compare(route, method, path, token=None, body=None, headers=None, ignore=IGNORED):
    s = call(service, method, path, token, body, headers)
    p = call(peer, method, path, token, body, headers)
    compared[route] = compared.get(route, 0) + 1
    problems = []
    if s[0] != p[0]:
        problems.append(f"status: service {s[0]} / peer {p[0]}")
    if s[1] != p[1]:
        problems.append(f"Content-Type: service {s[1]} / peer {p[1]}")
    problems += list(diff(strip(s[2], ignore), strip(p[2], ignore)))
    if problems:
        mismatches.append((route, f"{method} {path}", problems))
    return s, p


def ids(sql):
    return [r[0] for r in query(url, sql)]


today = query(url, "SELECT (now() AT TIME ZONE 'Europe/Amsterdam')::date")[0][0]

# a. public certificate lookup: ordinary, suspended, reinstated, expired, withdrawn (404), unknown, malformed
numbers = ids("SELECT value FROM bench_ids WHERE list = 'certificate' ORDER BY i LIMIT 10")
numbers += ids(f"""SELECT DISTINCT ON (e.type) c.certificate_number FROM certificates c JOIN certificate_events e ON e.certificate_id = c.id
                  WHERE e.type IN ('suspended', 'reinstated', 'withdrawn', 'expired') ORDER BY e.type, c.certificate_number""")
numbers += ids(f"""SELECT c.certificate_number FROM certificates c WHERE c.valid_until < '{today}' LIMIT 2""")
numbers += ["KSW-2020-999999", "KSW-20X0-000001"]
for n in numbers:
    compare("certificate", "GET", f"/v1/certificates/{n}")

# b. municipal single check: ordinary ones, one per group of organisation, unknown, malformed, on a past date
muni = tokens["municipality"]
kvks = ids("SELECT value FROM bench_ids WHERE list = 'kvk' ORDER BY i LIMIT 12")
kvks += ids("SELECT kvk_number FROM organisations WHERE kvk_number::int % 25 IN (3, 8, 1, 2) ORDER BY kvk_number LIMIT 4")
for k in kvks + ["99999999", "1234567"]:
    compare("check", "GET", f"/v1/certification-checks?kvkNumber={k}", muni)
compare("check", "GET", f"/v1/certification-checks?kvkNumber={kvks[0]}&on=2024-03-01", muni)
compare("check", "GET", f"/v1/certification-checks?kvkNumber={kvks[1]}&bogus=1", muni)

# c. bulk check of 100
for lst in ids("SELECT value FROM bench_ids WHERE list = 'bulk' ORDER BY i LIMIT 18"):
    compare("bulk", "POST", "/v1/certification-checks", muni, {"kvkNumbers": json.loads(lst)})
compare("bulk", "POST", "/v1/certification-checks", muni, {"kvkNumbers": kvks[:5], "on": "2023-06-30"})
compare("bulk", "POST", "/v1/certification-checks", muni, {"kvkNumbers": ["1234", kvks[0]], "extra": 1})

# d. activity page: the first page, the second page through each side's own cursor, another's page
pros = ids("SELECT value FROM bench_ids WHERE list = 'professional' ORDER BY i LIMIT 18")
for pid in pros:
    s, p = compare("activities", "GET", f"/v1/professionals/{pid}/development-activities?limit=20", tokens["professional"][pid])
for pid in pros[:3]:
    tok = tokens["professional"][pid]
    s = call(service, "GET", f"/v1/professionals/{pid}/development-activities?limit=20", tok)[2]
    p = call(peer, "GET", f"/v1/professionals/{pid}/development-activities?limit=20", tok)[2]
    s2 = call(service, "GET", f"/v1/professionals/{pid}/development-activities?limit=20&cursor={s['nextCursor']}", tok)
    p2 = call(peer, "GET", f"/v1/professionals/{pid}/development-activities?limit=20&cursor={p['nextCursor']}", tok)
    compared["activities"] += 1
    problems = ([f"status: service {s2[0]} / peer {p2[0]}"] if s2[0] != p2[0] else []) + list(diff(strip(s2[2], IGNORED), strip(p2[2], IGNORED)))
    if problems:
        mismatches.append(("activities", f"GET page 2 of {pid}", problems))
compare("activities", "GET", f"/v1/professionals/{pros[1]}/development-activities?limit=20", tokens["professional"][pros[0]])

# e. outcome PUT: the same body to the service, then the peer; then refused bodies and callers
audits = query(url, "SELECT value, extra, owner FROM bench_ids WHERE list = 'audit' ORDER BY i LIMIT 16")
for audit, body, owner in audits:
    compare("outcome", "PUT", f"/v1/audits/{audit}/outcome", tokens["certifier"][owner], body)
audit, body, owner = audits[0]
b = json.loads(body)
bad = dict(b, scores=b["scores"][1:] + [dict(b["scores"][2], score="good")], extra=True)
compare("outcome", "PUT", f"/v1/audits/{audit}/outcome", tokens["certifier"][owner], bad)
compare("outcome", "PUT", f"/v1/audits/{audit}/outcome", tokens["certifier"][owner], dict(b, auditedOn="2999-01-01", advice="maybe"))
other = next(t for o, t in tokens["certifier"].items() if o != owner)
compare("outcome", "PUT", f"/v1/audits/{audit}/outcome", other, body)
decided = ids("SELECT a.id FROM audits a WHERE a.status = 'granted' AND a.certifying_body_id = '%s' LIMIT 1" % owner)[0]
compare("outcome", "PUT", f"/v1/audits/{decided}/outcome", tokens["certifier"][owner], body)

# f. public register: ordinary, suspended, struck off, expired, with a past date, deregistered (404), unknown, malformed
numbers = ids("SELECT value FROM bench_ids WHERE list = 'registration' ORDER BY i LIMIT 8")
numbers += ids(f"""SELECT DISTINCT ON (m.type) p.registration_number FROM professionals p JOIN measures m ON m.professional_id = p.id
                  ORDER BY m.type, p.registration_number""")
numbers += ids(f"""SELECT p.registration_number FROM professionals p WHERE p.state = 'deregistered' LIMIT 1""")
numbers += ids(f"""SELECT p.registration_number FROM professionals p WHERE NOT EXISTS (SELECT 1 FROM registration_periods r
                  WHERE r.professional_id = p.id AND r.ends_on >= '{today}') LIMIT 1""")
numbers += ["RSW9999999", "RSW12"]
for n in numbers:
    compare("register", "GET", f"/v1/register/{n}", headers={"X-Forwarded-For": "192.0.2.10"})
compare("register", "GET", f"/v1/register/{numbers[8]}?on=2020-01-01", headers={"X-Forwarded-For": "192.0.2.10"})

for route, n in compared.items():
    bad = [m for m in mismatches if m[0] == route]
    print(f"{route:12s} {n:3d} requests compared, {len(bad)} mismatching")
for route, req, problems in mismatches:
    print(f"MISMATCH {route}: {req}")
    for p in problems[:12]:
        print("    " + p)
sys.exit(1 if mismatches else 0)
