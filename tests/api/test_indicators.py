"""The programme monitor's indicators (issue 12): GET /v1/indicators per month, nationally or per
municipality, with small counts and revealing differences suppressed; the public subset; JSON
series and the same figures as CSV.

A data set is built in fresh municipality codes (through the API, and with SQL where a date must
lie in the past), and every figure is checked against a count the test makes itself. The figures
come from the monthly tables the monitor keeps (sql/0035): each read first waits until the
refresh has taken every change (`settle`), and the refresh itself is tested: the answer's asOf,
a change followed, months not computed yet."""

import contextlib
import csv
import datetime
import io
import statistics
import subprocess
import time
import uuid

import pytest

import label_helpers as L
import register_helpers as R
import voice_helpers as V
from kr_helpers import PG_BIN, assert_problem

IND = "/v1/indicators"
ORGS = L.ORGS
PROFILE = R.DEFAULT_PROFILE
PRIVATE = {"reregistrationRate", "medianDevelopmentHours", "onTrackShare"}
LABELS = ("profile", "status", "category", "kind", "outcome", "organisationId", "kvkNumber", "organisationName")


# ------------------------------------------------------------------ helpers


def month_of(d):
    return d.strftime("%Y-%m")


def first_of(d):
    return d.replace(day=1)


def current_month():
    return month_of(L.today())


def previous_month_last_day():
    return first_of(L.today()) - datetime.timedelta(days=1)


def add_months(month, n):
    y, m = map(int, month.split("-"))
    k = y * 12 + m - 1 + n
    return f"{k // 12:04d}-{k % 12 + 1:02d}"


def fresh_code(sql):
    """A municipality code no organisation or session uses yet."""
    for _ in range(50):
        code = L.random_gm()
        used = sql(f"select 1 from organisations where municipality_codes @> array['{code}']"
                   f" union all select 1 from listening_sessions where municipality_code = '{code}'")
        if not used:
            return code
    raise AssertionError("no free municipality code")


KEPT = 60  # MONITOR_MONTHS, the default
_harness = {}


@pytest.fixture(autouse=True)
def _remember_harness(kr):
    _harness["kr"] = kr
REFRESH_LOCK = 7335001  # kr_monitor_refresh's advisory lock


def settle(kr, timeout=60):
    """Waits until the monitor's refresh took every change and computed every kept month."""
    deadline = time.monotonic() + timeout
    while True:
        waiting = kr.sql("select (select count(*) from monitor_changes) + (select count(*) from monitor_municipality_changes)"
                         " + (select count(*) from monitor_months where ref_day is null)")[0][0]
        if waiting == "0":
            return
        assert time.monotonic() < deadline, f"the monitor's refresh did not settle: {waiting} waiting"
        time.sleep(0.05)


