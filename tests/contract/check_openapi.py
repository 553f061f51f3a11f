#!/usr/bin/python3
"""Checks on openapi/openapi.yaml that Spectral's rulesets do not make.

Run with Debian's interpreter (python3-yaml and python3-jsonschema belong to /usr/bin/python3):
    /usr/bin/python3 tests/contract/check_openapi.py [openapi/openapi.yaml] [--json OUT]

It checks that
  * the YAML loads and converts to JSON (written to OUT with --json, as the build embeds it);
  * the document has exactly the routes and operationIds of the issue's route table, with the
    root routes carrying a path-level `servers` list without /v1;
  * every response lists the API-Version and X-Request-Id headers; operations with parameters or a
    body document 400, bearer operations 401, body operations 413 and 415, every operation 500;
  * no object schema is written inline: every one is a named entry of components.schemas;
  * (these two also for the requests described under the top-level `webhooks`)
  * every example (media `example`/`examples`, parameter and header examples, schema `examples`
    and `default`) validates against its schema as JSON Schema 2020-12, formats included;
  * everything a client sends is bounded (request bodies, path, query and header parameters;
    not the `webhooks`, which describe what the service sends): every string has maxLength unless
    an enum, a const or a format of fixed length (uuid, date, date-time) bounds it, every integer
    and number has a minimum and a maximum (exclusive ones count), every array has maxItems.
    Read-only members are left out (the service refuses them in a request).
Exit status 0 when all hold, 1 otherwise (each failure is printed).
"""

import copy
import json
import sys

import jsonschema
import yaml

