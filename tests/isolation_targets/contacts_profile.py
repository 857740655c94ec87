"""Contact profile endpoints: facts, merge, related people, organizations and links,
relationships and their members."""

from __future__ import annotations

from tests.conftest import TenantHandle
from tests.isolation_targets import Target
from tests.isolation_targets.kernel import contact

NO_ONE = "00000000-0000-7000-8000-000000000000"


def _organization(client, t: TenantHandle) -> str:
    r = client.post("/api/v1/organizations", json={"name": "Victim Ltd"}, headers=t.headers)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def _link(client, t: TenantHandle) -> dict[str, str]:
    person = contact(client, t, "Linked")
    r = client.post(
        f"/api/v1/contacts/{person}/organizations",
        json={"organization_id": _organization(client, t), "role": "employee"},
        headers=t.headers,
    )
    assert r.status_code == 201, r.text
    return {"contact_id": person, "link_id": r.json()["id"]}


def _relationship(client, t: TenantHandle) -> dict[str, str]:
    members = [contact(client, t, "Parent"), contact(client, t, "Child")]
    r = client.post(
        "/api/v1/relationships",
        json={"kind": "family", "members": [{"contact_id": m} for m in members]},
        headers=t.headers,
    )
    assert r.status_code == 201, r.text
    return {"relationship_id": r.json()["id"], "contact_id": members[0]}


TARGETS: dict[str, Target] = {
    "/api/v1/contacts/{contact_id}/facts": Target(
        lambda c, t: {"contact_id": contact(c, t)}, {"GET": None}
    ),
    "/api/v1/contacts/{contact_id}/merge": Target(
        lambda c, t: {"contact_id": contact(c, t)}, {"POST": {"other_id": NO_ONE}}
    ),
    "/api/v1/contacts/{contact_id}/related": Target(
        lambda c, t: {"contact_id": _relationship(c, t)["contact_id"]}, {"GET": None}
    ),
    "/api/v1/contacts/{contact_id}/organizations": Target(
        lambda c, t: {"contact_id": _link(c, t)["contact_id"]},
        {"GET": None, "POST": {"organization_id": NO_ONE}},
    ),
    "/api/v1/contacts/{contact_id}/organizations/{link_id}": Target(
        _link, {"PATCH": {"title": "Hijacked"}, "DELETE": None}
    ),
    "/api/v1/organizations/{organization_id}": Target(
        lambda c, t: {"organization_id": _organization(c, t)},
        {"GET": None, "PATCH": {"name": "Hijacked"}, "DELETE": None},
    ),
    "/api/v1/organizations/{organization_id}/contacts": Target(
        lambda c, t: {"organization_id": _organization(c, t)}, {"GET": None}
    ),
    "/api/v1/relationships/{relationship_id}": Target(
        _relationship, {"GET": None, "PATCH": {"name": "Hijacked"}, "DELETE": None}
    ),
    "/api/v1/relationships/{relationship_id}/members/{contact_id}": Target(
        _relationship, {"PUT": {"role": "hijacker"}, "DELETE": None}
    ),
}
