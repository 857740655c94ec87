"""Property-based: schemathesis generates requests for every operation of our own OpenAPI
document; none may answer 5xx, authenticated or not."""

from __future__ import annotations

import os

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.core import NotSet

EXAMPLES_PER_OPERATION = 30


def _operations(client):
    spec = client.get("/schema/openapi.json").json()
    schema = schemathesis.openapi.from_dict(spec)
    return [result.ok() for result in schema.get_all_operations()]


def _send(client, case, auth_headers):
    headers = {k: str(v) for k, v in (case.headers or {}).items()}
    headers.update(auth_headers)
    kwargs = {"params": case.query or None, "headers": headers}
    if not isinstance(case.body, NotSet):
        kwargs["json"] = case.body
    return client.request(case.method, case.formatted_path, **kwargs)


def test_no_operation_answers_5xx(client, tenant):
    operations = _operations(client)
    assert len(operations) >= 10, "the OpenAPI document lost its operations"
    failures: list[tuple] = []
    for operation in operations:
        _fuzz(client, tenant, operation, failures)
    assert failures == [], failures[:3]


def _fuzz(client, tenant, operation, failures):
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        # Reproducible in CI; RAPPORT_FUZZ_EXPLORE=1 draws new examples on every run
        # (that is how the unchecked deals.organization_id was found).
        derandomize=not os.environ.get("RAPPORT_FUZZ_EXPLORE"),
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def check(case):
        for auth in (tenant.headers, {}):
            response = _send(client, case, auth)
            if response.status_code >= 500:
                failures.append((operation.label, case.body, case.query, response.text))
            assert "Traceback" not in response.text

    check()
