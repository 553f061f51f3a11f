"""Bounds on input before it reaches the database, and contract points a client relies on."""

import random
import uuid

from kr_helpers import assert_problem

_r = random.Random(7)
NOISE = "".join(_r.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(3000))


def test_token_with_a_very_long_username_is_a_400(client, kr):
    r = kr.token_request({"grant_type": "password", "username": NOISE, "password": "x" * 20})
    assert_problem(r, 400, fields=["username"])
    r = kr.token_request({"grant_type": "client_credentials", "client_id": NOISE, "client_secret": "x"})
    assert_problem(r, 400, fields=["client_id"])


def test_framework_threshold_beyond_integer_is_a_400(client, kr):
    body = {"version": f"fz{uuid.uuid4().hex[:8]}", "title": "Fuzz", "openFrom": "2030-01-01",
            "maxPartiallyMet": 2147483648, "maxNotMet": 3, "certificateTermMonths": 24,
            "businessCriticalVolunteersInScope": True,
            "categories": [{"code": "vakmanschap", "name": "Vakmanschap",
                            "norms": [{"code": "V1", "text": "Een norm"}]}]}
    r = client.post("/v1/norm-frameworks", token=kr.admin_token(), json=body)
    assert_problem(r, 400, fields=["maxPartiallyMet"])


def test_reregistration_needs_no_content_type_and_refuses_a_body(client, kr):
    prof = kr.make_account("professional")
    token = kr.token_for(prof)
    path = f"/v1/professionals/{prof['link']}/reregistration"
    r = client.post(path, token=token)  # no body, no Content-Type: the rules answer, not the edge
    assert r.status_code == 409, r.content
    r = client.post(path, token=token, json={"anything": 1})
    assert_problem(r, 415)


def test_an_id_in_capitals_names_the_same_object(client, kr):
    prof = kr.make_account("professional")
    token = kr.token_for(prof)
    upper = prof["link"].upper()
    r = client.get(f"/v1/professionals/{upper}", token=token)  # self, compared with the token's link
    assert r.status_code == 200, r.content
    assert r.json()["id"] == prof["link"]
    r = client.get(f"/v1/professionals/{upper}", token=kr.admin_token())
    assert r.status_code == 200, r.content
