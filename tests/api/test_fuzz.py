"""Bad input against every documented route, derived from the OpenAPI document (so a new route is
covered without touching this file): at least 100 bad bodies per JSON-writing operation and bad
values for every query and path parameter. Deterministic (seeded), bounded in time.

Every answer must be below 500, every 4xx problem+json and documented (the validating client
checks status, media type and schema), and the server must survive: it is the sanitized build, and
the spawn_server fixture fails the test on any sanitizer report when it stops the server."""

import json
import random
import time
import urllib.parse

from route_bodies import examples, fill, operations, resolve, sample

SEED = 20240611
_noise = random.Random(SEED)
# long strings that do not compress (a run of one letter would fit in any index once compressed)
NOISE_3000 = "".join(_noise.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(3000))
NOISE_70000 = "".join(_noise.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(70000))
BODIES_PER_ROUTE = 100
TIME_BUDGET = 150.0  # seconds (about 50 on the normal build, more sanitized): a guard against hangs

BAD_SCALARS = [None, True, False, 0, -1, 1.5, -1.0e308, 2147483647, 2147483648, -2147483649,
               9223372036854775807, 9223372036854775808, 10 ** 40, "", " ", NOISE_3000, "é" * 1500,
               NOISE_70000, NOISE_3000[:256], NOISE_3000[:1001], "a\u0000b", "\u0000", "\ud7ff\ue000", "2024-02-30", "0000-00-00",
               "-1", "1e309", "NaN", "00000000-0000-0000-0000-000000000000", "../../etc/passwd",
               "<script>", "'; drop table accounts; --", [], {}, [1, 2, 3], ["x"] * 1001,
               {"a": {"b": {"c": {}}}}, [{}], [[[]]]]
RAW_BODIES = [b"", b" ", b"null", b"[]", b"1", b"\"x\"", b"{", b"{}}", b"{\"a\":1,\"a\":2}",
              b"{\"x\": 1e309}", b"{\"x\": -1e309}", b"\xff\xfe", b"{\"x\": \"\xff\xfe\"}",
              b"{\"x\": \"\xc3\x28\"}", b"{\"x\": \"a\x00b\"}", b"{\x00}",
              b"[" * 5000 + b"]" * 5000, b"{\"a\":" * 3000 + b"1" + b"}" * 3000,
              b"{\"x\": \"\\ud800\"}", b"{\"x\": 1" + b"0" * 400 + b"}"]
BAD_QUERY = ["", "-1", "0", "1", "101", "2147483648", "99999999999999999999999", "1e309", "-1e309",
             "1.5", "NaN", NOISE_3000, "a%00b", "%00", "%FF%FE", "%C3%28", "%ED%A0%80", "true",
             "null", "[]", "{}", "2024-02-30", "9999-99-99", "00000000-0000-0000-0000-00000000000G",
             "%20", "a&b", "%2F..%2F"]
BAD_PATH = [NOISE_3000, "%00", "%FF%FE", "-1", "2147483648", "1e309", "00000000-0000-0000-0000-00000000000G",
            "A" * 36, "%20", "..", "null"]


