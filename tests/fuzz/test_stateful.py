"""schemathesis's stateful phase against a real server on 127.0.0.1 (support.py for the
checks and the server's deliberate manners)."""

from __future__ import annotations

import os

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.core.failures import FailureGroup

from tests.fuzz.support import CONFIG, _tolerated

# The stateful phase: schemathesis follows the document's links (a create's 201 links to
# the GET, PATCH and DELETE of what it made, platform/web/contract/document.py), so
# sequences like create → get → patch → delete run with the id just created. One machine
# per kind, so that each kind's sequences run whatever the others' draws.
# Kind -> scenarios. Deals have the most ways to be refused (a random owner, contact or
# pipeline is a 422), so they get more tries at a create whose link can be followed.
STATEFUL_KINDS = {"contacts": 10, "organizations": 10, "deals": 40, "tasks": 10}
STATEFUL_STEPS = 5


def test_stateful_sequences_follow_links_with_real_ids(client, tenant, live_server):
    document = client.get("/schema/openapi.json").json()
    auth = tenant.headers
    failures: list[str] = []
    followed: dict[str, int] = {}
    for kind in STATEFUL_KINDS:
        schema = schemathesis.openapi.from_dict(document, config=CONFIG)
        _sequences(schema.include(path_regex=rf"^/api/v1/{kind}(/{{\w+}})?$"),
                   auth, live_server, failures, followed, STATEFUL_KINDS[kind])
    assert failures == [], "\n\n".join(failures[:10]) + f"\n\n({len(failures)} in all)"
    # Each kind's item routes answered 2xx for an id a create had just returned.
    for kind in STATEFUL_KINDS:
        assert any(f"/api/v1/{kind}/{{" in label for label in followed), (kind, followed)


def _sequences(schema, auth, base_url, failures, followed, scenarios):
    class Sequences(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case):
            return {"base_url": base_url, "headers": auth, "timeout": 30}

        def after_call(self, response, case):
            assert "Traceback" not in response.text
            if "{" in case.operation.path and response.status_code < 300:
                followed[case.operation.label] = followed.get(case.operation.label, 0) + 1

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            try:
                case.validate_response(response, headers=auth, transport_kwargs=kwargs)
            except (AssertionError, FailureGroup) as exc:
                if not _tolerated(str(exc)):
                    failures.append(f"{case.operation.label} [stateful]: {str(exc)[:1500]}")

    Sequences.run(settings=settings(
        max_examples=scenarios,
        stateful_step_count=STATEFUL_STEPS,
        deadline=None,
        database=None,
        derandomize=not os.environ.get("RAPPORT_FUZZ_EXPLORE"),
        suppress_health_check=list(HealthCheck),
    ))
