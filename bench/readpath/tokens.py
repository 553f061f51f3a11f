"""Access tokens for the bench accounts through POST /v1/auth/token (they live 15 minutes).
Usage: tokens.py BASE_URL DATABASE_URL OUT.json"""
import json
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from db import query

PASSWORD = "bench-password-1234"  # the password of the account whose hash every loaded account reuses


def token(base, username, grant):
    body = {"grant_type": grant}
    if grant == "password":
        body.update(username=username, password=PASSWORD)
    else:
        body.update(client_id=username, client_secret=PASSWORD)
    req = urllib.request.Request(base + "/v1/auth/token", json.dumps(body).encode(),
                                 {"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.load(r)["access_token"]


def main():
    base, url, out = sys.argv[1:4]
    pros = query(url, "SELECT username, professional_id FROM accounts WHERE username LIKE 'bench.pro.%' ORDER BY username")
    bodies = query(url, "SELECT username, certifying_body_id FROM accounts WHERE username LIKE 'bench.certifier.%' ORDER BY username")
    with ThreadPoolExecutor(4) as pool:
        pro_tokens = list(pool.map(lambda r: token(base, r[0], "password"), pros))
        body_tokens = list(pool.map(lambda r: token(base, r[0], "client_credentials"), bodies))
    result = {
        "municipality": token(base, "bench.gemeente", "client_credentials"),
        "professional": {r[1]: t for r, t in zip(pros, pro_tokens)},
        "certifier": {r[1]: t for r, t in zip(bodies, body_tokens)},
    }
    with open(out, "w") as f:
        json.dump(result, f)


main()
