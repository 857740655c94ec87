"""The trash: another tenant's trashed record is not there to restore or purge."""

from __future__ import annotations

from tests.conftest import TenantHandle
from tests.isolation_targets import Target
from tests.isolation_targets.kernel import contact


def _trashed(client, t: TenantHandle) -> dict[str, str]:
    contact_id = contact(client, t, "Trashed target")
    r = client.delete(f"/api/v1/contacts/{contact_id}", headers=t.headers)
    assert r.status_code == 204, r.text
    return {"kind": "contacts", "record_id": contact_id}


TARGETS = {
    "/api/v1/trash/{kind}/{record_id}/restore": Target(_trashed, {"POST": None}),
    "/api/v1/trash/{kind}/{record_id}": Target(_trashed, {"DELETE": None}),
}
