"""Residents' voice: listening sessions, anonymous stories, a ranked top five of recommendations,
the responses of the organisations and the municipality, and the public view per municipality."""

import uuid

import pytest

import label_helpers as L
import voice_helpers as V
from kr_helpers import assert_problem

SESSIONS = V.SESSIONS


@pytest.fixture
def vo(client, kr):
    return V.Voice(client, kr)


@pytest.fixture
def held(vo):
    """A held session of a fresh municipality with one involved organisation."""
    code = vo.fresh_code()
    org, org_token = vo.org(code)
    session = vo.create_session(code, [org["id"]])
    return {"code": code, "org": org, "org_token": org_token, "session": session, "id": session["id"]}


# ------------------------------------------------------------------ topics and sessions


def test_topic_list_is_public_data(client):
    r = client.get(V.TOPICS)
    assert r.status_code == 200, r.content
    codes = [t["code"] for t in r.json()["items"]]
    assert "housing" in codes and "loneliness" in codes and len(codes) == len(set(codes))
    assert r.json()["nextCursor"] is None


def test_session_written_by_its_municipality_an_involved_organisation_or_admin(client, vo):
    code = vo.fresh_code()
    org, org_token = vo.org(code)
    s = vo.create_session(code, [org["id"]], token=vo.muni(code), status="planned", participantBand=None)
    assert s["status"] == "planned" and s["municipalityCode"] == code and s["organisationIds"] == [org["id"]]
    assert s["facilitatorRoles"] == ["experience_expert", "social_worker"]
    assert L.location_path(client.post(SESSIONS, token=org_token, json=vo.session_body(code, [org["id"]]))) \
        .startswith(SESSIONS + "/")
    # a municipality for another code, an organisation not among the involved: 403
    other = vo.fresh_code()
    assert_problem(client.post(SESSIONS, token=vo.muni(other), json=vo.session_body(code, [org["id"]])), 403)
    assert_problem(client.post(SESSIONS, token=org_token, json=vo.session_body(code, [])), 403)
    # roles that never write sessions
    prof = vo.kr.token_for(vo.kr.make_account("professional"))
    assert_problem(client.post(SESSIONS, token=prof, json=vo.session_body(code)), 403)
    assert_problem(client.post(SESSIONS, json=vo.session_body(code)), 401)


def test_session_bad_inputs_are_named(client, vo):
    code = vo.fresh_code()
    bad = vo.session_body(code, [str(uuid.uuid4())], method="brainstorm", facilitatorRoles=["Jan de Vries"],
                          participantBand=None, heldOn=L.days(30), municipalityCode="GM12",
                          centralQuestion="Mail jan@example.nl", extra=1)
    r = client.post(SESSIONS, token=vo.admin, json=bad)
    assert_problem(r, 400, fields=["municipalityCode", "method", "facilitatorRoles", "participantBand", "heldOn",
                                   "centralQuestion", "extra"])
    r = client.post(SESSIONS, token=vo.admin, json=vo.session_body(code, [str(uuid.uuid4())]))
    assert_problem(r, 400, fields=["organisationIds"], exact_fields=True)
    r = client.post(SESSIONS, token=vo.admin, json=vo.session_body(code, ["nope"]))
    assert_problem(r, 400, fields=["organisationIds"], exact_fields=True)
    r = client.post(SESSIONS, token=vo.admin, json=vo.session_body(code, participantBand="25"))
    assert_problem(r, 400, fields=["participantBand"])


def test_session_visibility_per_party(client, vo, held):
    code, sid = held["code"], held["id"]
    assert client.get(f"{SESSIONS}/{sid}", token=held["org_token"]).json() == held["session"]
    assert client.get(f"{SESSIONS}/{sid}", token=vo.muni(code)).status_code == 200
    outsider_org, outsider_token = vo.org(code)
    for token in (outsider_token, vo.muni(vo.fresh_code())):
        assert_problem(client.get(f"{SESSIONS}/{sid}", token=token), 403)
        ids = [s["id"] for s in client.get(SESSIONS, token=token, params={"limit": 100}).json()["items"]]
        assert sid not in ids
    ids = [s["id"] for s in client.get(SESSIONS, token=vo.muni(code), params={"municipalityCode": code}).json()["items"]]
    assert ids == [sid]
    ids = [s["id"] for s in client.get(SESSIONS, token=held["org_token"]).json()["items"]]
    assert ids == [sid]  # an organisation lists the sessions it is involved in
    assert_problem(client.get(f"{SESSIONS}/{uuid.uuid4()}", token=vo.admin), 404)
    assert_problem(client.get(f"{SESSIONS}/not-a-uuid", token=vo.admin), 400, fields=["sessionId"])
    assert_problem(client.get(SESSIONS, token=vo.admin, params={"status": "done"}), 400, fields=["status"])


