"""Requests for every documented route, made from the OpenAPI document: a plausible value for a
schema, the documented request examples, the operations with their parameters, and a world of
real objects to fill path parameters with. The fuzz test (test_fuzz.py) and the bounds test
(test_body_bounds.py) build their requests from these, so a new route is covered by both without
touching either."""

import urllib.parse
import uuid

import municipal_helpers as M
from label_helpers import Label


def resolve(contract, obj):
    return contract.resolve(obj) if isinstance(obj, dict) else obj


def sample(contract, schema, depth=0):
    """A plausible (not necessarily accepted) value for a schema."""
    s = resolve(contract, schema) or {}
    for key in ("allOf", "oneOf", "anyOf"):
        if key in s and s[key]:
            if key == "allOf":
                merged = {}
                for part in s[key]:
                    v = sample(contract, part, depth + 1)
                    if isinstance(v, dict):
                        merged.update(v)
                return merged
            options = [resolve(contract, o) for o in s[key]]
            options = [o for o in options if o.get("type") != "null"] or options
            return sample(contract, options[0], depth + 1)
    if "const" in s:
        return s["const"]
    if "enum" in s:
        return next((v for v in s["enum"] if v is not None), None)
    if "default" in s and s["default"] is not None:
        return s["default"]
    if "example" in s:
        return s["example"]
    if s.get("examples"):
        return s["examples"][0]
    t = s.get("type")
    if isinstance(t, list):
        t = next((x for x in t if x != "null"), "null")
    if t == "object" or "properties" in s:
        if depth > 4:
            return {}
        props = s.get("properties", {})
        out = {}
        for name, ps in props.items():
            ps_r = resolve(contract, ps)
            if ps_r.get("readOnly"):
                continue
            out[name] = sample(contract, ps, depth + 1)
        return out
    if t == "array":
        n = max(1, s.get("minItems", 1))
        return [sample(contract, s.get("items", {}), depth + 1) for _ in range(min(n, 3))]
    if t == "integer":
        return s.get("minimum", 1)
    if t == "number":
        return s.get("minimum", 1)
    if t == "boolean":
        return True
    if t == "null":
        return None
    fmt = s.get("format")
    if fmt == "date":
        return "2024-01-01"
    if fmt == "date-time":
        return "2024-01-01T00:00:00Z"
    if fmt == "uuid":
        return str(uuid.uuid4())
    if fmt == "uri":
        return "https://example.test/hook"
    if fmt == "email":
        return "a@example.test"
    return "x" * max(1, s.get("minLength", 1))


def examples(contract, media):
    """The documented request examples (the bodies the route accepts), else a sample."""
    out = []
    if "example" in media:
        out.append(media["example"])
    for ex in (media.get("examples") or {}).values():
        ex = resolve(contract, ex)
        if "value" in ex:
            out.append(ex["value"])
    out = [e for e in out if isinstance(e, dict)]
    return out or [sample(contract, media.get("schema", {}))]


def operations(contract):
    """(METHOD, server path template, operation, its parameters) for every documented operation."""
    for template, _, _, item in contract.routes:
        for method, op in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                params = [resolve(contract, p) for p in (item.get("parameters") or []) + (op.get("parameters") or [])]
                yield method.upper(), template, resolve(contract, op), params


def fill(template, values, params):
    """The template with each path parameter set to values[name] (a new UUID when there is none)."""
    path = template
    for p in params:
        if p.get("in") == "path":
            v = values.get(p["name"], str(uuid.uuid4()))
            path = path.replace("{" + p["name"] + "}", urllib.parse.quote(v, safe=""))
    return path


def world(spawn_server, pg, scratch_db):
    """Yields (client, path values, tokens): a spawned sanitized server on a database of its own (a
    body a test sends may be accepted and change reference data, such as the current code of
    conduct, which other tests rely on), trusting 127.0.0.1 as a proxy (each request may name its
    own client address in X-Forwarded-For, so per-address rate limits do not stop a test), and
    real objects for path parameters, so that handlers get as far as reading the body. Tokens:
    admin, professional, organisation, certifier, municipality (each reaches its own objects)."""
    keys_dir = M.make_ec_keys(["k1"])
    db = scratch_db()
    srv, c = spawn_server({"TRUSTED_PROXIES": "127.0.0.1", "ATTESTATION_KEYS_DIR": keys_dir,
                           "ATTESTATION_ACTIVE_KID": "k1"}, db=db)
    kr = M.DbKr(c, pg, db)
    client = c
    label = Label(client, kr)
    flow = label.certified()
    planned = label.create_audit(flow["org"]["id"], "2019", flow["party"]["body"]["id"])
    org_acct, org_token = label.org_account(flow["org"]["id"])
    muni_acct, muni_token = label.municipality()
    prof = kr.make_account("professional")
    prof_token = kr.token_for(prof)
    act = client.post(f"/v1/professionals/{prof['link']}/development-activities", token=prof_token,
                      json={"type": "course", "title": "Fuzz", "hours": 2, "status": "planned"})
    activity_id = act.json()["id"] if act.status_code == 201 else str(uuid.uuid4())
    # a held listening session of the municipality, with the organisation involved, and a recommendation
    session = client.post("/v1/listening-sessions", token=kr.admin_token(), json={
        "municipalityCode": "GM0363", "organisationIds": [flow["org"]["id"]], "method": "advice_catchers",
        "centralQuestion": "Wat is er nodig?", "heldOn": "2020-01-01", "facilitatorRoles": ["experience_expert"],
        "participantBand": "10-24", "status": "held"})
    session_id = session.json()["id"] if session.status_code == 201 else str(uuid.uuid4())
    rec = client.post(f"/v1/listening-sessions/{session_id}/recommendations", token=kr.admin_token(),
                      json={"rank": 1, "text": "Een plek in de wijk"})
    recommendation_id = rec.json()["id"] if rec.status_code == 201 else str(uuid.uuid4())
    values = {
        "sessionId": session_id, "recommendationId": recommendation_id, "municipalityCode": "GM0363",
        "accountId": prof["account"]["id"], "professionalId": prof["link"], "activityId": activity_id,
        "organisationId": flow["org"]["id"], "certifyingBodyId": flow["party"]["body"]["id"],
        "auditId": planned["id"], "certificateNumber": flow["number"], "version": "2019",
        "profileCode": "sociaal-werker-hbo", "code": "G01", "registrationNumber": "RSW-000000",
        "fileName": "swagger-ui.css", "token": "A" * 43,
    }
    tokens = [kr.admin_token(), prof_token, org_token, flow["party"]["token"], muni_token]
    yield c, values, tokens
    M.remove_dir(keys_dir)