def bad_bodies(contract, media, rng):
    """At least BODIES_PER_ROUTE (body bytes, description) pairs for one request body, mutated from
    each documented example in turn."""
    out = []
    bases = examples(contract, media)
    for i, base in enumerate(bases):
        out += mutations(contract, media.get("schema", {}), base if isinstance(base, dict) else {}, rng,
                         i == 0, max(20, BODIES_PER_ROUTE // len(bases)))
    return out


def mutations(contract, schema, base, rng, first, want):
    s = resolve(contract, schema) or {}
    props = list(base.keys()) or ["x"]
    required = [r for r in s.get("required", [])]
    out = [(raw, f"raw {raw[:40]!r}") for raw in RAW_BODIES] if first else []
    out.append((json.dumps(base).encode(), "the sample body"))
    for name in required:
        b = dict(base)
        b.pop(name, None)
        out.append((json.dumps(b).encode(), f"without {name}"))
    out.append((b"{}", "an empty object"))
    out.append((json.dumps([base]).encode(), "an array instead of an object"))
    out.append((json.dumps({**base, "unknownMember": 1}).encode(), "an unknown member"))
    for name in props:
        for v in BAD_SCALARS:
            b = dict(base)
            b[name] = v
            out.append((json.dumps(b).encode(), f"{name}={json.dumps(v)[:40]}"))
        # members one level down (scope, scores[], categories[] ...)
        inner = base.get(name)
        if isinstance(inner, list) and inner and isinstance(inner[0], dict):
            inner = inner[0]
            wrap = True
        else:
            wrap = False
        if isinstance(inner, dict):
            for sub in list(inner.keys()):
                for v in rng.sample(BAD_SCALARS, 10):
                    x = dict(inner)
                    x[sub] = v
                    b = dict(base)
                    b[name] = [x] if wrap else x
                    out.append((json.dumps(b).encode(), f"{name}.{sub}={json.dumps(v)[:40]}"))
        raw = json.dumps({**base, name: "PLACEHOLDER"}).encode()
        for bad in (b"1e309", b"\"\xff\xfe\"", b"\"a\\u0000b\"", b"[" * 3000 + b"]" * 3000,
                    b"123456789012345678901234567890"):
            out.append((raw.replace(b"\"PLACEHOLDER\"", bad), f"{name}=raw {bad[:20]!r}"))
    if len(out) > want + 20:  # many members: a seeded choice keeps the time bounded
        keep = out[:(len(RAW_BODIES) if first else 0) + len(required) + 4]
        out = keep + rng.sample(out[len(keep):], want + 20 - len(keep))
    while len(out) < want:  # few members: random combinations make up the number
        b = dict(base)
        for name in rng.sample(props, min(len(props), 2)):
            b[name] = rng.choice(BAD_SCALARS)
        out.append((json.dumps(b).encode(), "random combination"))
    return out


def test_fuzz_every_route(contract, route_world):
    c, values, tokens = route_world
    rng = random.Random(SEED)
    started = time.monotonic()
    failures = []
    counts = {}

    def send(method, path, token, body=None, ctype=None, what=""):
        headers = {"X-Forwarded-For": f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if body is not None:
            headers["Content-Type"] = ctype or "application/json"
        try:
            r = c.request(method, path, data=body, headers=headers, timeout=30)
        except AssertionError as e:
            failures.append(f"{method} {path[:120]}: {str(e)[:600]}")
            return None
        if r.status_code >= 500:
            failures.append(f"{method} {path[:120]} -> {r.status_code}: {r.content[:300]!r}")
        return r

    def pick_token(method, path, body):
        for t in tokens:
            r = c.request(method, path, data=body, validate=False, timeout=30,
                          headers={"Authorization": f"Bearer {t}", "Content-Type": "application/json",
                                   "X-Forwarded-For": "10.0.0.1"} if body is not None else
                          {"Authorization": f"Bearer {t}", "X-Forwarded-For": "10.0.0.1"})
            if r.status_code != 403:
                return t
        return tokens[0]

    ops = sorted(operations(contract), key=lambda o: (o[1], o[0]))
    for method, template, op, params in ops:
        path = fill(template, values, params)
        content = ((op.get("requestBody") or {}).get("content") or {})
        media = content.get("application/json")
        json_schema = (media or {}).get("schema")
        probe = json.dumps(examples(contract, media)[0]).encode() if media else None
        token = pick_token(method, path, probe) if op.get("security", True) != [] else None
        # bad bodies
        if json_schema is not None:
            for body, what in bad_bodies(contract, media, rng):
                send(method, path, token, body, what=what)
                counts[(method, template)] = counts.get((method, template), 0) + 1
        # bad query parameters (the others at a plausible value)
        query = [p for p in params if p.get("in") == "query"]
        for p in query:
            for bad in BAD_QUERY:
                others = [(q["name"], sample(contract, q.get("schema", {}))) for q in query
                          if q is not p and q.get("required")]
                qs = "&".join(f"{n}={urllib.parse.quote(str(v))}" for n, v in others)
                qs = (qs + "&" if qs else "") + f"{p['name']}={bad}"
                send(method, path + "?" + qs, token, probe)
        # bad path parameters
        for p in [p for p in params if p.get("in") == "path"]:
            for bad in BAD_PATH:
                send(method, fill_one(template, values, params, p["name"], bad), token, probe)
    for key, n in counts.items():
        assert n >= BODIES_PER_ROUTE, f"{key}: only {n} bad bodies"
    elapsed = time.monotonic() - started
    assert not failures, f"{len(failures)} bad answers:\n" + "\n".join(failures[:60])
    assert elapsed < TIME_BUDGET, f"fuzzing took {elapsed:.0f} s (budget {TIME_BUDGET} s)"
    # the server is still there and answers
    assert c.get("/healthz").status_code == 200


def fill_one(template, values, params, name, raw):
    path = template.replace("{" + name + "}", raw)
    return fill(path, values, params)
