"""The bounds the contract states for request bodies hold in the code, on every writing route.

Generated from the OpenAPI document (the operations, bodies and path values come from
route_bodies.py, as for the fuzz test), so a new member or route is covered without touching this
file. For each member of a JSON request body:
  * a string with maxLength: maxLength characters are accepted as to length, maxLength + 1 are a
    400 naming the member;
  * a number: maximum + 1 and minimum - 1 (an exclusive bound itself) are a 400 naming it, the
    bounds themselves are accepted as to range;
  * an array with maxItems: one item more is a 400 naming it.

A body is a documented example (or a sample) with one member changed. It also carries an unknown
member, so that the answer is always a 400 listing every invalid member at once and nothing is
ever written; not so a merge patch, whose members are checked only after its shape, once merged
into the stored record (RFC 7396): those bodies go without it, and may be applied.

"Accepted as to length (or range)": the answer may still name the member for another reason (a
code that names nothing, say), but not with a message that gives a number, since every message
about a length or a range states its limit. Only what the change adds to the answer counts: the
errors of the unchanged body are left out either way. Strings without a pattern or format are
made of "é" (two bytes, one character), so that a limit counted in bytes shows.
"""

import copy
import json
import random
import re
import time

from route_bodies import examples, fill, operations, resolve, sample

SEED = 20240612
TIME_BUDGET = 50.0  # seconds; about 10 on the sanitized build
UNKNOWN = "unknownMember"
WIDE = "é"
WRITING = ("POST", "PUT", "PATCH")


def kinds(schema):
    t = schema.get("type")
    return [k for k in (t if isinstance(t, list) else [t] if t else []) if k != "null"]


def members(contract, schema, value, path=(), made=()):
    """(path, schema, value, made) for each bounded member under `schema`: a string with maxLength,
    a number with a bound, an array with maxItems. `value` is the member's value in the body (a
    sample when the body lacks it); made[i] is what to put at path[:i + 1] when the body lacks it.
    Read-only members are left out: sending one is a 400 whatever its value."""
    s = resolve(contract, schema) or {}
    if s.get("readOnly"):
        return
    k = kinds(s)
    if "object" in k or "properties" in s:
        obj = value if isinstance(value, dict) else {}
        for name, sub in s.get("properties", {}).items():
            v = obj[name] if name in obj else sample(contract, sub)
            yield from members(contract, sub, v, path + (name,), made + (v,))
    elif "array" in k:
        if "maxItems" in s:
            yield path, s, value, made
        items = value if isinstance(value, list) and value else [sample(contract, s.get("items", {}))]
        yield from members(contract, s.get("items", {}), items[0], path + (0,), made + (items[0],))
    elif ("string" in k and "maxLength" in s) or ({"integer", "number"} & set(k)):
        yield path, s, value, made


def field_name(path):
    """The name the service gives a member in errors: scope.parts[0], categories[1].norms[0].text."""
    out = ""
    for key in path:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else key)
    return out


def names(field, target):
    """True when an error about `field` is about `target`: the member itself, one that holds it
    (requirements.categories[0] for .minimumHours), or an item of it (an array's)."""
    return field == target or target.startswith((field + ".", field + "[")) or field.startswith(target + "[")


def put(body, path, made, value):
    """A copy of body with `value` at `path`, the containers on the way made when missing."""
    body = copy.deepcopy(body)
    node = body
    for i, key in enumerate(path[:-1]):
        if isinstance(key, int) and len(node) <= key:
            node.append(copy.deepcopy(made[i]))
        elif not isinstance(key, int) and key not in node:
            node[key] = copy.deepcopy(made[i])
        node = node[key]
    if isinstance(path[-1], int) and len(node) <= path[-1]:
        node.append(None)
    node[path[-1]] = value
    return body


def text(schema, base, n):
    """n characters shaped like the body's value `base`; at maxLength, also matching the pattern
    or format (one character more need not), else None."""
    base = base if isinstance(base, str) else ""
    fmt, pattern = schema.get("format"), schema.get("pattern")
    if fmt == "email":
        return "a" * (n - len("@example.test")) + "@example.test"
    if fmt == "uri":
        start = base if base.startswith("https://") else "https://example.test/"
        return (start + "a" * n)[:n]
    if pattern:
        rx = re.compile(pattern)
        for filler in dict.fromkeys([base[-1:] or "a", "a", "A", "0", "1", "-"]):
            pad = filler * max(0, n - len(base))
            for candidate in (base[:n] + pad, pad + base[:n]):
                if rx.search(candidate):
                    return candidate
        return (base + (base[-1:] or "a") * n)[:n] if n > schema["maxLength"] else None
    return WIDE * n


def items(schema, value, contract, n):
    """n items for an array: distinct where the first one ends in digits (GM0344 -> GM0000,
    GM0001, ...), so that a limit on the count is what the answer names, not a repeat."""
    first = value[0] if isinstance(value, list) and value else sample(contract, schema.get("items", {}))
    digits = re.search(r"[0-9]+$", first) if isinstance(first, str) else None
    if digits and n <= 10 ** len(digits.group()):
        return [first[:digits.start()] + str(i).zfill(len(digits.group())) for i in range(n)]
    return [copy.deepcopy(first) for _ in range(n)]