def test_session_status_moves_forward_only(client, vo):
    code = vo.fresh_code()
    s = vo.create_session(code, status="planned", participantBand=None)
    path = f"{SESSIONS}/{s['id']}"
    r = client.put(path, token=vo.muni(code), json=vo.session_body(code, status="held"))
    assert r.status_code == 200 and r.json()["status"] == "held", r.content
    assert_problem(client.put(path, token=vo.admin, json=vo.session_body(code, status="planned")), 409)
    assert_problem(client.put(path, token=vo.admin, json=vo.session_body(vo.fresh_code(), status="held")), 400,
                   fields=["municipalityCode"])
    r = client.put(path, token=vo.admin, json=vo.session_body(code, status="reported"))
    assert r.status_code == 200 and r.json()["status"] == "reported", r.content
    assert_problem(client.put(path, token=vo.admin, json=vo.session_body(code, status="reported")), 409)


# ------------------------------------------------------------------ stories


PERSONAL_DATA = {
    "email": "Mail me gerust op jan.jansen@example.nl als er nieuws is.",
    "phone": "Je kunt me bellen op 06-12345678 na vijf uur.",
    "international_phone": "Mijn nummer is +31 6 12345678.",
    "bsn": "Op de brief stond mijn nummer 111222333 en toen ging het mis.",
    "postcode_with_number": "Ik woon op 1234 AB 5 en de lift is al maanden stuk.",
    "address_before_postcode": "Kom langs op Dorpsstraat 12, 1234 AB Ergens.",
}


@pytest.mark.parametrize("kind", sorted(PERSONAL_DATA))
def test_a_story_with_personal_data_is_refused_naming_text(client, vo, held, kind):
    r = client.post(f"{SESSIONS}/{held['id']}/stories", token=held["org_token"],
                    json=vo.story_body(text=PERSONAL_DATA[kind]))
    body = assert_problem(r, 400, fields=["text"], exact_fields=True)
    assert "anonymous" in body["errors"][0]["message"]


def test_personal_data_in_a_free_topic_is_refused(client, vo, held):
    r = client.post(f"{SESSIONS}/{held['id']}/stories", token=held["org_token"],
                    json=vo.story_body(freeTopics=["bel 0612345678"]))
    assert_problem(r, 400, fields=["freeTopics"], exact_fields=True)


def test_numbers_that_are_no_personal_data_pass(client, vo, held):
    for text in ("Ik woon hier al 12 jaar, sinds 2014, en betaal 123456789 cent per eeuw.",  # fails the eleven-test
                 "Mijn postcode is 1234 AB, meer zeg ik niet.", "Op 12-05-2024 om 10.30 uur was het druk."):
        vo.add_story(held["id"], text=text)


def test_story_rules(client, vo, held):
    path = f"{SESSIONS}/{held['id']}/stories"
    r = client.post(path, token=vo.admin, json=vo.story_body(topics=["bogus"], consentGiven=False, channel="phone",
                                                            language="Dutch", consentForm="nod"))
    assert_problem(r, 400, fields=["topics", "consentGiven", "channel", "language", "consentForm"])
    assert_problem(client.post(path, token=vo.admin, json=vo.story_body(topics=[])), 400, fields=["topics"])
    story = vo.add_story(held["id"], topics=[], freeTopics=["fietsenstalling"], language="ar", channel="digital")
    assert story["freeTopics"] == ["fietsenstalling"] and story["topics"] == [] and story["consentGiven"] is True
    # only while the session is held
    planned = vo.create_session(held["code"], status="planned", participantBand=None)
    assert_problem(client.post(f"{SESSIONS}/{planned['id']}/stories", token=vo.admin, json=vo.story_body()), 409)