# The route table of the issues (foundation, the professional register, the quality label,
# certification for municipalities, residents' voice): (method, server path, operationId).
ROUTES = [
    ("post", "/v1/auth/token", "createToken"),
    ("post", "/v1/auth/revocation", "revokeToken"),
    ("get", "/v1/accounts", "listAccounts"),
    ("post", "/v1/accounts", "createAccount"),
    ("get", "/v1/accounts/me", "getCurrentAccount"),
    ("put", "/v1/accounts/me/password", "changePassword"),
    ("get", "/v1/accounts/{accountId}", "getAccount"),
    ("post", "/v1/accounts/{accountId}/deactivation", "deactivateAccount"),
    ("post", "/v1/accounts/{accountId}/reactivation", "reactivateAccount"),
    # issue 10: e-mail verification and password reset
    ("post", "/v1/email-verifications/{token}", "verifyEmailAddress"),
    ("post", "/v1/password-resets", "requestPasswordReset"),
    ("put", "/v1/password-resets/{token}", "resetPassword"),
    ("post", "/v1/professionals/{professionalId}/email-verification", "sendEmailVerification"),
    ("put", "/v1/professionals/{professionalId}/email", "changeEmailAddress"),
    # issue 10: second factor, client secret rotation, the audit trail
    ("post", "/v1/accounts/me/totp", "beginTotpEnrolment"),
    ("post", "/v1/accounts/me/totp/confirmation", "confirmTotpEnrolment"),
    ("delete", "/v1/accounts/{accountId}/totp", "removeTotp"),
    ("post", "/v1/accounts/{accountId}/secret-rotation", "rotateClientSecret"),
    ("get", "/v1/audit-trail", "listAuditTrail"),
    ("get", "/v1/openapi.json", "getOpenApiDocument"),
    ("get", "/healthz", "getLiveness"),
    ("get", "/readyz", "getReadiness"),
    ("get", "/metrics", "getMetrics"),
    ("get", "/docs", "getDocsPage"),
    ("get", "/docs/{fileName}", "getDocsAsset"),
    # issue 3: the professional register
    ("get", "/v1/register-profiles", "listRegisterProfiles"),
    ("post", "/v1/register-profiles", "createRegisterProfile"),
    ("get", "/v1/register-profiles/{profileCode}", "getRegisterProfile"),
    ("put", "/v1/register-profiles/{profileCode}", "replaceRegisterProfile"),
    ("get", "/v1/codes-of-conduct", "listCodesOfConduct"),
    ("post", "/v1/codes-of-conduct", "createCodeOfConduct"),
    ("get", "/v1/codes-of-conduct/{version}", "getCodeOfConduct"),
    ("get", "/v1/competences", "listCompetences"),
    ("post", "/v1/competences", "createCompetence"),
    ("get", "/v1/competences/{code}", "getCompetence"),
    ("put", "/v1/competences/{code}", "replaceCompetence"),
    ("get", "/v1/activity-types", "listActivityTypes"),
    ("post", "/v1/applications", "submitApplication"),
    ("post", "/v1/professionals", "createProfessional"),
    ("get", "/v1/professionals", "listProfessionals"),
    ("get", "/v1/professionals/{professionalId}", "getProfessional"),
    ("put", "/v1/professionals/{professionalId}/diploma", "putDiploma"),
    ("get", "/v1/professionals/{professionalId}/diploma", "getDiploma"),
    ("post", "/v1/professionals/{professionalId}/code-of-conduct-acceptances", "acceptCodeOfConduct"),
    ("post", "/v1/professionals/{professionalId}/approval", "approveProfessional"),
    ("post", "/v1/professionals/{professionalId}/rejection", "rejectProfessional"),
    ("post", "/v1/professionals/{professionalId}/deregistration", "deregisterProfessional"),
    ("post", "/v1/professionals/{professionalId}/erasure", "eraseProfessional"),
    ("get", "/v1/professionals/{professionalId}/history", "getProfessionalHistory"),
    ("get", "/v1/professionals/{professionalId}/export", "exportProfessional"),
    ("post", "/v1/professionals/{professionalId}/measures", "createMeasure"),
    ("get", "/v1/professionals/{professionalId}/measures", "listMeasures"),
    ("post", "/v1/professionals/{professionalId}/measures/{measureId}/ending", "endMeasure"),
    ("post", "/v1/professionals/{professionalId}/measures/{measureId}/revocation", "revokeMeasure"),
    ("get", "/v1/professionals/{professionalId}/development-plan", "getDevelopmentPlan"),
    ("put", "/v1/professionals/{professionalId}/development-plan", "putDevelopmentPlan"),
    ("post", "/v1/professionals/{professionalId}/development-activities", "createDevelopmentActivity"),
    ("get", "/v1/professionals/{professionalId}/development-activities", "listDevelopmentActivities"),
    ("get", "/v1/professionals/{professionalId}/development-activities/{activityId}",
     "getDevelopmentActivity"),
    ("put", "/v1/professionals/{professionalId}/development-activities/{activityId}",
     "replaceDevelopmentActivity"),
    ("delete", "/v1/professionals/{professionalId}/development-activities/{activityId}",
     "deleteDevelopmentActivity"),
    ("post", "/v1/professionals/{professionalId}/development-activities/{activityId}/evidence",
     "uploadEvidence"),
    ("get", "/v1/professionals/{professionalId}/development-activities/{activityId}/evidence/{evidenceId}",
     "getEvidence"),
    ("delete", "/v1/professionals/{professionalId}/development-activities/{activityId}/evidence/{evidenceId}",
     "deleteEvidence"),
    ("get", "/v1/professionals/{professionalId}/progress", "getProgress"),
    ("post", "/v1/professionals/{professionalId}/reregistration", "reregister"),
    ("get", "/v1/register", "searchRegister"),
    ("get", "/v1/register/{registrationNumber}", "getRegistration"),
    # issue 4: the quality label
    ("post", "/v1/organisations", "createOrganisation"),
    ("get", "/v1/organisations", "listOrganisations"),
    ("get", "/v1/organisations/{organisationId}", "getOrganisation"),
    ("patch", "/v1/organisations/{organisationId}", "updateOrganisation"),
    ("post", "/v1/organisations/{organisationId}/kvk-number-changes", "changeOrganisationKvkNumber"),
    ("get", "/v1/organisations/{organisationId}/history", "getOrganisationHistory"),
    ("get", "/v1/norm-frameworks", "listNormFrameworks"),
    ("post", "/v1/norm-frameworks", "createNormFramework"),
    ("get", "/v1/norm-frameworks/{version}", "getNormFramework"),
    ("put", "/v1/norm-frameworks/{version}/texts", "updateNormTexts"),
    ("get", "/v1/norm-frameworks/{version}/text-history", "listNormTextHistory"),
    ("post", "/v1/certifying-bodies", "createCertifyingBody"),
    ("get", "/v1/certifying-bodies", "listCertifyingBodies"),
    ("get", "/v1/certifying-bodies/{certifyingBodyId}", "getCertifyingBody"),
    ("post", "/v1/certifying-bodies/{certifyingBodyId}/framework-agreements", "createFrameworkAgreement"),
    ("get", "/v1/certifying-bodies/{certifyingBodyId}/framework-agreements", "listFrameworkAgreements"),
    ("post", "/v1/audits", "createAudit"),
    ("get", "/v1/audits", "listAudits"),
    ("get", "/v1/audits/{auditId}", "getAudit"),
    ("post", "/v1/audits/{auditId}/cancellation", "cancelAudit"),
    ("put", "/v1/audits/{auditId}/self-evaluation", "putSelfEvaluation"),
    ("get", "/v1/audits/{auditId}/self-evaluation", "getSelfEvaluation"),
    ("put", "/v1/audits/{auditId}/outcome", "putAuditOutcome"),
    ("get", "/v1/audits/{auditId}/outcome", "getAuditOutcome"),
    ("post", "/v1/audits/{auditId}/decision", "decideAudit"),
    ("get", "/v1/certificates", "listCertificates"),
    ("get", "/v1/certificates/{certificateNumber}", "getCertificate"),
    ("get", "/v1/certificates/{certificateNumber}/history", "getCertificateHistory"),
    ("post", "/v1/certificates/{certificateNumber}/suspension", "suspendCertificate"),
    ("post", "/v1/certificates/{certificateNumber}/reinstatement", "reinstateCertificate"),
    ("post", "/v1/certificates/{certificateNumber}/withdrawal", "withdrawCertificate"),
    # issue 5: certification for municipalities
    ("get", "/v1/certification-checks", "checkCertification"),
    ("post", "/v1/certification-checks", "checkCertificationBulk"),
    ("get", "/v1/certification-check-log", "listCertificationCheckLog"),
    ("get", "/v1/certificate-events", "listCertificateEvents"),
    ("post", "/v1/webhook-subscriptions", "createWebhookSubscription"),
    ("get", "/v1/webhook-subscriptions", "listWebhookSubscriptions"),
    ("get", "/v1/webhook-subscriptions/{subscriptionId}", "getWebhookSubscription"),
    ("delete", "/v1/webhook-subscriptions/{subscriptionId}", "deleteWebhookSubscription"),
    ("get", "/v1/webhook-subscriptions/{subscriptionId}/deliveries", "listWebhookDeliveries"),
    ("post", "/v1/webhook-subscriptions/{subscriptionId}/deliveries/{deliveryId}/replay",
     "replayWebhookDelivery"),
    ("get", "/v1/certificates/{certificateNumber}/attestation", "getCertificateAttestation"),
    ("get", "/v1/attestation-keys", "getAttestationKeys"),
    # issue 11: residents' voice
    ("get", "/v1/listening-topics", "listListeningTopics"),
    ("post", "/v1/listening-sessions", "createListeningSession"),
    ("get", "/v1/listening-sessions", "listListeningSessions"),
    ("get", "/v1/listening-sessions/{sessionId}", "getListeningSession"),
    ("put", "/v1/listening-sessions/{sessionId}", "replaceListeningSession"),
    ("post", "/v1/listening-sessions/{sessionId}/stories", "createStory"),
    ("get", "/v1/listening-sessions/{sessionId}/stories", "listStories"),
    ("post", "/v1/listening-sessions/{sessionId}/recommendations", "createRecommendation"),
    ("get", "/v1/listening-sessions/{sessionId}/recommendations", "listRecommendations"),
    ("post", "/v1/recommendations/{recommendationId}/responses", "respondToRecommendation"),
    ("get", "/v1/recommendations/{recommendationId}/responses", "listRecommendationResponses"),
    ("get", "/v1/municipalities/{municipalityCode}/residents-voice", "getResidentsVoice"),
    # issue 12: employer links
    ("post", "/v1/professionals/{professionalId}/employments", "proposeEmployment"),
    ("get", "/v1/professionals/{professionalId}/employments", "listProfessionalEmployments"),
    ("get", "/v1/employments/{employmentId}", "getEmployment"),
    ("post", "/v1/employments/{employmentId}/ending", "endEmployment"),
    ("get", "/v1/organisations/{organisationId}/employments", "listOrganisationEmployments"),
    ("post", "/v1/organisations/{organisationId}/employments/{employmentId}/confirmation", "confirmEmployment"),
    ("post", "/v1/organisations/{organisationId}/employments/{employmentId}/declination", "declineEmployment"),
    ("get", "/v1/organisations/{organisationId}/professionals", "listOrganisationProfessionals"),
    ("get", "/v1/organisations/{organisationId}/workforce", "getOrganisationWorkforce"),
    ("get", "/v1/indicators", "getIndicators"),
]
GLOBAL_SERVERS = ["https://api.kwaliteitsregister.example/v1", "http://127.0.0.1:8080/v1"]
ROOT_SERVERS = ["https://api.kwaliteitsregister.example", "http://127.0.0.1:8080"]
METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}