@contextlib.contextmanager
def refresh_paused(kr):
    """Holds the refresh's advisory lock in a session of its own: no replica refreshes meanwhile."""
    pg = kr.pg
    holder = subprocess.Popen([str(PG_BIN / "psql"), "-X", "-q", "-At", "-h", pg.dir, "-p", str(pg.port), "-U", "postgres",
                               "-d", "kr_test"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        holder.stdin.write(f"select pg_advisory_lock({REFRESH_LOCK}), 'held';\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip().endswith("held")
        yield
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)


def read(client, token=None, expect=200, headers=None, settled=True, **params):
    if settled:
        settle(_harness["kr"])
    r = client.get(IND, token=token, params=params or None, headers=headers)
    assert r.status_code == expect, f"GET indicators: {r.status_code} {r.content[:1500]!r}"
    return r.json() if expect == 200 and "json" in r.headers.get("Content-Type", "") else r


def series(body, indicator, **labels):
    """The values of the one series with these labels."""
    found = [s for s in body["series"] if s["indicator"] == indicator and s["labels"] == labels]
    assert len(found) == 1, f"{indicator} {labels}: {len(found)} series in {[s['labels'] for s in body['series'] if s['indicator'] == indicator]}"
    return found[0]["values"]


def value(body, indicator, month=-1, **labels):
    v = series(body, indicator, **labels)[month]
    assert set(v) == {"value", "suppressed"}, v
    assert (v["value"] is None) == v["suppressed"], v
    return v["value"]


def share(n, d):
    return round(n / d, 4)


def suppress(counts):
    """The rule, written again: counts[0] a total, the rest its parts. Under 5 hidden; while the
    total shows and the hidden parts are one or add up to under 5, the smallest shown part goes
    (the total when none is left)."""
    hidden = [c < 5 for c in counts]
    while not hidden[0] and len(counts) > 1:
        parts = [(c, i) for i, c in enumerate(counts) if i and not hidden[i]]
        gone = [c for i, c in enumerate(counts) if i and hidden[i]]
        if not gone or (len(gone) > 1 and sum(gone) >= 5):
            break
        hidden[min(parts)[1] if parts else 0] = True
    return [None if h else c for c, h in zip(counts, hidden)]


def propose_and_confirm(client, p, org_id, org_token, from_):
    r = client.post(f"{R.PROFS}/{p['id']}/employments", token=p["token"],
                    json={"organisationId": org_id, "from": from_})
    assert r.status_code == 201, r.content
    r = client.post(f"{ORGS}/{org_id}/employments/{r.json()['id']}/confirmation", token=org_token)
    assert r.status_code == 200, r.content


# ------------------------------------------------------------------ the data set


@pytest.fixture(scope="module")
def world(client, kr):
    rg, lb, vc = R.Register(client, kr), L.Label(client, kr), V.Voice(client, kr)
    today = R.days(0)
    code = fresh_code(kr.sql)
    # ten organisations serve the municipality; the first has a name that CSV must quote
    first = lb.create_org(name=f'Stichting "Welzijn", Noord {R.tag()}', municipalityCodes=[code])
    orgs = [first] + [lb.create_org(municipalityCodes=[code, "GM0363"]) for _ in range(9)]
    _, first_token = lb.org_account(first["id"])
    # five of them certified today (external audits granted today)
    party = lb.body_with_certifier()
    for org in orgs[1:6]:
        lb.certified(org=org, party=party)
    # professionals linked to the first organisation from today: six whose period starts today
    # (first year: on track) with formal hours completed today, five in the second year of their
    # period with no hours (not on track), five who applied only
    fresh, old, applied = [], [], []
    formal = [2, 4, 6, 8, 10, 12]
    for hours in formal:
        p = rg.registered()
        rg.completed(p, "formal_learning", hours, today)
        fresh.append(p)
    rg.completed(fresh[0], "reflection", 3, today)
    for _ in range(5):
        old.append(rg.registered(R.add_years(R.days(3), -2)))
    for _ in range(5):
        applied.append(rg.ready())
    for p in fresh + old + applied:
        propose_and_confirm(client, p, first["id"], first_token, today)
    # five listening sessions held today, ten recommendations, five answered
    muni = vc.muni(code)
    recs = []
    for _ in range(5):
        s = vc.create_session(code, heldOn=today)
        recs += [vc.add_recommendation(s["id"], rank) for rank in (1, 2)]
    for rec in recs[:5]:
        vc.respond(rec["id"], muni)
    return {"code": code, "orgs": orgs, "fresh": fresh, "old": old, "applied": applied, "formal": formal,
            "muni": muni, "recs": recs}


@pytest.fixture(scope="module")
def rereg(client, kr):
    """A second municipality: ten periods that ended last month, five of them followed by a
    next period (written with SQL: a re-registration cannot be made in the past)."""
    rg, lb = R.Register(client, kr), L.Label(client, kr)
    code = fresh_code(kr.sql)
    org = lb.create_org(municipalityCodes=[code])
    _, org_token = lb.org_account(org["id"])
    last = previous_month_last_day()
    people = []
    for i in range(10):
        end = last - datetime.timedelta(days=i)
        p = rg.registered_until(end)
        propose_and_confirm(client, p, org["id"], org_token, (end - datetime.timedelta(days=30)).isoformat())
        people.append(p)
    for p in people[:5]:
        kr.sql("insert into registration_periods (professional_id, number, starts_on, ends_on, requirements, window_weeks)"
               " select professional_id, 2, ends_on + 1, (ends_on + 1 + interval '5 years')::date - 1, requirements,"
               f" window_weeks from registration_periods where professional_id = '{p['id']}' and number = 1")
    return {"code": code, "people": people}


# ------------------------------------------------------------------ each indicator


def test_every_indicator_against_the_test_s_own_counts(client, kr, world):
    body = read(client, kr.admin_token(), municipalityCode=world["code"])
    cur = current_month()
    months = [add_months(cur, k) for k in range(-12, 1)]
    assert body["municipalityCode"] == world["code"] and body["months"] == months
    assert body["referenceDays"][-1] == R.days(0)
    assert body["referenceDays"][-2] == previous_month_last_day().isoformat()
    for s in body["series"]:
        assert len(s["values"]) == 13, s

    registered = len(world["fresh"]) + len(world["old"])
    # registered professionals: the profile's total is published; `registered` is its one part
    # that is not 0, so with four zero parts beside it (hidden, adding up to 0) it is hidden too
    assert value(body, "registeredProfessionals", profile=PROFILE, status="all") == registered
    assert suppress([registered, registered, 0, 0, 0, 0]) == [registered, None, None, None, None, None]
    for status in ("registered", "suspended", "struck_off", "expired", "deregistered"):
        assert value(body, "registeredProfessionals", profile=PROFILE, status=status) is None
    # last month nobody was linked yet
    assert value(body, "registeredProfessionals", -2, profile=PROFILE, status="all") is None

    on_track = len(world["fresh"])
    assert value(body, "onTrackShare") == share(on_track, registered)
    assert value(body, "onTrackShare", -2) is None

    hours = {"formal_learning": world["formal"] + [0] * len(world["old"]),
             "reflection": [3] + [0] * (registered - 1), "informal_learning": [0] * registered}
    for category, values in hours.items():
        assert value(body, "medianDevelopmentHours", category=category) == statistics.median(values), category

    assert value(body, "certifiedOrganisations") == 5
    assert value(body, "certifiedOrganisationsShare") == share(5, len(world["orgs"]))
    assert value(body, "audits", kind="external", outcome="granted") == 5
    for kind, outcome in (("external", "refused"), ("combined", "granted"), ("combined", "refused"),
                          ("intercollegial", "completed")):
        assert value(body, "audits", kind=kind, outcome=outcome) is None  # 0: under 5
    # the organisations were made today: last month none served the municipality
    assert value(body, "certifiedOrganisations", -2) is None

    assert value(body, "listeningSessions") == 5
    assert value(body, "recommendationResponseShare") == share(5, len(world["recs"]))
    assert value(body, "listeningSessions", -2) is None

    first = world["orgs"][0]
    linked = registered + len(world["applied"])
    labels = {"organisationId": first["id"], "kvkNumber": first["kvkNumber"], "organisationName": first["name"]}
    assert value(body, "linkedRegisteredShare", **labels) == share(registered, linked)
    other = world["orgs"][1]
    assert value(body, "linkedRegisteredShare", organisationId=other["id"], kvkNumber=other["kvkNumber"],
                 organisationName=other["name"]) is None  # nobody linked: 0 of 0
    assert sum(1 for s in body["series"] if s["indicator"] == "linkedRegisteredShare") == len(world["orgs"])


def test_reregistration_rate_of_last_month(client, kr, rereg):
    body = read(client, kr.admin_token(), municipalityCode=rereg["code"])
    assert value(body, "reregistrationRate", -2) == share(5, 10)
    assert value(body, "reregistrationRate", -1) is None  # none ended this month: 0 of 0
    assert value(body, "reregistrationRate", -3) is None


@pytest.mark.parametrize("n", [4, 5, 6])
def test_suppression_at_4_5_6(client, kr, n):
    rg, lb = R.Register(client, kr), L.Label(client, kr)
    code = fresh_code(kr.sql)
    org = lb.create_org(municipalityCodes=[code])
    _, org_token = lb.org_account(org["id"])
    for _ in range(n):
        propose_and_confirm(client, rg.registered(), org["id"], org_token, R.days(0))
    cur = current_month()
    body = read(client, kr.admin_token(), municipalityCode=code, **{"from": cur, "to": cur})
    assert body["months"] == [cur]
    shown = value(body, "registeredProfessionals", profile=PROFILE, status="all")
    assert shown == (None if n < 5 else n)
    # the same in the public answer
    public = read(client, municipalityCode=code, **{"from": cur, "to": cur})
    assert value(public, "registeredProfessionals", profile=PROFILE, status="all") == shown
    # n linked, n registered, 0 not: the share would reveal the 0
    assert value(body, "linkedRegisteredShare", organisationId=org["id"], kvkNumber=org["kvkNumber"],
                 organisationName=org["name"]) is None
    # n registered, all in their first year: on track n of n, 0 not
    assert value(body, "onTrackShare") is None


def test_the_nation_without_a_municipality_code(client, kr, world):
    """Without municipalityCode: every professional and organisation (admins and the public; a
    municipality account still reads its own), each figure against a count of the test's own."""
    cur = current_month()
    q = {"from": cur, "to": cur}
    body = read(client, kr.admin_token(), **q)
    assert body["municipalityCode"] is None and body["months"] == [cur]
    today = R.days(0)
    # registered professionals by profile and status on today, counted from the stored statuses
    rows = kr.sql("select p.profile, s.status, count(*) from registration_statuses s join professionals p on p.id = s.professional_id"
                  f" where s.from_on <= '{today}' and '{today}' < s.until_on"
                  " and s.status in ('registered', 'suspended', 'struck_off', 'expired', 'deregistered') group by 1, 2")
    counted = {(profile, status): int(n) for profile, status, n in rows}
    statuses = ["registered", "suspended", "struck_off", "expired", "deregistered"]
    for profile in {p for p, _ in counted} | {PROFILE}:
        parts = [counted.get((profile, st), 0) for st in statuses]
        shown = suppress([sum(parts)] + parts)
        assert value(body, "registeredProfessionals", profile=profile, status="all") == shown[0], profile
        for st, expected in zip(statuses, shown[1:]):
            assert value(body, "registeredProfessionals", profile=profile, status=st) == expected, (profile, st)
    # organisations existing today whose certification is valid today, of all existing today
    certified, existing = map(int, kr.sql(
        "select count(c.organisation_id), count(*) from organisations o left join organisation_certification c"
        f" on c.organisation_id = o.id and c.status = 'valid' and c.from_on <= '{today}' and '{today}' < c.until_on"
        f" where (o.created_at at time zone 'Europe/Amsterdam')::date <= '{today}'")[0])
    assert value(body, "certifiedOrganisations") == (certified if certified >= 5 else None)
    shown_share = None if min(certified, existing - certified) < 5 else share(certified, existing)
    assert value(body, "certifiedOrganisationsShare") == shown_share
    sessions = int(kr.sql("select count(*) from listening_sessions where status in ('held', 'reported')"
                          f" and held_on between '{cur}-01' and '{today}'")[0][0])
    assert value(body, "listeningSessions") == (sessions if sessions >= 5 else None)
    # no figures per organisation for the nation
    assert not [s for s in body["series"] if s["indicator"] == "linkedRegisteredShare"]
    # the public subset of the same; a municipality account still reads its own municipality
    public = read(client, **q)
    assert public["municipalityCode"] is None
    assert public["series"] == [s for s in body["series"] if s["indicator"] not in PRIVATE]
    assert read(client, world["muni"], **q)["municipalityCode"] == world["code"]


# ------------------------------------------------------------------ who sees what


def test_public_subset_without_a_token(client, kr, world):
    public = read(client, municipalityCode=world["code"])
    full = read(client, kr.admin_token(), municipalityCode=world["code"])
    names = {s["indicator"] for s in public["series"]}
    assert names == {s["indicator"] for s in full["series"]} - PRIVATE
    assert not names & PRIVATE
    assert public["series"] == [s for s in full["series"] if s["indicator"] not in PRIVATE]


def test_a_municipality_reads_its_own_municipality_only(client, kr, world, rereg):
    own = read(client, world["muni"])
    assert own["municipalityCode"] == world["code"]
    assert value(own, "onTrackShare") is not None
    assert read(client, world["muni"], municipalityCode=world["code"])["series"] == own["series"]
    r = read(client, world["muni"], expect=403, municipalityCode=rereg["code"])
    assert_problem(r, 403)


def test_other_roles_and_bad_tokens_are_refused(client, kr, world):
    p = world["fresh"][0]
    assert_problem(read(client, p["token"], expect=403), 403)
    r = client.get(IND, headers={"Authorization": "Bearer not.a.token"})
    assert_problem(r, 401)


def test_bad_parameters_are_each_named(client, kr):
    admin = kr.admin_token()
    r = read(client, admin, expect=400, municipalityCode="GM12", **{"from": "2026-13", "to": "26-01"})
    assert_problem(r, 400, fields=["municipalityCode", "from", "to"], exact_fields=True)
    cur, code = current_month(), "GM0363"
    r = read(client, admin, expect=400, municipalityCode=code, **{"from": cur, "to": add_months(cur, -1)})
    assert_problem(r, 400, fields=["from"], exact_fields=True)
    r = read(client, admin, expect=400, municipalityCode=code, **{"to": add_months(cur, 1)})
    assert_problem(r, 400, fields=["to"], exact_fields=True)
    r = read(client, admin, expect=400, municipalityCode=code, **{"from": add_months(cur, -24)})
    assert_problem(r, 400, fields=["from"], exact_fields=True)
    body = read(client, admin, municipalityCode=code, **{"from": add_months(cur, -23)})
    assert len(body["months"]) == 24
    # the monitor keeps KEPT months: a month before them is named
    r = read(client, admin, expect=400, municipalityCode=code,
             **{"from": add_months(cur, -KEPT), "to": add_months(cur, -KEPT + 10)})
    assert_problem(r, 400, fields=["from"], exact_fields=True)
    r = read(client, admin, expect=400, municipalityCode=code,
             **{"from": add_months(cur, -KEPT - 10), "to": add_months(cur, -KEPT - 5)})
    assert_problem(r, 400, fields=["from", "to"], exact_fields=True)
    body = read(client, admin, municipalityCode=code,
                **{"from": add_months(cur, -KEPT + 1), "to": add_months(cur, -KEPT + 24)})
    assert body["months"][0] == add_months(cur, -KEPT + 1) and len(body["months"]) == 24
    r = read(client, admin, expect=400, month=cur)
    assert_problem(r, 400, fields=["month"])
    r = read(client, expect=400, municipalityCode="gm0363")
    assert_problem(r, 400, fields=["municipalityCode"])


# ------------------------------------------------------------------ formats


def test_csv_has_the_json_figures(client, kr, world):
    admin = kr.admin_token()
    body = read(client, admin, municipalityCode=world["code"])
    r = client.get(IND, token=admin, params={"municipalityCode": world["code"]}, headers={"Accept": "text/csv"})
    assert r.status_code == 200, r.content[:500]
    assert r.headers["Content-Type"].startswith("text/csv")
    assert b"\r\n" in r.content
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8"), newline="")))
    header = rows[0]
    assert header == ["municipalityCode", "indicator", "unit", *LABELS, "month", "referenceDay", "value", "suppressed"]
    from_csv = sorted(tuple(row) for row in rows[1:])
    from_json = []
    for s in body["series"]:
        for i, v in enumerate(s["values"]):
            value_text = "" if v["value"] is None else v["value"]
            from_json.append((world["code"], s["indicator"], s["unit"], *(s["labels"].get(k, "") for k in LABELS),
                              body["months"][i], body["referenceDays"][i], value_text,
                              "true" if v["suppressed"] else "false"))
    assert len(from_csv) == len(from_json)
    # numbers compare as numbers (the CSV keeps PostgreSQL's decimals)
    norm = lambda rows: sorted(tuple(float(c) if k == 13 and c != "" else c for k, c in enumerate(row)) for row in rows)
    assert norm(from_csv) == norm(from_json)
    # the quoted name came back whole
    assert any(row[10] == world["orgs"][0]["name"] for row in rows[1:])


def test_accept_is_negotiated(client, kr, world):
    cur = current_month()
    params = {"municipalityCode": world["code"], "from": cur, "to": cur}
    r = client.get(IND, params=params, headers={"Accept": "application/xml"})
    assert_problem(r, 406, slug="not-acceptable", fields=["Accept"])
    r = client.get(IND, params=params, headers={"Accept": "text/csv;q=0.4, application/json"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/json")
    r = client.get(IND, params=params, headers={"Accept": "application/json;q=0.1, text/*"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    r = client.get(IND, params=params, headers={"Accept": "*/*"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/json")


def test_an_account_is_bounded_per_minute(client, kr):
    # a municipality of its own, without data: each read is cheap, the count is what matters
    _, token = L.Label(client, kr).municipality(L.random_gm())
    for _ in range(30):
        read(client, token, **{"from": current_month()})
    r = read(client, token, expect=429)
    assert_problem(r, 429)
    assert int(r.headers["Retry-After"]) >= 1 and "account" in r.json()["detail"]


def test_csv_keeps_spreadsheet_formulas_out(client, kr):
    code = L.random_gm()
    lb = L.Label(client, kr)
    org = lb.create_org(name=f"=HYPERLINK(\"http://x.test\",\"Zorg {uuid.uuid4().hex[:6]}\")", municipalityCodes=[code])
    admin = kr.admin_token()
    r = client.get(IND, token=admin, params={"municipalityCode": code, "from": current_month()},
                   headers={"Accept": "text/csv"})
    assert r.status_code == 200, r.content[:500]
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8"), newline="")))
    names = {row[10] for row in rows[1:] if row[10]}
    assert names == {"'" + org["name"]}
    body = read(client, admin, municipalityCode=code, **{"from": current_month()})
    assert {s["labels"].get("organisationName") for s in body["series"]} - {None} == {org["name"]}


# ------------------------------------------------------------------ the monthly tables


def linked_registered(client, kr, code, n):
    """An organisation serving `code` with n registered professionals linked from today."""
    rg, lb = R.Register(client, kr), L.Label(client, kr)
    org = lb.create_org(municipalityCodes=[code])
    _, org_token = lb.org_account(org["id"])
    people = [rg.registered() for _ in range(n)]
    for p in people:
        propose_and_confirm(client, p, org["id"], org_token, R.days(0))
    return org, people


def test_a_change_is_followed_and_as_of_says_when(client, kr):
    """Three of five linked professionals log reflection hours: until the refresh takes the change
    the answer is the one before, with an asOf before the change; then it moves."""
    code = fresh_code(kr.sql)
    _, people = linked_registered(client, kr, code, 5)
    admin, cur = kr.admin_token(), current_month()
    q = {"municipalityCode": code, "from": cur, "to": cur}
    before = read(client, admin, **q)
    assert value(before, "medianDevelopmentHours", category="reflection") == 0
    rg = R.Register(client, kr)
    with refresh_paused(kr):
        for p in people[:3]:
            rg.completed(p, "reflection", 7, R.days(0))
        changed = kr.sql("select kr_utc(now())")[0][0]
        stale = read(client, admin, settled=False, **q)
        assert stale["asOf"] < changed
        assert value(stale, "medianDevelopmentHours", category="reflection") == 0
    fresh = read(client, admin, **q)
    assert fresh["asOf"] > changed
    assert value(fresh, "medianDevelopmentHours", category="reflection") == 7
    assert fresh["referenceDays"] == [R.days(0)]


def test_months_not_computed_yet_answer_503(client, kr):
    code = fresh_code(kr.sql)
    admin, cur = kr.admin_token(), current_month()
    q = {"municipalityCode": code, "from": add_months(cur, -1), "to": cur}
    with refresh_paused(kr):
        kr.sql(f"update monitor_months set ref_day = null where month = '{cur}-01'")
        r = read(client, admin, expect=503, settled=False, **q)
        assert_problem(r, 503)
        assert int(r.headers["Retry-After"]) >= 1
        r = read(client, expect=503, settled=False, **q)
        assert_problem(r, 503)
        # the months computed answer meanwhile
        prev = add_months(cur, -1)
        assert read(client, admin, settled=False, municipalityCode=code, **{"from": prev, "to": prev})["months"] == [prev]
    kr.sql("notify kr_monitor")  # what the refresh would have found had it not been paused
    body = read(client, admin, **q)
    assert body["referenceDays"] == [previous_month_last_day().isoformat(), R.days(0)]


def test_an_organisation_leaving_a_municipality_takes_its_professionals_along(client, kr):
    left, joined = fresh_code(kr.sql), fresh_code(kr.sql)
    org, people = linked_registered(client, kr, left, 6)
    admin, cur = kr.admin_token(), current_month()
    q = {"from": cur, "to": cur}
    assert value(read(client, admin, municipalityCode=left, **q), "registeredProfessionals",
                 profile=PROFILE, status="all") == 6
    r = client.request("PATCH", f"{ORGS}/{org['id']}", token=admin, json={"municipalityCodes": [joined]})
    assert r.status_code == 200, r.content
    assert value(read(client, admin, municipalityCode=left, **q), "registeredProfessionals",
                 profile=PROFILE, status="all") is None
    moved = read(client, admin, municipalityCode=joined, **q)
    assert value(moved, "registeredProfessionals", profile=PROFILE, status="all") == 6
    assert value(moved, "linkedRegisteredShare", organisationId=org["id"], kvkNumber=org["kvkNumber"],
                 organisationName=org["name"]) is None  # 6 of 6: the 0 not registered would show


def test_on_track_in_the_monitor_is_the_register_s_rule(client, kr):
    """The monitor decides on track in SQL (kr_monitor_facts), the register in C
    (register_on_track, GET /v1/organisations/{id}/professionals): the two must agree on
    professionals on each side of every part of the rule."""
    rg, lb = R.Register(client, kr), L.Label(client, kr)
    code = fresh_code(kr.sql)
    org = lb.create_org(municipalityCodes=[code])
    _, org_token = lb.org_account(org["id"])
    today, second_year = R.days(0), R.add_years(R.days(-3), -2)  # two whole years passed: 2/5 of each minimum
    cases = {
        "first year, nothing yet": (today, {}),
        "two years, nothing": (second_year, {}),
        "two years, each minimum and the total": (second_year, {"formal_learning": 24, "reflection": 20, "informal_learning": 20}),
        "two years, no reflection": (second_year, {"formal_learning": 100}),
        "two years, minimums but not the total": (second_year, {"formal_learning": 24, "reflection": 20, "informal_learning": 10}),
        "two years, the total through capped hours": (second_year, {"formal_learning": 24, "reflection": 20, "informal_learning": 100}),
        "two years, one hour short of reflection": (second_year, {"formal_learning": 60, "reflection": 19, "informal_learning": 50}),
    }
    people = {}
    for name, (start, hours) in cases.items():
        p = rg.registered(start)
        for category, h in hours.items():
            rg.completed(p, category, h, today)
        propose_and_confirm(client, p, org["id"], org_token, today)
        people[name] = p
    items, _ = R.collect(client, f"{ORGS}/{org['id']}/professionals", token=org_token, limit=100)
    register = {i["registrationNumber"]: i["progress"]["onTrack"] for i in items}
    settle(kr)
    monitor = dict(kr.sql("select professional_id, on_track from monitor_professional_months"
                          f" where month = '{current_month()}-01' and professional_id in "
                          f"({', '.join(repr(p['id']) for p in people.values())})"))
    expected = {"first year, nothing yet": True, "two years, nothing": False,
                "two years, each minimum and the total": True, "two years, no reflection": False,
                "two years, minimums but not the total": False, "two years, the total through capped hours": True,
                "two years, one hour short of reflection": False}
    for name, p in people.items():
        assert register[p["number"]] is expected[name], (name, register[p["number"]])
        assert monitor[p["id"]] == ("t" if expected[name] else "f"), (name, monitor[p["id"]])


def test_a_stopping_service_cancels_the_refresh_step_it_runs(spawn_server, pg, scratch_db):
    """A month computed whole takes seconds at scale (here the step is held by a lock taken
    elsewhere, for as long as the test likes): a service that stops cancels it rather than wait,
    and the step, rolled back, runs again at the next start."""
    db = scratch_db()
    srv, _ = spawn_server({"STATEMENT_TIMEOUT_MS": "120000"}, db=db)

    def waiting_months():
        return int(pg.psql("select count(*) from monitor_months where ref_day is null", db=db)[0][0])
    deadline = time.monotonic() + 60
    while waiting_months() or not pg.psql("select 1 from monitor_months limit 1", db=db):
        assert time.monotonic() < deadline, "the monitor's first build did not end"
        time.sleep(0.05)
    holder = subprocess.Popen([str(PG_BIN / "psql"), "-X", "-q", "-At", "-h", pg.dir, "-p", str(pg.port), "-U", "postgres",
                               "-d", db], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        holder.stdin.write("begin; lock table monitor_professional_months in access exclusive mode; select 'held';\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip() == "held"
        pg.psql("update monitor_months set ref_day = null where month = (select max(month) from monitor_months)", db=db)
        pg.psql("notify kr_monitor", db=db)
        deadline = time.monotonic() + 30
        while not pg.psql("select 1 from pg_stat_activity where query like '%kr_monitor_refresh%'"
                          f" and wait_event_type = 'Lock' and datname = '{db}'", db=db):
            assert time.monotonic() < deadline, "the refresh step did not start"
            time.sleep(0.05)
        started = time.monotonic()
        assert srv.stop(30) == 0
        assert time.monotonic() - started < 10
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    assert waiting_months() == 1  # rolled back: the month waits for the next start


def test_a_month_leaving_the_kept_ones_takes_its_rows_along(client, kr):
    old = add_months(current_month(), -KEPT) + "-01"
    # one transaction (one psql command), so that no refresh comes between
    kr.sql(f"insert into monitor_months (month, ref_day, computed_at) values ('{old}', '{old}'::date + 27, now());"
           " insert into monitor_professional_months (month, professional_id, profile, status, periods_ended,"
           f" periods_followed) values ('{old}', gen_random_uuid(), '{PROFILE}', 'registered', 0, 0);"
           " insert into monitor_municipality_months (code, month, ref_day, rank, profile, status, n)"
           f" values ('GM0363', '{old}', '{old}', 1, '{PROFILE}', 'all', 7); notify kr_monitor")
    deadline = time.monotonic() + 30
    while kr.sql(f"select (select count(*) from monitor_months where month = '{old}')"
                 f" + (select count(*) from monitor_professional_months where month = '{old}')"
                 f" + (select count(*) from monitor_municipality_months where month = '{old}')")[0][0] != "0":
        assert time.monotonic() < deadline, "the month before the kept ones stayed"
        time.sleep(0.05)
    assert int(kr.sql("select count(*) from monitor_months")[0][0]) == KEPT


def test_the_nation_is_built_again_at_most_every_interval(spawn_server, pg, scratch_db):
    """With MONITOR_NATIONAL_INTERVAL_SECONDS an hour, a change reaches its municipality at once
    and the nation's answer later: until then the nation's asOf stays before the change."""
    import municipal_helpers as M
    db = scratch_db()
    _, c = spawn_server({"MONITOR_NATIONAL_INTERVAL_SECONDS": "3600", "INDICATOR_RATE_LIMIT": "100000"}, db=db)
    kr = M.DbKr(c, pg, db)
    rg, lb = R.Register(c, kr), L.Label(c, kr)
    code = L.random_gm()
    org = lb.create_org(municipalityCodes=[code])
    _, org_token = lb.org_account(org["id"])
    cur = current_month()
    q = {"from": cur, "to": cur}
    admin = kr.admin_token()

    def answer(**params):
        deadline = time.monotonic() + 60
        while True:
            r = c.get(IND, token=admin, params={**q, **params})
            if r.status_code == 200:
                return r.json()
            assert r.status_code == 503 and time.monotonic() < deadline, r.content[:300]
            time.sleep(0.1)

    def until(check, **params):
        deadline = time.monotonic() + 60
        while not check(answer(**params)):
            assert time.monotonic() < deadline, "the monitor did not follow"
            time.sleep(0.05)
    # the start built the nation (with nobody in it): its answer is complete up to now
    started = kr.sql("select kr_utc(now())")[0][0]
    until(lambda b: b["asOf"] > started)
    # a change: the municipality follows, the nation waits for its hour
    people = [rg.registered() for _ in range(6)]
    for p in people:
        propose_and_confirm(c, p, org["id"], org_token, R.days(0))
    changed = kr.sql("select kr_utc(now())")[0][0]
    until(lambda b: b["asOf"] > changed and value(b, "registeredProfessionals", profile=PROFILE, status="all") == 6,
          municipalityCode=code)
    nation = answer()
    assert nation["asOf"] < changed
    assert value(nation, "registeredProfessionals", profile=PROFILE, status="all") is None  # still nobody
