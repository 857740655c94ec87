"""Tenant admins define ``custom.*`` fields over HTTP; plugins' fields sit beside them."""

from __future__ import annotations

import pytest

from rapport.core.fields.definitions import FieldDefinition, FieldType, check_plugin_fields
from tests.core.fields.conftest import (
    add_member,
    create_contact,
    create_field,
    enable_plugin_fields,
)

BLOOD_TYPE = FieldDefinition(
    owner="medical",
    key="blood_type",
    entity="contact",
    type=FieldType.ENUM,
    label="Blood type",
    options=("A+", "A-", "B+", "B-", "AB+", "AB-", "O+", "O-"),
)


def test_admin_field_gets_the_custom_namespace_and_is_listed(client, tenant):
    out = create_field(client, tenant, key="shoe_size", type="integer", label="Shoe size")
    assert out["full_key"] == "custom.shoe_size" and out["owner"] == "custom"
    assert out["required"] is False and out["indexed"] is False and out["read_only"] is False
    enable_plugin_fields(tenant, BLOOD_TYPE)
    listed = client.get("/api/v1/fields?entity=contact", headers=tenant.headers).json()["items"]
    assert {f["full_key"] for f in listed} == {"custom.shoe_size", "medical.blood_type"}
    one = client.get("/api/v1/fields/shoe_size", headers=tenant.headers)
    assert one.status_code == 200 and one.json()["type"] == "integer"
    assert client.get("/api/v1/fields/custom.shoe_size", headers=tenant.headers).status_code == 200


def test_same_key_from_tenant_and_plugin_never_collides(client, tenant):
    enable_plugin_fields(tenant, BLOOD_TYPE)
    create_field(client, tenant, key="blood_type", type="text")
    c = create_contact(
        client, tenant, fields={"custom.blood_type": "rare, ask", "medical.blood_type": "O-"}
    )
    assert c["fields"] == {"custom.blood_type": "rare, ask", "medical.blood_type": "O-"}


def test_plugins_cannot_take_the_tenant_namespace_or_declare_a_key_twice():
    with pytest.raises(ValueError, match="reserved"):
        check_plugin_fields(
            [FieldDefinition("custom", "x", "contact", FieldType.TEXT, "X")]
        )
    with pytest.raises(ValueError, match="twice"):
        check_plugin_fields([BLOOD_TYPE, BLOOD_TYPE])
    with pytest.raises(ValueError, match="options"):
        FieldDefinition("medical", "tier", "contact", FieldType.ENUM, "Tier")
    with pytest.raises(ValueError, match="key must match"):
        FieldDefinition("medical", "Bad-Key", "contact", FieldType.TEXT, "Bad")


@pytest.mark.parametrize(
    ("body", "field", "rule"),
    [
        ({"key": "Shoe Size", "type": "integer"}, "key", "lower-case"),
        ({"key": "custom.shoe", "type": "integer"}, "key", "no owner prefix"),
        ({"key": "x" * 41, "type": "integer"}, "key", "1 to 40"),
        ({"key": "ok", "type": "colour"}, "type", "must be one of"),
        ({"key": "ok", "type": "integer", "entity": "spaceship"}, "entity", "must be one of"),
        ({"key": "ok", "type": "enum"}, "options", "at least one option"),
        ({"key": "ok", "type": "enum", "options": ["a", "a"]}, "options", "distinct"),
        ({"key": "ok", "type": "enum", "options": ["a,b"]}, "options", "commas"),
        ({"key": "ok", "type": "integer", "options": ["a"]}, "options", "take no options"),
        ({"key": "ok", "type": "reference", "options": ["planet"]}, "options", "unknown"),
        ({"key": "ok", "type": "integer", "label": "  "}, "label", "1 to 200"),
        ({"key": "ok", "type": "long_text", "indexed": True}, "indexed", "cannot be indexed"),
    ],
)
def test_bad_definitions_are_422_naming_the_field_and_rule(client, tenant, body, field, rule):
    body = {"entity": "contact", "label": "Label", **body}
    r = client.post("/api/v1/fields", json=body, headers=tenant.headers)
    assert r.status_code == 422, r.text
    errors = {e["field"]: e["message"] for e in r.json()["errors"]}
    assert field in errors and rule in errors[field], errors


