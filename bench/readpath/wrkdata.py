"""One request list per scenario for rotate.lua: METHOD<TAB>PATH<TAB>TOKEN<TAB>BODY per line, in
the rotating order of bench_ids (so a run walks over many rows, not one hot row).
Usage: wrkdata.py DATABASE_URL TOKENS.json OUT_DIR"""
import json
import os
import sys

from db import query


def main():
    url, tokens_file, out = sys.argv[1:4]
    tokens = json.load(open(tokens_file))
    os.makedirs(out, exist_ok=True)
    ids = lambda lst, cols="value": query(url, f"SELECT {cols} FROM bench_ids WHERE list = '{lst}' ORDER BY i")
    muni = tokens["municipality"]
    lists = {
        "certificate": [("GET", f"/v1/certificates/{v}", "", "") for (v,) in ids("certificate")],
        "check": [("GET", f"/v1/certification-checks?kvkNumber={v}", muni, "") for (v,) in ids("kvk")],
        "bulk": [("POST", "/v1/certification-checks", muni, json.dumps({"kvkNumbers": json.loads(v)}))
                 for (v,) in ids("bulk")],
        "activities": [("GET", f"/v1/professionals/{v}/development-activities?limit=20", tokens["professional"][v], "")
                       for (v,) in ids("professional")],
        "outcome": [("PUT", f"/v1/audits/{v}/outcome", tokens["certifier"][o], body)
                    for v, body, o in ids("audit", "value, extra, owner")],
        "register": [("GET", f"/v1/register/{v}", "", "") for (v,) in ids("registration")],
    }
    for name, rows in lists.items():
        with open(os.path.join(out, name + ".tsv"), "w") as f:
            for row in rows:
                f.write("\t".join(row) + "\n")


main()
