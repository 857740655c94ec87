"""Import records: another tenant's import is not found."""

from __future__ import annotations

from tests.conftest import TenantHandle
from tests.isolation_targets import Target


def _import(client, t: TenantHandle) -> dict[str, str]:
    r = client.post(
        "/api/v1/imports",
        content="external_id,given_name\nvictim-1,Victim\n",
        headers={**t.headers, "content-type": "text/csv"},
    )
    assert r.status_code == 201, r.text
    return {"import_id": r.json()["id"]}


TARGETS: dict[str, Target] = {
    "/api/v1/imports/{import_id}": Target(_import, {"GET": None}),
}
