"""Helpers for the residents' voice API tests: sessions, stories, recommendations, responses.

Every helper asserts the status it needs. Each call draws a fresh municipality code unless one is
given, so that a test's public view holds only what the test made."""

import label_helpers as L

SESSIONS = "/v1/listening-sessions"
TOPICS = "/v1/listening-topics"


def public_path(code):
    return f"/v1/municipalities/{code}/residents-voice"


class Voice:
    def __init__(self, client, kr):
        self.client = client
        self.kr = kr
        self.label = L.Label(client, kr)
        self._munis = {}

    @property
    def admin(self):
        return self.kr.admin_token()

    def fresh_code(self):
        return L.random_gm()

    def muni(self, code):
        """A municipality account's token for the code (one account per code and helper)."""
        if code not in self._munis:
            self._munis[code] = self.label.municipality(code)[1]
        return self._munis[code]

    def org(self, code):
        """An organisation serving the municipality, and its account's token."""
        org = self.label.create_org(municipalityCodes=[code])
        return org, self.label.org_account(org["id"])[1]

    def session_body(self, code, org_ids=(), **over):
        body = {"municipalityCode": code, "organisationIds": list(org_ids), "method": "advice_catchers",
                "centralQuestion": "Wat heeft u nodig om mee te doen in uw wijk?",
                "heldOn": L.days(-10), "facilitatorRoles": ["experience_expert", "social_worker"],
                "participantBand": "10-24", "status": "held"}
        body.update(over)
        return body

    def create_session(self, code, org_ids=(), token=None, **over):
        r = self.client.post(SESSIONS, token=token or self.admin, json=self.session_body(code, org_ids, **over))
        assert r.status_code == 201, f"create session: {r.status_code} {r.content[:800]!r}"
        return r.json()

    def story_body(self, text="Het huis is koud en de huur is hoog.", topics=("housing",), **over):
        body = {"text": text, "topics": list(topics), "language": "nl", "channel": "story_table",
                "consentGiven": True, "consentForm": "oral"}
        body.update(over)
        return body

    def add_story(self, session_id, token=None, **kw):
        r = self.client.post(f"{SESSIONS}/{session_id}/stories", token=token or self.admin,
                             json=self.story_body(**kw))
        assert r.status_code == 201, f"add story: {r.status_code} {r.content[:800]!r}"
        return r.json()

    def add_recommendation(self, session_id, rank, token=None, text=None, topics=("housing",)):
        r = self.client.post(f"{SESSIONS}/{session_id}/recommendations", token=token or self.admin,
                             json={"rank": rank, "text": text or f"Aanbeveling {rank}", "topics": list(topics)})
        assert r.status_code == 201, f"add recommendation: {r.status_code} {r.content[:800]!r}"
        return r.json()

    def respond(self, recommendation_id, token, status="adopted", text="We doen het.", follow_up=None,
                expect=201):
        body = {"status": status, "text": text}
        if follow_up is not None:
            body["followUpOn"] = follow_up
        r = self.client.post(f"/v1/recommendations/{recommendation_id}/responses", token=token, json=body)
        assert r.status_code == expect, f"respond: {r.status_code} {r.content[:800]!r}"
        return r