def test_stories_are_read_only_by_the_sessions_writers(client, vo, held):
    path = f"{SESSIONS}/{held['id']}/stories"
    made = [vo.add_story(held["id"], token=t, text=f"Verhaal {i}")
            for i, t in enumerate((held["org_token"], vo.muni(held["code"]), vo.admin))]
    page1 = client.get(path, token=held["org_token"], params={"limit": 2}).json()
    page2 = client.get(path, token=held["org_token"], params={"limit": 2, "cursor": page1["nextCursor"]}).json()
    assert [s["id"] for s in page1["items"] + page2["items"]] == [s["id"] for s in made]
    assert page2["nextCursor"] is None
    _, outsider = vo.org(held["code"])
    for token in (outsider, vo.muni(vo.fresh_code())):
        assert_problem(client.get(path, token=token), 403)
        assert_problem(client.post(path, token=token, json=vo.story_body()), 403)
    assert_problem(client.get(path), 401)


def test_story_write_honours_idempotency_key(client, vo, held):
    path = f"{SESSIONS}/{held['id']}/stories"
    key = {"Idempotency-Key": str(uuid.uuid4())}
    muni = vo.muni(held["code"])
    first = client.post(path, token=muni, json=vo.story_body(), headers=key)
    again = client.post(path, token=muni, json=vo.story_body(), headers=key)
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert_problem(client.post(path, token=muni, json=vo.story_body(text="Iets anders"), headers=key), 422,
                   slug="unprocessable")


# ------------------------------------------------------------------ recommendations and responses


def test_a_session_hands_over_at_most_five_recommendations(client, vo, held):
    path = f"{SESSIONS}/{held['id']}/recommendations"
    for rank in (3, 1, 5, 2):
        vo.add_recommendation(held["id"], rank, token=held["org_token"])
    assert_problem(client.post(path, token=vo.admin, json={"rank": 3, "text": "Nog eens drie"}), 409)
    assert_problem(client.post(path, token=vo.admin, json={"rank": 6, "text": "Zes"}), 400, fields=["rank"])
    vo.add_recommendation(held["id"], 4)
    r = client.post(path, token=vo.admin, json={"rank": 1, "text": "Een zesde"})
    assert_problem(r, 409)
    assert "five" in r.json()["detail"]
    listed = client.get(path, token=vo.muni(held["code"])).json()
    assert [x["rank"] for x in listed["items"]] == [1, 2, 3, 4, 5] and listed["nextCursor"] is None
    r = client.post(path, token=vo.admin, json={"rank": 1, "text": "Bel 0612345678", "topics": ["nope"]})
    assert_problem(r, 400, fields=["text", "topics"])


def test_responses_by_involved_parties_supersede_and_keep_history(client, vo, held):
    rec = vo.add_recommendation(held["id"], 1)
    path = f"/v1/recommendations/{rec['id']}/responses"
    first = vo.respond(rec["id"], held["org_token"], status="under_consideration", follow_up=L.days(60)).json()
    assert first["current"] is True and first["organisationId"] == held["org"]["id"] and first["municipalityCode"] is None
    second = vo.respond(rec["id"], held["org_token"], status="partly_adopted", text="Half.").json()
    by_muni = vo.respond(rec["id"], vo.muni(held["code"]), status="adopted").json()
    assert by_muni["municipalityCode"] == held["code"] and by_muni["organisationId"] is None
    history = client.get(path, token=vo.admin).json()["items"]
    assert [h["id"] for h in history] == [first["id"], second["id"], by_muni["id"]]
    assert history[0]["current"] is False and history[0]["supersededBy"] == second["id"]
    assert history[1]["current"] is True and history[2]["current"] is True
    public = client.get(V.public_path(held["code"])).json()
    shown = public["sessions"][0]["recommendations"][0]["responses"]
    assert sorted(x["id"] for x in shown) == sorted([second["id"], by_muni["id"]])


def test_a_response_by_an_organisation_not_involved_is_refused(client, vo, held):
    rec = vo.add_recommendation(held["id"], 1)
    _, outsider = vo.org(held["code"])  # serves the municipality, but was not involved
    for token in (outsider, vo.muni(vo.fresh_code())):
        assert_problem(vo.respond(rec["id"], token, expect=403), 403)
    assert_problem(vo.respond(rec["id"], vo.admin, expect=403), 403)
    assert_problem(vo.respond(str(uuid.uuid4()), held["org_token"], expect=404), 404)
    r = client.post(f"/v1/recommendations/{rec['id']}/responses", token=held["org_token"],
                    json={"status": "maybe", "text": "", "followUpOn": "2024-02-30"})
    assert_problem(r, 400, fields=["status", "text", "followUpOn"])
    assert client.get(f"/v1/recommendations/{rec['id']}/responses", token=vo.admin).json()["items"] == []


