#!/usr/bin/env bash
# The contract checks, in the order CI runs them. Run from anywhere after `npm ci` at the repo root;
# needs ../shared/standards/nlgov-adr-spectral.yaml beside the repository (as in CI) and Debian's
# /usr/bin/python3 with python3-yaml and python3-jsonschema.
#   1. Spectral with the NL GOV API Design Rules ruleset: no errors allowed (it also validates
#      every media, parameter and header example against its schema).
#   2. check_openapi.py: the route table, required responses and headers, no inline object
#      schemas, and every example (schema-level ones too) against JSON Schema 2020-12.
#   3. openapi-typescript generates tests/contract/generated/api.d.ts (not committed).
#   4. tsc type-checks client.ts, the typed frontend-style client, against those types.
set -euo pipefail
cd "$(dirname "$0")/../.."
npm run --silent lint:openapi
/usr/bin/python3 tests/contract/check_openapi.py openapi/openapi.yaml
npm run --silent types:generate
npm run --silent types:check
echo "contract checks: OK"
