"""The grant lifecycle through HTTP: create, list from both sides, read, revoke."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from litestar.testing import TestClient

from tests.conftest import TenantHandle
from tests.core.sharing.support import member_headers

GRANTS = "/api/v1/sharing/grants"


def _in(hours: float) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).isoformat()


def grant_body(grantee: TenantHandle, **overrides: Any) -> dict[str, Any]:
    body = {
        "grantee_tenant": grantee.slug,
        "record_type": "test.patient",
        "record_id": str(uuid.uuid4()),
        "sections": ["notes"],
        "purpose": "Referral for cardiology",
        "evidence": "consent form 2024-117",
        "expires_at": _in(24),
    }
    body.update(overrides)
    return body


def test_grant_lifecycle_is_visible_to_both_organizations(
    sharing_client: TestClient, clinic: TenantHandle, partner: TenantHandle
) -> None:
    c = sharing_client
    r = c.post(
        GRANTS, json=grant_body(partner, sections=["notes", "notes"]), headers=clinic.headers
    )
    assert r.status_code == 201, r.text
    g = r.json()
    assert g["direction"] == "outgoing" and g["active"] is True
    assert g["grantor"]["slug"] == clinic.slug and g["grantee"]["slug"] == partner.slug
    assert g["sections"] == ["notes"] and g["revoked_at"] is None

    incoming = c.get(f"{GRANTS}?direction=incoming&active=true", headers=partner.headers).json()
    assert [i["id"] for i in incoming["items"]] == [g["id"]]
    assert incoming["items"][0]["direction"] == "incoming"
    outgoing = c.get(f"{GRANTS}?direction=outgoing", headers=clinic.headers).json()
    assert [i["id"] for i in outgoing["items"]] == [g["id"]]
    assert c.get(f"{GRANTS}?direction=incoming", headers=clinic.headers).json()["items"] == []
    assert c.get(f"{GRANTS}/{g['id']}", headers=partner.headers).json()["purpose"] == g["purpose"]

    r = c.post(f"{GRANTS}/{g['id']}/revoke", headers=clinic.headers)
    assert r.status_code == 200, r.text
    assert r.json()["active"] is False and r.json()["revoked_at"] is not None
    assert c.get(f"{GRANTS}?active=true", headers=partner.headers).json()["items"] == []
    ended = c.get(f"{GRANTS}?active=false", headers=partner.headers).json()["items"]
    assert [i["id"] for i in ended] == [g["id"]] and ended[0]["revoked_by"] is not None
    assert c.post(f"{GRANTS}/{g['id']}/revoke", headers=clinic.headers).status_code == 409


def test_future_grants_are_listed_but_not_active(
    sharing_client: TestClient, clinic: TenantHandle, partner: TenantHandle
) -> None:
    body = grant_body(partner, starts_at=_in(1), expires_at=_in(2))
    g = sharing_client.post(GRANTS, json=body, headers=clinic.headers).json()
    assert g["active"] is False
    active = sharing_client.get(f"{GRANTS}?active=true", headers=partner.headers).json()
    assert active["items"] == []


def test_invalid_grants_are_422_naming_the_field(
    sharing_client: TestClient, clinic: TenantHandle, partner: TenantHandle
) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"starts_at": _in(2), "expires_at": _in(1)}, "expires_at"),
        ({"expires_at": _in(-1)}, "expires_at"),
        ({"expires_at": "2030-01-01T00:00:00"}, "expires_at"),  # no offset
        ({"starts_at": _in(-2)}, "starts_at"),
        ({"sections": ["billing"]}, "sections"),
        ({"sections": []}, "sections"),
        ({"record_type": "test.unknown"}, "record_type"),
        ({"record_type": "test.invoice", "sections": ["lines"]}, "record_type"),
        ({"grantee_tenant": "no-such-org-" + uuid.uuid4().hex[:8]}, "grantee_tenant"),
        ({"grantee_tenant": clinic.slug}, "grantee_tenant"),
        ({"purpose": "   "}, "purpose"),
        ({"purpose": "a\x00b"}, "purpose"),
        ({"record_id": "not-a-uuid"}, "record_id"),
    ]
    for overrides, field in cases:
        r = sharing_client.post(
            GRANTS, json=grant_body(partner, **overrides), headers=clinic.headers
        )
        assert r.status_code == 422, (overrides, r.status_code, r.text)
        assert field in {e["field"] for e in r.json()["errors"]}, (overrides, r.json())
    assert sharing_client.get(GRANTS, headers=clinic.headers).json()["items"] == []


def test_only_permitted_roles_grant_revoke_and_see_grants(
    sharing_client: TestClient, clinic: TenantHandle, partner: TenantHandle
) -> None:
    c = sharing_client
    viewer = member_headers(c, clinic, "viewer")
    member = member_headers(c, clinic, "member")
    r = c.post(GRANTS, json=grant_body(partner), headers=viewer)
    assert r.status_code == 403 and "sharing rule test.patient" in r.json()["detail"], r.text
    # A member is in the rule's write_roles; viewers may read the grant but not revoke it.
    g = c.post(GRANTS, json=grant_body(partner), headers=member).json()
    assert c.get(f"{GRANTS}/{g['id']}", headers=viewer).status_code == 200
    assert c.post(f"{GRANTS}/{g['id']}/revoke", headers=viewer).status_code == 403
    # test.secret is writable only by a plugin role; owners and admins may still share it.
    assert (
        c.post(
            GRANTS,
            json=grant_body(partner, record_type="test.secret", sections=["all"]),
            headers=member,
        ).status_code
        == 403
    )
    secret = c.post(
        GRANTS,
        json=grant_body(partner, record_type="test.secret", sections=["all"]),
        headers=clinic.headers,
    ).json()
    member_view = {i["id"] for i in c.get(GRANTS, headers=member).json()["items"]}
    assert member_view == {g["id"]}
    assert c.get(f"{GRANTS}/{secret['id']}", headers=member).status_code == 403
    assert c.post(f"{GRANTS}/{g['id']}/revoke", headers=member).status_code == 200


def test_other_organizations_grants_are_404_and_grantees_cannot_revoke(
    sharing_client: TestClient, clinic: TenantHandle, partner: TenantHandle, stranger: TenantHandle
) -> None:
    c = sharing_client
    g = c.post(GRANTS, json=grant_body(partner), headers=clinic.headers).json()
    assert c.get(f"{GRANTS}/{g['id']}", headers=stranger.headers).status_code == 404
    assert c.post(f"{GRANTS}/{g['id']}/revoke", headers=stranger.headers).status_code == 404
    assert c.get(GRANTS, headers=stranger.headers).json()["items"] == []
    assert c.post(f"{GRANTS}/{g['id']}/revoke", headers=partner.headers).status_code == 403
    assert c.get(f"{GRANTS}/{g['id']}", headers=clinic.headers).json()["active"] is True


def test_listing_pages_newest_first(
    sharing_client: TestClient, clinic: TenantHandle, partner: TenantHandle
) -> None:
    c = sharing_client
    ids = [
        c.post(GRANTS, json=grant_body(partner), headers=clinic.headers).json()["id"]
        for _ in range(3)
    ]
    first = c.get(f"{GRANTS}?limit=2", headers=clinic.headers).json()
    second = c.get(f"{GRANTS}?limit=2&cursor={first['next_cursor']}", headers=clinic.headers).json()
    assert [i["id"] for i in first["items"] + second["items"]] == ids[::-1]
    assert second["next_cursor"] is None
