"""The OpenAPI document keeps its promises (docs/api.md, "The OpenAPI document"): it is a
valid OpenAPI 3.1 document, every operation has a readable id, a summary, a description,
its tag, and every error it answers as one problem-details schema; public operations need
no token; components have one name each; request bodies say what the server refuses."""

from __future__ import annotations

import re

import pytest
from openapi_spec_validator import validate

METHODS = ("get", "put", "post", "patch", "delete")
PUBLIC = {
    "signup_create",
    "auth_login",
    "invitations_accept",
    "auth_password_reset",
    "auth_password_reset_confirm",
    "auth_verify_email",
    "medical_federation_token",
    "medical_federation_jwks_get",
    # Verifiers of a credential read the issuer's profile, keys and status list unsigned in.
    "education_issuer_get",
    "education_issuer_jwks_get",
    "education_issuer_status_get",
    # Stripe proves itself by the signature on the raw body, not by a bearer token.
    "billing_stripe_webhook",
    # The one-click unsubscribe link (RFC 8058): its signed token is the proof.
    "unsubscribe",
    "unsubscribe_get",
    # A survey's link (the JSON door of the answer page): the signed token is the proof.
    "survey_answers_get",
    "survey_answers",
    # The open pixel and click links of a sent message: the signed token is the proof.
    "track_open_get",
    "track_click_get",
    # A login's second step: the challenge from the password's 401 is the proof.
    "auth_login_2fa",
    "auth_login_2fa_enrolment_create",
    # The OAuth token endpoint: the API client authenticates with its own id and secret
    # (RFC 6749 §2.3, HTTP Basic or the form), never with a bearer token - it is how one
    # gets a token.
    "oauth_token",
    # Single sign-on: the start is where a person without a session begins (it only sends
    # them to the organization's provider); the callback is authenticated by the protocol -
    # the single-use state bound to the browser's cookie, the code exchanged with PKCE and
    # the provider's signed ID token.
    "auth_sso_start_get",
    "auth_sso_callback_get",
}


@pytest.fixture(scope="module")
def document(client) -> dict:
    r = client.get("/schema/openapi.json")
    assert r.status_code == 200
    return r.json()