# ------------------------------------------------------------------ the public view


MARKER = "zeldzaamwoord"


def test_public_view_shows_topic_counts_never_story_text_nor_small_counts(client, vo, held):
    for i in range(5):
        vo.add_story(held["id"], text=f"{MARKER} gezondheid {i}", topics=["health"])
    for i in range(4):
        vo.add_story(held["id"], text=f"{MARKER} wonen {i}", topics=["housing"], freeTopics=[f"{MARKER}{i}"])
    vo.add_recommendation(held["id"], 1, text="Meer huisartsen in de wijk", topics=["health"])
    r = client.get(V.public_path(held["code"]))
    assert r.status_code == 200, r.content
    assert MARKER.encode() not in r.content
    view = r.json()
    assert view["municipalityCode"] == held["code"]
    assert [s["id"] for s in view["sessions"]] == [held["id"]]
    assert view["sessions"][0]["recommendations"][0]["text"] == "Meer huisartsen in de wijk"
    quarter = "{}-Q{}".format(held["session"]["heldOn"][:4], (int(held["session"]["heldOn"][5:7]) - 1) // 3 + 1)
    trend = {(t["quarter"], t["topic"]): t for t in view["storyTopicTrend"]}
    assert trend[(quarter, "health")] == {"quarter": quarter, "topic": "health", "stories": 5, "suppressed": False}
    assert trend[(quarter, "housing")] == {"quarter": quarter, "topic": "housing", "stories": None, "suppressed": True}
    assert trend[(quarter, "free_topics")]["stories"] is None
    for t in view["storyTopicTrend"]:
        assert t["suppressed"] is (t["stories"] is None)
        assert t["stories"] is None or t["stories"] >= 5


def test_public_view_of_a_quiet_municipality_and_bad_codes(client, vo):
    r = client.get(V.public_path(vo.fresh_code()))
    assert r.status_code == 200 and r.json()["sessions"] == [] and r.json()["storyTopicTrend"] == []
    assert_problem(client.get(V.public_path("GM12")), 400, fields=["municipalityCode"])


def _reachable(contract, node, seen, names):
    """Names of the component schemas reachable from node, and every schema object on the way."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            name = ref.rsplit("/", 1)[1]
            if name in names:
                return
            names.add(name)
            node = contract.resolve(node)
        seen.append(node)
        for v in node.values():
            _reachable(contract, v, seen, names)
    elif isinstance(node, list):
        for v in node:
            _reachable(contract, v, seen, names)


def test_no_public_schema_can_carry_story_text_or_a_count_under_five(contract):
    """Over every operation anyone may call without a token: the story schemas are unreachable,
    and every count of stories has a minimum of 5 (or is null and suppressed)."""
    story_schemas = {"Story", "StoryList", "StoryCreate"}
    public_ops = 0
    for path, item in contract.doc["paths"].items():
        for method, op in item.items():
            if method not in ("get", "post", "put", "patch", "delete") or op.get("security") != []:
                continue
            public_ops += 1
            seen, names = [], set()
            for status, response in op.get("responses", {}).items():
                if status.startswith("2"):
                    _reachable(contract, contract.resolve(response), seen, names)
            assert not (names & story_schemas), f"{method} {path} can answer {names & story_schemas}"
            for schema in seen:
                props = schema.get("properties") if isinstance(schema, dict) else None
                if not props:
                    continue
                if "stories" in props:
                    count = contract.resolve(props["stories"])
                    assert count.get("minimum", 0) >= 5, f"{method} {path}: a story count may be under 5"
                    assert "suppressed" in props, f"{method} {path}: a story count without suppressed"
                if "suppressed" in props:
                    assert "freeTopics" not in props
                assert "freeTopics" not in props, f"{method} {path} shows a teller's free topics"
    assert public_ops >= 3  # the residents' voice, the topic list and the other public reads were walked
    # The residents' voice itself: every object in it is closed (the validating client refuses any
    # other member, a story's text included), and the only texts are recommendations' and responses'.
    seen, names = [], set()
    _reachable(contract, {"$ref": "#/components/schemas/ResidentsVoice"}, seen, names)
    assert "PublicListeningSession" in names and "StoryTopicCount" in names
    for name in names:
        schema = contract.resolve({"$ref": f"#/components/schemas/{name}"})
        if schema.get("type") == "object":
            assert schema.get("additionalProperties") is False, f"{name} is open to other members"
            if "text" in schema.get("properties", {}):
                assert name in ("PublicRecommendation", "PublicRecommendationResponse"), name


# ------------------------------------------------------------------ the link to the label


@pytest.fixture
def cited(vo):
    """An organisation serving one municipality with a session and a recommendation there, a
    session and recommendation of another municipality, and a planned external audit."""
    lb = vo.label
    home, away = vo.fresh_code(), vo.fresh_code()
    org, org_token = vo.org(home)
    ours = vo.create_session(home, [org["id"]])
    theirs = vo.create_session(away)
    party = lb.body_with_certifier()
    audit = lb.create_audit(org["id"], "2019", party["body"]["id"])
    return {"org": org, "org_token": org_token, "ours": ours, "theirs": theirs, "audit": audit,
            "party": party, "our_rec": vo.add_recommendation(ours["id"], 1),
            "their_rec": vo.add_recommendation(theirs["id"], 1)}


def test_scores_cite_sessions_and_recommendations_the_audit_shows_them(client, vo, cited):
    lb, audit_id = vo.label, cited["audit"]["id"]
    code = lb.norm_codes("2019")[0]
    score = {"normCode": code, "score": "met", "note": "Bewoners zeiden het zelf",
             "listeningSessionIds": [cited["ours"]["id"]], "recommendationIds": [cited["our_rec"]["id"]]}
    r = client.put(f"{L.AUDITS}/{audit_id}/self-evaluation", token=cited["org_token"],
                   json={"status": "draft", "scores": [score]})
    assert r.status_code == 200, r.content
    assert r.json()["scores"][0]["listeningSessionIds"] == [cited["ours"]["id"]]
    body = lb.outcome_body("2019")
    body["scores"][1]["listeningSessionIds"] = [cited["ours"]["id"]]
    outcome = lb.put_outcome(audit_id, body, cited["party"]["token"], expect=200).json()
    assert outcome["scores"][1]["listeningSessionIds"] == [cited["ours"]["id"]]
    assert "listeningSessionIds" not in outcome["scores"][0] and "recommendationIds" not in outcome["scores"][1]
    evidence = client.get(f"{L.AUDITS}/{audit_id}", token=cited["party"]["token"]).json()["residentsVoiceEvidence"]
    assert evidence == [
        {"source": "self_evaluation", "normCode": code, "listeningSessionIds": [cited["ours"]["id"]],
         "recommendationIds": [cited["our_rec"]["id"]]},
        {"source": "outcome", "normCode": lb.norm_codes("2019")[1], "listeningSessionIds": [cited["ours"]["id"]],
         "recommendationIds": []}]
    # an audit that cites nothing shows an empty list
    other = lb.create_audit(cited["org"]["id"], "2019", cited["party"]["body"]["id"])
    assert other["residentsVoiceEvidence"] == []


def test_citing_a_session_of_a_municipality_the_organisation_does_not_serve_is_a_400(client, vo, cited):
    lb, audit_id = vo.label, cited["audit"]["id"]
    code = lb.norm_codes("2019")[0]
    path = f"{L.AUDITS}/{audit_id}/self-evaluation"
    for member, foreign in (("listeningSessionIds", cited["theirs"]["id"]),
                            ("recommendationIds", cited["their_rec"]["id"]),
                            ("listeningSessionIds", str(uuid.uuid4()))):
        r = client.put(path, token=cited["org_token"],
                       json={"status": "draft", "scores": [{"normCode": code, "score": "met", member: [foreign]}]})
        body = assert_problem(r, 400, fields=[f"scores[0].{member}"], exact_fields=True)
        assert foreign in body["errors"][0]["message"]
    r = client.put(path, token=cited["org_token"],
                   json={"status": "draft", "scores": [{"normCode": code, "score": "met", "listeningSessionIds": ["x"],
                                                        "recommendationIds": "y"}]})
    assert_problem(r, 400, fields=["scores[0].listeningSessionIds", "scores[0].recommendationIds"])
    body = lb.outcome_body("2019")
    body["scores"][2]["listeningSessionIds"] = [cited["theirs"]["id"]]
    r = lb.put_outcome(audit_id, body, cited["party"]["token"])
    assert_problem(r, 400, fields=["scores[2].listeningSessionIds"], exact_fields=True)
    assert client.get(f"{L.AUDITS}/{audit_id}", token=vo.admin).json()["status"] == "planned"