def cases(contract, schema, value):
    """(value to send, whether it must be refused) for a bounded member; for an array the value
    is how many items to send."""
    k = kinds(schema)
    if "array" in k:
        yield schema["maxItems"] + 1, True
    elif "string" in k:
        yield text(schema, value, schema["maxLength"]), False  # None: no value fits the pattern
        yield text(schema, value, schema["maxLength"] + 1), True
    else:
        one = 1 if "integer" in k else 1.0
        if "maximum" in schema:
            yield schema["maximum"], False
            yield schema["maximum"] + one, True
        if "minimum" in schema:
            yield schema["minimum"], False
            yield schema["minimum"] - one, True
        for key in ("exclusiveMaximum", "exclusiveMinimum"):
            if key in schema:
                yield schema[key], True


def errors_of(resp):
    if resp.status_code != 400:
        return set()
    try:
        return {(e.get("field"), e.get("message")) for e in resp.json().get("errors") or []}
    except ValueError:
        return set()


def limit_in(message, sent, limit=None):
    """True when the message states a number (standing alone: not the 1 of /v1/ or V01), apart
    from quoting the value sent; with `limit`, only that number."""
    if isinstance(sent, str):
        message = message.replace(sent, "").replace(sent[:40], "")
    found = re.findall(r"\b[0-9]+\b", message)
    return bool(found) if limit is None else str(limit) in found


def bodies(contract, media):
    """(base body, its schema) per alternative of the body's schema (oneOf: a token request per
    grant, an account per role), the base a documented example of that alternative if there is
    one."""
    schema = media.get("schema", {})
    documented = examples(contract, media)
    for alternative in resolve(contract, schema).get("oneOf") or [schema]:
        valid = contract.validator(alternative)
        base = next((e for e in documented if valid.is_valid(e)), None)
        yield (base if base is not None else sample(contract, alternative)), alternative


def test_every_body_bound_holds(contract, route_world):
    c, values, tokens = route_world
    rng = random.Random(SEED)
    started = time.monotonic()
    failures, checked = [], 0

    def send(method, path, token, body):
        headers = {"Content-Type": "application/json",
                   "X-Forwarded-For": f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            return c.request(method, path, data=json.dumps(body).encode(), headers=headers, timeout=60)
        except AssertionError as e:  # an answer the contract does not describe
            failures.append(f"{method} {path}: {str(e)[:400]}")
            return None

    for method, template, op, params in sorted(operations(contract), key=lambda o: (o[1], o[0])):
        media = (((op.get("requestBody") or {}).get("content")) or {}).get("application/json")
        if method not in WRITING or media is None:
            continue
        path = fill(template, values, params)
        merge_patch = method == "PATCH"
        for base, schema in bodies(contract, media):
            probe = {**base, UNKNOWN: 1}
            # The first token whose answer gets as far as the body (the unknown member named).
            candidates = tokens if op.get("security", True) != [] else [None]
            token, first = None, None
            for t in candidates:
                r = send(method, path, t, probe)
                if r is not None and any(f == UNKNOWN for f, _ in errors_of(r)):
                    token, first = t, r
                    break
            if first is None:
                failures.append(f"{method} {template}: no token gets as far as the body")
                continue
            unchanged = first if not merge_patch else send(method, path, token, base)
            before = errors_of(unchanged) if unchanged is not None else set()
            for where, member, value, made in members(contract, schema, base):
                target = field_name(where)
                for sent, refused in cases(contract, member, value):
                    if "array" in kinds(member):
                        sent = items(member, value, contract, sent)
                    if sent is None:
                        failures.append(f"{method} {template} {target}: no value of maxLength characters "
                                        "matches its pattern; give it an example that does")
                        continue
                    body = put(base, where, made, sent)
                    if not merge_patch:
                        body[UNKNOWN] = 1
                    r = send(method, path, token, body)
                    if r is None:
                        continue
                    checked += 1
                    new = errors_of(r) - before
                    shown = sent if not isinstance(sent, (str, list)) else f"{len(sent)} long"
                    if refused and not any(names(f, target) for f, _ in new):
                        failures.append(f"{method} {template} {target}={shown}: not refused "
                                        f"({r.status_code} {r.content[:300]!r})")
                    if not refused:
                        # About the member itself (or an item of it): any number is a limit; about
                        # what holds it (requirements.categories[0]): the member's own limit.
                        limit = member.get("maxLength", sent)
                        wrong = [(f, m) for f, m in new
                                 if (names(f, target) and limit_in(m, sent, limit))
                                 or ((f == target or f.startswith(target + "[")) and limit_in(m, sent))]
                        if wrong:
                            failures.append(f"{method} {template} {target}={shown}: refused as to "
                                            f"length or range: {wrong}")
    elapsed = time.monotonic() - started
    assert checked > 100, f"only {checked} bodies checked: the walk over the document found too little"
    assert not failures, f"{len(failures)} of {checked} bounds do not hold:\n" + "\n".join(failures[:80])
    assert elapsed < TIME_BUDGET, f"{checked} bodies took {elapsed:.0f} s (budget {TIME_BUDGET} s)"