failures = []


def fail(where, message):
    failures.append(f"{where}: {message}")


def main(argv):
    source = "openapi/openapi.yaml"
    json_out = None
    args = list(argv)
    while args:
        arg = args.pop(0)
        if arg == "--json":
            json_out = args.pop(0)
        else:
            source = arg
    with open(source, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    text = json.dumps(doc, ensure_ascii=False, indent=2)
    if json_out:
        with open(json_out, "w", encoding="utf-8") as f:
            f.write(text + "\n")

    check_routes(doc)
    check_operations(doc)
    check_inline_objects(doc)
    check_examples(doc)
    check_request_bounds(doc)

    for line in failures:
        print("FAIL", line)
    print(f"check_openapi: {len(failures)} failure(s)")
    return 1 if failures else 0


def pointer(doc, ref):
    if not ref.startswith("#/"):
        raise ValueError(f"only local references are used: {ref}")
    node = doc
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def deref(doc, node):
    while isinstance(node, dict) and "$ref" in node:
        node = pointer(doc, node["$ref"])
    return node


def operations(doc):
    for path, item in doc.get("paths", {}).items():
        for method, op in item.items():
            if method in METHODS:
                yield path, item, method, op


def check_routes(doc):
    if doc.get("openapi") != "3.1.0":
        fail("openapi", "must be 3.1.0")
    if [s.get("url") for s in doc.get("servers", [])] != GLOBAL_SERVERS:
        fail("servers", f"must be {GLOBAL_SERVERS}")
    found = set()
    for path, item, method, op in operations(doc):
        urls = [s.get("url") for s in item.get("servers", [])]
        if urls and urls != ROOT_SERVERS:
            fail(f"paths.{path}.servers", f"must be {ROOT_SERVERS}")
        server_path = path if urls else "/v1" + path
        found.add((method, server_path, op.get("operationId")))
    expected = set(ROUTES)
    for route in sorted(expected - found):
        fail("paths", f"missing route {route}")
    for route in sorted(found - expected):
        fail("paths", f"route not in the issue's table {route}")


def check_operations(doc):
    for path, item, method, op in operations(doc):
        where = f"{method.upper()} {path}"
        responses = op.get("responses", {})
        params = op.get("parameters", []) + item.get("parameters", [])
        has_body = "requestBody" in op
        needs = {"500"}
        if params or has_body:
            needs.add("400")
        if has_body:
            needs |= {"413", "415"}
        if any("bearerAuth" in req for req in op.get("security", [])):
            needs.add("401")
        for status in sorted(needs - set(responses)):
            fail(where, f"documents no {status}")
        for status, response in responses.items():
            response = deref(doc, response)
            headers = response.get("headers", {})
            for header in ("API-Version", "X-Request-Id"):
                if header not in headers:
                    fail(f"{where} {status}", f"does not list the {header} header")
            if status[0] in "45":
                content = response.get("content", {})
                if list(content) != ["application/problem+json"]:
                    fail(f"{where} {status}", "errors must be application/problem+json only")
                schema = content.get("application/problem+json", {}).get("schema", {})
                if schema.get("$ref") not in ("#/components/schemas/Problem",
                                              "#/components/schemas/OAuthProblem"):
                    fail(f"{where} {status}", "error schema must be Problem or OAuthProblem")


def is_object_schema(node):
    kind = node.get("type")
    return "properties" in node or kind == "object" or (isinstance(kind, list) and "object" in kind)


def schema_children(node):
    """(key path, subschema) for each subschema of a schema node."""
    for key in ("properties", "patternProperties", "$defs"):
        for name, sub in node.get(key, {}).items():
            yield f"{key}.{name}", sub
    for key in ("items", "additionalProperties", "not", "if", "then", "else", "contains",
                "propertyNames", "unevaluatedProperties", "unevaluatedItems"):
        if isinstance(node.get(key), dict):
            yield key, node[key]
    for key in ("oneOf", "anyOf", "allOf", "prefixItems"):
        for i, sub in enumerate(node.get(key, [])):
            yield f"{key}[{i}]", sub


def walk_schema(node, where, visit):
    if not isinstance(node, dict):
        return
    visit(node, where)
    for key, sub in schema_children(node):
        walk_schema(sub, f"{where}.{key}", visit)


def schema_sites(doc):
    """Every schema written in the document, with where it is and what illustrates it."""
    components = doc.get("components", {})
    for name, schema in components.get("schemas", {}).items():
        yield f"components.schemas.{name}", schema, True, []
    holders = []  # (where, holder object with schema/example/examples)
    for name, param in components.get("parameters", {}).items():
        holders.append((f"components.parameters.{name}", param))
    for name, header in components.get("headers", {}).items():
        holders.append((f"components.headers.{name}", header))
    for name, response in components.get("responses", {}).items():
        for mt, media in response.get("content", {}).items():
            holders.append((f"components.responses.{name}.content.{mt}", media))
        for hn, header in response.get("headers", {}).items():
            if "$ref" not in header:
                holders.append((f"components.responses.{name}.headers.{hn}", header))
    webhook_ops = [(f"webhooks.{name}.{method}", op)
                   for name, item in doc.get("webhooks", {}).items()
                   for method, op in item.items() if method in METHODS]
    for base, op in [(f"paths.{path}.{method}", op)
                     for path, _, method, op in operations(doc)] + webhook_ops:
        for i, param in enumerate(op.get("parameters", [])):
            if "$ref" not in param:
                holders.append((f"{base}.parameters[{i}]", param))
        body = op.get("requestBody", {})
        for mt, media in body.get("content", {}).items():
            holders.append((f"{base}.requestBody.content.{mt}", media))
        for status, response in op.get("responses", {}).items():
            if "$ref" in response:
                continue
            for mt, media in response.get("content", {}).items():
                holders.append((f"{base}.responses.{status}.content.{mt}", media))
            for hn, header in response.get("headers", {}).items():
                if "$ref" not in header:
                    holders.append((f"{base}.responses.{status}.headers.{hn}", header))
    for where, holder in holders:
        examples = []
        if "example" in holder:
            examples.append(("example", holder["example"]))
        for key, example in holder.get("examples", {}).items():
            example = deref(doc, example)
            if "value" in example:
                examples.append((f"examples.{key}", example["value"]))
        if "schema" in holder:
            yield f"{where}.schema", holder["schema"], False, examples


def check_inline_objects(doc):
    for where, schema, named, _ in schema_sites(doc):
        def visit(node, at, top=schema, named=named):
            if is_object_schema(node) and not (named and node is top):
                fail(at, "object schema written inline; make it a named component")
        walk_schema(schema, where, visit)


def validator_for(doc, schema):
    wrapper = copy.deepcopy(schema)
    wrapper["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    wrapper["components"] = doc.get("components", {})
    return jsonschema.Draft202012Validator(wrapper, format_checker=jsonschema.FormatChecker())


def validate(doc, schema, value, where):
    for error in validator_for(doc, schema).iter_errors(value):
        location = "/".join(str(p) for p in error.absolute_path)
        fail(where, f"example does not validate at '{location}': {error.message}")


def check_examples(doc):
    count = 0
    for where, schema, _, examples in schema_sites(doc):
        for label, value in examples:
            validate(doc, schema, value, f"{where[:-len('.schema')]}.{label}")
            count += 1

        def visit(node, at):
            nonlocal count
            for value in node.get("examples", []) if isinstance(node.get("examples"), list) else []:
                validate(doc, node, value, f"{at}.examples")
                count += 1
            if "default" in node:
                validate(doc, node, node["default"], f"{at}.default")
                count += 1
        walk_schema(schema, where, visit)
    if count == 0:
        fail("document", "has no examples")
    print(f"check_openapi: validated {count} example(s)")


# Formats whose values have a fixed or small bounded length, so that they need no maxLength.
BOUNDED_FORMATS = {"uuid", "date", "date-time"}


def request_schemas(doc):
    """(where, schema) for each schema of what a client sends: parameters and request bodies."""
    for path, item, method, op in operations(doc):
        base = f"{method.upper()} {path}"
        for param in item.get("parameters", []) + op.get("parameters", []):
            where = param["$ref"][2:].replace("/", ".") if "$ref" in param else \
                f"{base} {param.get('in')} parameter {param.get('name')}"
            yield f"{where}.schema", deref(doc, param).get("schema", {})
        body = deref(doc, op.get("requestBody", {}))
        for mt, media in body.get("content", {}).items():
            yield f"{base} body {mt}", media.get("schema", {})


def bound_problems(node):
    """What a schema node (its own keywords) leaves unbounded."""
    kinds = node.get("type", [])
    kinds = set(kinds if isinstance(kinds, list) else [kinds])
    problems = []
    if "string" in kinds and "maxLength" not in node and "enum" not in node and "const" not in node \
            and node.get("format") not in BOUNDED_FORMATS:
        problems.append("a string without maxLength (nor an enum or a format of fixed length)")
    if kinds & {"integer", "number"}:
        if "minimum" not in node and "exclusiveMinimum" not in node:
            problems.append("a number without minimum")
        if "maximum" not in node and "exclusiveMaximum" not in node:
            problems.append("a number without maximum")
    if "array" in kinds and "maxItems" not in node:
        problems.append("an array without maxItems")
    if not kinds and not {"enum", "const", "$ref", "allOf", "oneOf", "anyOf"} & set(node):
        problems.append("a schema without a type (it takes any value)")
    return problems


def check_request_bounds(doc):
    reported = set()

    def walk(node, where, refs):
        if not isinstance(node, dict) or node.get("readOnly"):
            return
        ref = node.get("$ref")
        if ref:
            if ref in refs:
                return
            target = pointer(doc, ref)
            walk(target, ref[2:].replace("/", "."), refs | {ref})
            if set(node) == {"$ref"} or target.get("readOnly"):
                return
            node = {k: v for k, v in node.items() if k != "$ref"}
        if where not in reported:
            for problem in bound_problems(node):
                fail(where, f"is {problem}")
            reported.add(where)
        for key, sub in schema_children(node):
            walk(sub, f"{where}.{key}", refs)

    for where, schema in request_schemas(doc):
        walk(schema, where, frozenset())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
