"""Every write of a field value is validated and stored in one normal form; 422s name the
field (``fields.<full key>``) and the rule it broke."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from rapport.core.contacts.models import Contact
from rapport.core.fields.definitions import FieldDefinition, FieldType, formula, rollup
from tests.conftest import sign_up
from tests.core.fields.conftest import create_contact, create_field, enable_plugin_fields

TYPES = {
    "nick": {"type": "text"},
    "notes": {"type": "long_text"},
    "shoe_size": {"type": "integer"},
    "ratio": {"type": "decimal"},
    "price": {"type": "money"},
    "vip": {"type": "boolean"},
    "birthday": {"type": "date"},
    "met_at": {"type": "datetime"},
    "tier": {"type": "enum", "options": ["gold", "silver", "bronze"]},
    "tags": {"type": "multi_enum", "options": ["vip", "press", "partner"]},
    "work_email": {"type": "email"},
    "mobile": {"type": "phone"},
    "site": {"type": "url"},
    "manager": {"type": "reference"},
}

GOOD = [
    ("nick", "  Annie  ", "Annie"),
    ("notes", "x" * 5000, "x" * 5000),
    ("shoe_size", 44, 44),
    ("ratio", "12.50", "12.50"),
    ("ratio", 0.25, "0.25"),
    ("price", {"amount": "12.5", "currency": "eur"}, {"amount": "12.50", "currency": "EUR"}),
    ("price", {"amount": 1500, "currency": "JPY"}, {"amount": "1500", "currency": "JPY"}),
    ("price", {"amount": "1.250", "currency": "BHD"}, {"amount": "1.250", "currency": "BHD"}),
    ("vip", True, True),
    ("birthday", "2024-02-29", "2024-02-29"),
    ("met_at", "2024-05-01T09:30:00+02:00", "2024-05-01T07:30:00Z"),
    ("tier", "gold", "gold"),
    ("tags", ["partner", "vip", "vip"], ["vip", "partner"]),
    ("work_email", "Ann@Example.COM", "Ann@example.com"),
    ("mobile", "+1 650-253-0000", "+16502530000"),
    ("mobile", "+44 20 7946 0958", "+442079460958"),
    ("site", "https://example.com/a?b=c", "https://example.com/a?b=c"),
]

BAD = [
    ("nick", 5, "must be a string"),
    ("nick", "x" * 1001, "at most 1000 characters"),
    ("nick", "nul\x00byte", "NUL"),
    ("notes", "x" * 20_001, "at most 20000 characters"),
    ("shoe_size", "44", "must be an integer"),
    ("shoe_size", 4.5, "must be an integer"),
    ("shoe_size", True, "must be an integer"),
    ("shoe_size", 2**63, "64 bits"),
    ("ratio", "twelve", "number"),
    ("ratio", "NaN", "finite"),
    ("ratio", "1e30", "digits"),
    ("price", {"amount": "12.50"}, '"currency"'),
    ("price", {"amount": "12.50", "currency": "XYZ"}, "ISO 4217"),
    ("price", {"amount": "12.505", "currency": "EUR"}, "more than 2 decimal places"),
    ("price", {"amount": "1.5", "currency": "JPY"}, "more than 0 decimal places"),
    ("vip", "true", "true or false"),
    ("birthday", "2023-02-29", "real calendar date"),
    ("birthday", "29/02/2024", "YYYY-MM-DD"),
    ("birthday", "20240229", "YYYY-MM-DD"),
    ("met_at", "2024-05-01T09:30:00", "UTC offset"),
    ("tier", "platinum", "must be one of: gold, silver, bronze"),
    ("tags", "vip", "list of strings"),
    ("tags", ["vip", "royalty"], "royalty not among the options"),
    ("work_email", "not an email", "email address"),
    ("mobile", "12345", "international form"),
    ("mobile", "020 7946 0958", "international form"),
    ("mobile", "+1 000", "international form"),
    ("site", "ftp://example.com", "http or https"),
    ("site", "example.com", "http or https"),
    ("manager", "0190a0a0-0000-7000-8000-000000000000", '"type": "contact"'),
    ("manager", {"type": "contact", "id": "nope"}, "UUID"),
    ("manager", {"type": "deal", "id": "0190a0a0-0000-7000-8000-000000000000"}, "type must be"),
    ("manager", {"type": "contact", "id": "0190a0a0-0000-7000-8000-000000000000"}, "no contact"),
]


@pytest.fixture(scope="module")
def typed_tenant(client):
    tenant = sign_up(client)
    for key, spec in TYPES.items():
        create_field(client, tenant, key=key, **spec)
    return tenant


@pytest.mark.parametrize(("key", "sent", "stored"), GOOD)
def test_good_values_are_stored_in_normal_form(client, typed_tenant, key, sent, stored):
    c = create_contact(client, typed_tenant, fields={f"custom.{key}": sent})
    assert c["fields"] == {f"custom.{key}": stored}
    again = client.get(f"/api/v1/contacts/{c['id']}", headers=typed_tenant.headers).json()
    assert again["fields"] == {f"custom.{key}": stored}


@pytest.mark.parametrize(("key", "sent", "rule"), BAD)
def test_bad_values_are_422_naming_field_and_rule(client, typed_tenant, key, sent, rule):
    h = typed_tenant.headers
    r = client.post(
        "/api/v1/contacts", json={"given_name": "B", "fields": {f"custom.{key}": sent}}, headers=h
    )
    assert r.status_code == 422, r.text
    [error] = r.json()["errors"]
    assert error["field"] == f"fields.custom.{key}"
    assert rule in error["message"], error
    # The same rule holds on update, and nothing is half-written.
    c = create_contact(client, typed_tenant, fields={})
    r = client.patch(
        f"/api/v1/contacts/{c['id']}", json={"fields": {f"custom.{key}": sent}}, headers=h
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == f"fields.custom.{key}"
    assert client.get(f"/api/v1/contacts/{c['id']}", headers=h).json()["fields"] == {}


def test_reference_points_at_a_record_of_the_same_tenant_only(client, typed_tenant, other_tenant):
    boss = create_contact(client, typed_tenant, given_name="Boss")
    ref = {"type": "contact", "id": boss["id"]}
    c = create_contact(client, typed_tenant, fields={"custom.manager": ref})
    assert c["fields"] == {"custom.manager": ref}
    stranger = create_contact(client, other_tenant, given_name="Stranger")
    r = client.post(
        "/api/v1/contacts",
        json={"given_name": "X", "fields": {"custom.manager": {**ref, "id": stranger["id"]}}},
        headers=typed_tenant.headers,
    )
    assert r.status_code == 422 and "no contact with id" in r.json()["errors"][0]["message"]


def test_all_errors_are_reported_at_once_and_unknown_keys_are_refused(client, typed_tenant):
    r = client.post(
        "/api/v1/contacts",
        json={
            "given_name": "M",
            "fields": {"custom.shoe_size": "big", "custom.vip": 1, "custom.nope": 1, "shoe": 2},
        },
        headers=typed_tenant.headers,
    )
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} == {
        "fields.custom.shoe_size",
        "fields.custom.vip",
        "fields.custom.nope",
        "fields.shoe",
    }


def test_null_clears_a_value_and_other_values_stay(client, typed_tenant):
    c = create_contact(
        client, typed_tenant, fields={"custom.nick": "Al", "custom.shoe_size": 40}
    )
    r = client.patch(
        f"/api/v1/contacts/{c['id']}",
        json={"fields": {"custom.nick": None}},
        headers=typed_tenant.headers,
    )
    assert r.status_code == 200 and r.json()["fields"] == {"custom.shoe_size": 40}


def test_required_fields_on_create_and_cannot_be_cleared(client, tenant):
    create_field(client, tenant, key="account_no", type="text", required=True)
    h = tenant.headers
    r = client.post("/api/v1/contacts", json={"given_name": "R"}, headers=h)
    assert r.status_code == 422
    assert r.json()["errors"] == [{"field": "fields.custom.account_no", "message": "is required"}]
    r = client.post(
        "/api/v1/contacts", json={"given_name": "R", "fields": {"custom.account_no": "  "}}, headers=h
    )
    assert r.status_code == 422 and r.json()["errors"][0]["message"] == "is required"
    c = create_contact(client, tenant, fields={"custom.account_no": "A-1"})
    r = client.patch(
        f"/api/v1/contacts/{c['id']}", json={"fields": {"custom.account_no": None}}, headers=h
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "fields.custom.account_no"
    # Updating other attributes does not demand the required field again.
    r = client.patch(f"/api/v1/contacts/{c['id']}", json={"family_name": "Ok"}, headers=h)
    assert r.status_code == 200


def _same_family_count(ids):
    other = aliased(Contact)
    return (
        select(Contact.id, func.count(other.id))
        .join(other, (other.tenant_id == Contact.tenant_id)
              & (other.family_name == Contact.family_name))
        .where(Contact.id.in_(ids))
        .group_by(Contact.id)
    )


def _bmi(record):
    height, weight = record.fields.get("medical.height_cm"), record.fields.get("medical.weight_kg")
    return round(weight / (height / 100) ** 2, 1) if height and weight else None


MEDICAL = (
    FieldDefinition("medical", "height_cm", "contact", FieldType.INTEGER, "Height (cm)"),
    FieldDefinition("medical", "weight_kg", "contact", FieldType.INTEGER, "Weight (kg)"),
    FieldDefinition("medical", "bmi", "contact", FieldType.DECIMAL, "BMI", computed=formula(_bmi)),
    FieldDefinition(
        "medical", "family_size", "contact", FieldType.INTEGER, "Contacts in the family",
        computed=rollup(_same_family_count, default=0),
    ),
)


def test_computed_fields_are_read_only_and_computed_per_page(client, tenant):
    enable_plugin_fields(tenant, *MEDICAL)
    h = tenant.headers
    a = create_contact(
        client, tenant, family_name="Kovalenko",
        fields={"medical.height_cm": 180, "medical.weight_kg": 81},
    )
    assert a["fields"]["medical.bmi"] == 25.0 and a["fields"]["medical.family_size"] == 1
    create_contact(client, tenant, family_name="Kovalenko")
    listed = client.get("/api/v1/contacts", headers=h).json()["items"]
    assert [c["fields"]["medical.family_size"] for c in listed] == [2, 2]
    assert "medical.bmi" not in listed[0]["fields"]  # no height or weight: no value
    r = client.patch(
        f"/api/v1/contacts/{a['id']}", json={"fields": {"medical.bmi": 20}}, headers=h
    )
    assert r.status_code == 422
    assert r.json()["errors"] == [{"field": "fields.medical.bmi", "message": "is computed and read-only"}]
    defs = client.get("/api/v1/fields", headers=h).json()["items"]
    assert {d["full_key"]: d["read_only"] for d in defs}["medical.bmi"] is True


def test_a_disabled_plugins_fields_are_hidden_and_kept(client, tenant):
    enable_plugin_fields(tenant, *MEDICAL)
    c = create_contact(client, tenant, fields={"medical.height_cm": 170})
    enable_plugin_fields(tenant)  # the tenant disables the plugin
    h = tenant.headers
    assert client.get(f"/api/v1/contacts/{c['id']}", headers=h).json()["fields"] == {}
    assert all(
        not f["full_key"].startswith("medical.")
        for f in client.get("/api/v1/fields", headers=h).json()["items"]
    )
    r = client.patch(
        f"/api/v1/contacts/{c['id']}", json={"fields": {"medical.height_cm": 1}}, headers=h
    )
    assert r.status_code == 422
    r = client.get("/api/v1/contacts?filter=medical.height_cm:eq:170", headers=h)
    assert r.status_code == 400
    enable_plugin_fields(tenant, *MEDICAL)  # re-enabled: the data is back
    got = client.get(f"/api/v1/contacts/{c['id']}", headers=h).json()["fields"]
    assert got["medical.height_cm"] == 170
