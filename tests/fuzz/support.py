"""Property-based: schemathesis generates requests for every operation of our own OpenAPI
document — valid ones and invalid ones — sends them to a real server on 127.0.0.1 and runs
all its default checks on each answer: no 5xx, every status and media type documented,
every body as its schema says, invalid data refused and valid data accepted. Path
parameters are real ids of the tenant's records, so item routes do more than 404.

The operations are fuzzed in groups by path (``GROUPS``), one test file of tests/fuzz/ per
group, so that both pytest-xdist workers share them: a file stays on one worker, and the
single test of all operations held one worker for ~8 minutes while the other idled. Every
operation belongs to exactly one group: ``admin`` takes whatever the others leave, so a
new route is fuzzed without touching this list."""

from __future__ import annotations

import os
import re
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import FailureGroup

from rapport.core.webhooks.targets import ALLOW_PRIVATE
from tests.conftest import add_member

# Small: ~285 operations, two modes, in nine files that the two workers share.
EXAMPLES_PER_OPERATION = 6
# A plugin's signed-in routes for a tenant without its module: the router's module guard
# (rapport.web.plugins.module_enabled) answers 404 before any parameter or body is read, so
# every drawn input meets the same code and the same documented answer; two examples per
# mode check that, at a third of the cost (these were half of the whole fuzz's time). A
# plugin's public routes (``security: []``: issuer keys, federation tokens) read their input
# for anyone and keep six. The module's own fuzz test (tests/plugins/dealership/
# test_fuzz.py) turns it on and draws six.
MODULE_OFF_EXAMPLES = 2
MODULE_OFF_GROUPS = frozenset({"dealership", "education", "medical", "retail", "stamps"})
DELETES_LAST = {"DELETE": 1}


def _seed(client, tenant) -> dict[str, str]:
    """One record of each kind the path parameters name, created through the API."""
    h = tenant.headers

    def made(path: str, body: dict, key: str = "id") -> str:
        r = client.post(path, json=body, headers=h)
        assert r.status_code in (200, 201), (path, r.text)
        return str(r.json()[key])

    contact = made("/api/v1/contacts", {"given_name": "Fuzz", "family_name": "Target"})
    other = made("/api/v1/contacts", {"given_name": "Other", "family_name": "Person"})
    organization = made("/api/v1/organizations", {"name": "Fuzz Ltd"})
    member = add_member(client, tenant, f"member@{tenant.slug}.example.com")
    return {
        "contact_id": contact,
        "organization_id": organization,
        "link_id": made(f"/api/v1/contacts/{contact}/organizations",
                        {"organization_id": organization}),
        "deal_id": made("/api/v1/deals", {"title": "Fuzz deal", "contact_id": contact}),
        "task_id": made("/api/v1/tasks", {"title": "Fuzz task"}),
        "interaction_id": made("/api/v1/interactions",
                               {"contact_id": contact, "kind": "call", "subject": "Hello"}),
        "relationship_id": made("/api/v1/relationships", {
            "kind": "family", "name": "Fuzz family",
            "members": [{"contact_id": contact}, {"contact_id": other}],
        }),
        "member_id": str(member["id"]),
        "pipeline_id": made("/api/v1/pipelines", {"label": "Fuzz pipeline"}),
        # Static: every segment route answers for it (a dynamic one's snapshot is a 409).
        "segment_id": made("/api/v1/segments", {
            "name": "Fuzz segment", "kind": "static",
            "definition": {"any": [{"purchases": {}}, {"filter": "given_name:eq:Fuzz"}]},
        }),
        "key": "custom.fuzz_size",
        **_communication(made),
        "endpoint_id": _webhook(made),
        "team_id": made("/api/v1/teams", {"name": "Fuzz team",
                                          "member_ids": [str(member["id"])]}),
        **_survey(client, h, made, contact),
        "client_id": made("/api/v1/api-clients", {"name": "Fuzz client",
                                                  "scopes": ["contacts:read"]}),
    }


def _communication(made) -> dict[str, str]:
    template = made("/api/v1/templates", {"name": "Fuzz letter", "channel": "sms",
                                          "language": "en", "body": "{{ salutation }}"})
    return {
        "template_id": template,
        # A draft: its routes answer (scheduling it finds nobody reachable: a 422).
        "campaign_id": made("/api/v1/campaigns", {
            "name": "Fuzz campaign", "template_id": template,
            "definition": {"filter": "given_name:eq:Fuzz"}}),
        "subscription_id": made("/api/v1/subscriptions", {"event_type": "contact.created"}),
    }


def _webhook(made) -> str:
    """A loopback endpoint (allowed for this one request; never called here)."""
    before = os.environ.get(ALLOW_PRIVATE)
    os.environ[ALLOW_PRIVATE] = "1"
    try:
        return made("/api/v1/webhooks", {"url": "http://127.0.0.1:9/fuzz",
                                         "events": ["contact.created"]})
    finally:
        if before is None:
            del os.environ[ALLOW_PRIVATE]
        else:
            os.environ[ALLOW_PRIVATE] = before


def _survey(client, h, made, contact: str) -> dict[str, str]:
    """A survey and a link to it (sent by e-mail to the suite's mailbox)."""
    survey = made("/api/v1/surveys", {"name": "Fuzz survey"})
    client.patch(f"/api/v1/contacts/{contact}", headers=h, json={"email": "fuzz@example.com"})
    r = client.post(f"/api/v1/surveys/{survey}/invitations", headers=h,
                    json={"contact_id": contact})
    assert r.status_code == 201, r.text
    return {"survey_id": survey, "token": r.json()["url"].rsplit("/", 1)[1]}


