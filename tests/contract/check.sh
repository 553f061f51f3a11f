#!/usr/bin/env bash
# The contract checks, in the order CI runs them. Run from anywhere after `npm ci` at the repo root;
# needs Debian's /usr/bin/python3 with python3-yaml and python3-jsonschema.
#   1. Spectral with the NL GOV API Design Rules ruleset, openapi/nlgov-adr.spectral.yaml (the one
#      package.json's lint:openapi names; its header says where it comes from): no errors allowed
#      (it also validates every media, parameter and header example against its schema). Without
#      that file the check fails.
#   2. check_openapi.py: the route table, required responses and headers, no inline object
#      schemas, and every example (schema-level ones too) against JSON Schema 2020-12.
#   3. openapi-typescript generates tests/contract/generated/api.d.ts (not committed).
#   4. tsc type-checks client.ts, the typed frontend-style client, against those types.
set -euo pipefail
cd "$(dirname "$0")/../.."
ruleset=openapi/nlgov-adr.spectral.yaml
if [ ! -s "$ruleset" ]; then
  echo "contract checks: FAILED: the API Design Rules ruleset $ruleset is missing or empty" >&2
  exit 1
fi
npm run --silent lint:openapi
/usr/bin/python3 tests/contract/check_openapi.py openapi/openapi.yaml
npm run --silent types:generate
npm run --silent types:check
echo "contract checks: OK"