def operations(document: dict) -> list[tuple[str, str, dict]]:
    return [
        (method.upper(), path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def test_the_document_is_valid_openapi(document):
    validate(document)
    assert document["openapi"].startswith("3.1")


def test_operation_ids_are_readable_unique_and_follow_one_rule(document):
    ids = [op["operationId"] for _, _, op in operations(document)]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", i) for i in ids), ids
    by_route = {(m, p): op["operationId"] for m, p, op in operations(document)}
    assert by_route["GET", "/api/v1/contacts"] == "contacts_list"
    assert by_route["GET", "/api/v1/contacts/{contact_id}"] == "contacts_get"
    assert by_route["POST", "/api/v1/contacts"] == "contacts_create"
    assert by_route["PATCH", "/api/v1/contacts/{contact_id}"] == "contacts_update"
    assert by_route["DELETE", "/api/v1/contacts/{contact_id}"] == "contacts_delete"
    assert by_route["POST", "/api/v1/medical/patients"] == "medical_patients_create"
    assert by_route["POST", "/api/v1/auth/login"] == "auth_login"


def test_every_operation_has_a_summary_a_description_and_its_tag(document):
    declared = {t["name"] for t in document["tags"]}
    for method, path, op in operations(document):
        assert op.get("summary") and op.get("description"), (method, path)
        assert len(op["tags"]) == 1 and op["tags"][0] in declared, (method, path)
        if path.startswith("/api/v1/medical/"):
            assert op["tags"] == ["medical"] and op["operationId"].startswith("medical_")


def test_every_error_is_a_problem_document_and_every_operation_lists_its_errors(document):
    for method, path, op in operations(document):
        responses = op["responses"]
        assert "503" in responses, (method, path)
        if op.get("security") != []:
            assert {"401", "403"} <= set(responses), (method, path)
        if "{" in path:
            assert "404" in responses, (method, path)
        if "requestBody" in op:
            assert {"400", "413", "422"} <= set(responses), (method, path)
        for status, answer in responses.items():
            if int(status) < 400 or op["operationId"] == "medical_federation_token":
                continue
            if op["operationId"] == "oauth_token" and status in ("400", "401"):
                _is_an_oauth_error_and_a_problem(document, answer)
                continue
            assert answer["content"] == {
                "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
            }, (method, path, status)
    problem = document["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail"}
    assert "errors" in problem["properties"]
    # Litestar's own {status_code, detail, extra} error schema is gone.
    assert '"status_code"' not in str(document).replace("'", '"')


def _is_an_oauth_error_and_a_problem(document: dict, answer: dict) -> None:
    """The token endpoint's refusals: RFC 6749 §5.2 requires ``application/json`` with
    ``error`` and ``error_description``; the body is also a problem document (RFC 9457 §3.2
    lets one carry extension members), under ``application/problem+json`` to a caller whose
    Accept asks for it. One schema for both, holding every member of the Problem schema."""
    content = answer["content"]
    assert set(content) == {"application/json", "application/problem+json"}
    assert content["application/json"] == content["application/problem+json"]
    schemas = document["components"]["schemas"]
    schema = schemas[content["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]]
    problem = schemas["Problem"]
    assert set(schema["required"]) == {*problem["required"], "error", "error_description"}
    for member in problem["required"]:
        assert schema["properties"][member]["type"] == problem["properties"][member]["type"]


def test_throttled_doors_list_429(document):
    by_id = {op["operationId"]: op for _, _, op in operations(document)}
    for name in ("signup_create", "auth_login", "invitations_accept", "auth_password_reset"):
        assert "429" in by_id[name]["responses"], name


def test_public_operations_need_no_token_and_others_do(document):
    assert document["security"] == [{"bearer": []}]
    public = {op["operationId"] for _, _, op in operations(document) if op.get("security") == []}
    assert public == PUBLIC


def test_component_names_are_unique_and_are_their_titles(document):
    schemas = document["components"]["schemas"]
    assert all(key == schema.get("title", key) for key, schema in schemas.items())
    assert {"MemberIn", "RelationshipMemberIn", "OrganizationIn", "SignupOrganizationIn",
            "DealStageOut", "WorkflowStageOut", "MedicalConsentIn", "ConsentIn"} <= set(schemas)


def _refs(node, found: set[str]) -> set[str]:
    if isinstance(node, dict):
        if "$ref" in node:
            found.add(node["$ref"].rsplit("/", 1)[-1])
        for value in node.values():
            _refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _refs(value, found)
    return found


def test_kernel_request_bodies_refuse_unknown_fields_and_say_so(document, client, tenant):
    schemas = document["components"]["schemas"]
    bodies: set[str] = set()
    for _, _, op in operations(document):
        # The OAuth token request is exempt: RFC 6749 §3.2 says the authorization server
        # MUST ignore request parameters it does not recognize.
        if op["operationId"] == "oauth_token":
            continue
        if "requestBody" in op and not op["operationId"].startswith(("medical_", "stamps")):
            _refs(op["requestBody"], bodies)
    seen: set[str] = set()
    while bodies:
        name = bodies.pop()
        if name not in seen:
            seen.add(name)
            bodies |= _refs(schemas[name], set()) - seen
    objects = {n for n in seen if schemas[n].get("type") == "object"}
    assert objects
    assert [n for n in sorted(objects) if schemas[n].get("additionalProperties") is not False] == []
    # …and the server does refuse them.
    r = client.post("/api/v1/contacts", json={"given_name": "Ann", "nickname": "A"},
                    headers=tenant.headers)
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"


def test_schemas_carry_the_servers_rules(document):
    schemas = document["components"]["schemas"]
    slug = schemas["SignupOrganizationIn"]["properties"]["slug"]
    assert (slug["minLength"], slug["maxLength"]) == (3, 40) and slug["pattern"]
    assert schemas["AdminIn"]["properties"]["password"]["minLength"] == 10


def test_files_and_empty_answers_have_their_own_media_types(document):
    export = document["paths"]["/api/v1/contacts/export"]["get"]["responses"]["200"]
    assert set(export["content"]) == {"text/csv", "application/x-ndjson"}
    imported = document["paths"]["/api/v1/imports"]["post"]["requestBody"]
    assert set(imported["content"]) == {"text/csv"}
    logout = document["paths"]["/api/v1/auth/logout"]["post"]
    assert "requestBody" not in logout and "content" not in logout["responses"]["204"]


def test_the_main_request_bodies_have_examples(document):
    schemas = document["components"]["schemas"]
    for name in ("SignupIn", "LoginIn", "ContactIn", "ContactPatch", "MemberIn", "DealIn"):
        assert schemas[name].get("examples"), name