# Every default check runs. Two of the server's manners are deliberate and written here:
# - Valid-looking data may still be refused with 400 or 422: the server enforces rules a
#   schema cannot state (a cursor it issued, the tenant's own custom fields in ``filter`` and
#   ``sort``, references to other records, reserved slugs, e-mail syntax, workflow rules).
# - Unknown query parameters are ignored, as HTTP caches and proxies expect (unknown body
#   fields are refused: every request body says ``additionalProperties: false``), and a
#   number in a date-time query parameter is read as a Unix time (Litestar's parsing). An
#   "object" in a query string is only text on the wire (often empty), which is valid text.
CONFIG = SchemathesisConfig.from_dict({
    "checks": {"positive_data_acceptance": {
        "expected-statuses": ["2xx", "400", "401", "403", "404", "409", "422", "429"],
    }},
})
TOLERATED = (
    "query: violates `additionalProperties`",
    "header: violates `required` (was Authorization)",
)
_QUERY_TEXT = re.compile(
    r"(parameter `\w+` in query - |query: )violates `type` .*became (number|object)"
)


def _tolerated(message: str) -> bool:
    """True for a refusal to reject that is one of the deliberate manners above."""
    if "ST201" not in message or message.count("- ST") != 1:
        return False
    reasons = message.split("Invalid component:", 1)[-1].split("\n\n", 1)[0]
    lines = [line.strip(" -") for line in reasons.strip().splitlines() if line.strip()]
    return all(line in TOLERATED or _QUERY_TEXT.search(line) for line in lines)


def _operations(document: dict):
    schema = schemathesis.openapi.from_dict(document, config=CONFIG)
    found = [result.ok() for result in schema.get_all_operations()]
    return sorted(found, key=lambda op: (DELETES_LAST.get(op.method.upper(), 0), op.label))


# Group name -> the paths it fuzzes (a regular expression, searched in the path).
GROUPS: dict[str, str] = {
    "contacts": r"^/api/v1/(contacts|organizations|relationships)(/|$)",
    "deals": r"^/api/v1/(deals|pipelines|tasks|interactions|transactions|workflows)(/|$)",
    "data": r"^/api/v1/(segments|fields|imports|reports|trash|notifications|sharing)(/|$)",
    "communication":
        r"^/api/v1/(templates|campaigns|subscriptions|signature|unsubscribe|track)(/|$)",
    "webhooks": r"^/api/v1/webhooks(/|$)",
    "surveys": r"^/api/v1/(surveys|survey-answers)(/|$)",
    "dealership": r"^/api/v1/dealership(/|$)",
    "education": r"^/api/v1/education(/|$)",
    "medical": r"^/api/v1/medical(/|$)",
    "retail": r"^/api/v1/retail(/|$)",
    "stamps": r"^/api/v1/stamps",
    "sso": r"^/api/v1/auth/sso(/|$)",
    "api_clients": r"^/api/v1/(api-clients|oauth|me/sign-ins)(/|$)",
}
REST = "admin"  # auth, sign-up, members, billing, modules, audit, …: all the others


def group_of(path: str) -> str:
    found = [name for name, pattern in GROUPS.items() if re.search(pattern, path)]
    assert len(found) <= 1, (path, found)
    return found[0] if found else REST


def fuzz_group(client, tenant, live_server, group: str) -> None:
    """Every operation of ``group``, in both generation modes, as the tenant's owner."""
    document = client.get("/schema/openapi.json").json()
    client.post("/api/v1/fields", headers=tenant.headers,
                json={"key": "fuzz_size", "label": "Size", "type": "number"})
    seeds = _seed(client, tenant)
    every = _operations(document)
    assert len(every) >= 100, "the OpenAPI document lost its operations"
    operations = [op for op in every if group_of(op.path) == group]
    assert operations, f"no operation in the fuzz group {group!r}"
    failures: list[str] = []
    for operation in operations:
        examples = EXAMPLES_PER_OPERATION
        if group in MODULE_OFF_GROUPS and _signed_in(document, operation):
            examples = MODULE_OFF_EXAMPLES
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz(operation, mode, seeds, tenant.headers, live_server, failures, examples)
    if report := os.environ.get("RAPPORT_FUZZ_REPORT"):  # every finding, for a long list
        Path(f"{report}.{group}").write_text("\n\n".join(failures))
    assert failures == [], "\n\n".join(failures[:10]) + f"\n\n({len(failures)} in all)"


def _signed_in(document: dict, operation) -> bool:
    """Whether the document asks a bearer token for ``operation`` (not ``security: []``)."""
    described = document["paths"][operation.path][operation.method.lower()]
    return bool(described.get("security", document.get("security")))


def _fuzz(operation, mode, seeds, auth, base_url, failures, examples=EXAMPLES_PER_OPERATION):
    names = {p.name for p in operation.path_parameters}
    known = {name: seeds[name] for name in names if name in seeds}

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        # Reproducible in CI; RAPPORT_FUZZ_EXPLORE=1 draws new examples on every run
        # (that is how the unchecked deals.organization_id was found).
        derandomize=not os.environ.get("RAPPORT_FUZZ_EXPLORE"),
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=known or None))
    def check(case):
        response = case.call(base_url=base_url, headers=auth, timeout=30)
        assert "Traceback" not in response.text
        try:
            case.validate_response(response, headers=auth)
        except (AssertionError, FailureGroup) as exc:  # every failed check, at once
            if not _tolerated(str(exc)):
                failures.append(f"{operation.label} [{mode.value}]: {str(exc)[:1500]}")

    try:
        check()
    except Unsatisfiable:
        pass  # nothing to make invalid: no parameters and no body
    except (Exception, FailureGroup) as exc:  # an error while generating is a finding too
        failures.append(f"{operation.label} [{mode.value}]: {type(exc).__name__}: {exc}"[:1500])