def test_duplicate_key_is_409(client, tenant):
    create_field(client, tenant, key="tier", type="text")
    r = client.post(
        "/api/v1/fields",
        json={"key": "tier", "entity": "contact", "type": "integer", "label": "T"},
        headers=tenant.headers,
    )
    assert r.status_code == 409


def test_members_read_definitions_but_only_owners_and_admins_change_them(client, tenant):
    create_field(client, tenant, key="tier", type="text")
    member = add_member(client, tenant, "member")
    assert client.get("/api/v1/fields", headers=member).status_code == 200
    body = {"key": "nope", "entity": "contact", "type": "text", "label": "N"}
    assert client.post("/api/v1/fields", json=body, headers=member).status_code == 403
    assert (
        client.patch("/api/v1/fields/tier", json={"label": "X"}, headers=member).status_code == 403
    )
    assert client.delete("/api/v1/fields/tier", headers=member).status_code == 403
    admin = add_member(client, tenant, "admin")
    r = client.patch("/api/v1/fields/tier", json={"label": "Customer tier"}, headers=admin)
    assert r.status_code == 200 and r.json()["label"] == "Customer tier"


def test_patch_changes_label_options_required_but_not_type(client, tenant):
    create_field(client, tenant, key="tier", type="enum", options=["gold"])
    r = client.patch(
        "/api/v1/fields/custom.tier",
        json={"options": ["gold", "silver"], "required": True},
        headers=tenant.headers,
    )
    assert r.status_code == 200
    assert r.json()["options"] == ["gold", "silver"] and r.json()["required"] is True
    r = client.patch("/api/v1/fields/tier", json={"options": []}, headers=tenant.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "options"
    r = client.patch("/api/v1/fields/tier", json={"type": "text"}, headers=tenant.headers)
    assert r.status_code == 422
    assert client.patch("/api/v1/fields/nothing", json={}, headers=tenant.headers).status_code == 404


def test_plugin_fields_are_changed_by_their_plugin_not_the_api(client, tenant):
    enable_plugin_fields(tenant, BLOOD_TYPE)
    h = tenant.headers
    r = client.patch("/api/v1/fields/medical.blood_type", json={"label": "X"}, headers=h)
    assert r.status_code == 403
    assert client.delete("/api/v1/fields/medical.blood_type", headers=h).status_code == 403


def test_deleting_a_field_removes_its_values_so_the_key_can_start_afresh(client, tenant):
    create_field(client, tenant, key="size", type="text")
    c = create_contact(client, tenant, fields={"custom.size": "large"})
    assert client.delete("/api/v1/fields/size", headers=tenant.headers).status_code == 204
    create_field(client, tenant, key="size", type="integer")
    got = client.get(f"/api/v1/contacts/{c['id']}", headers=tenant.headers).json()
    assert got["fields"] == {}
    r = client.patch(
        f"/api/v1/contacts/{c['id']}", json={"fields": {"custom.size": 9}}, headers=tenant.headers
    )
    assert r.json()["fields"] == {"custom.size": 9}


def test_another_tenant_cannot_see_change_or_delete_our_fields(client, tenant, other_tenant):
    create_field(client, tenant, key="secret_score", type="integer")
    theirs = other_tenant.headers
    listed = client.get("/api/v1/fields", headers=theirs).json()["items"]
    assert all(f["key"] != "secret_score" for f in listed)
    assert client.get("/api/v1/fields/secret_score", headers=theirs).status_code == 404
    r = client.patch("/api/v1/fields/secret_score", json={"label": "x"}, headers=theirs)
    assert r.status_code == 404
    assert client.delete("/api/v1/fields/secret_score", headers=theirs).status_code == 404
    # Nor can they write our field's values: for them the key does not exist.
    r = client.post(
        "/api/v1/contacts",
        json={"given_name": "X", "fields": {"custom.secret_score": 1}},
        headers=theirs,
    )
    assert r.status_code == 422
    # The same key with another type is theirs to define.
    assert create_field(client, other_tenant, key="secret_score", type="text")["type"] == "text"
    ours = client.get("/api/v1/fields/secret_score", headers=tenant.headers).json()
    assert ours["type"] == "integer"
