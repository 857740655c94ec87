"""The contact profile over HTTP: names and how a person is addressed, emails, phones in any
common notation, birthday, language, addresses, tags, owner, source, external id."""

# Cyrillic names are what these tests are about.
# ruff: noqa: RUF001

from __future__ import annotations

from tests.conftest import sign_up
from tests.core.contacts.support import CONTACTS, make, user_id


def test_full_profile_round_trips_in_normal_form(client, tenant):
    owner = user_id(client, tenant)
    c = make(
        client, tenant,
        honorific="Dr", given_name=" Taras ", patronymic="Hryhorovych", family_name="Shevchenko",
        preferred_name="Tarasyk",
        emails=["t.shevchenko@Example.COM", {"address": "taras@home.example", "label": "home"}],
        phones=["+44 20 7946 0958", {"number": "+380 (67) 123-45-67", "label": "mobile",
                                     "primary": True}],
        birthday="1990-03-09", language="uk-ua", tags=["VIP", " poet ", "vip"],
        addresses=[{"kind": "home", "city": "Kyiv", "country": "ua"}],
        owner_id=owner, source="Book fair 2024", external_id="crm-1",
    )
    assert c["given_name"] == "Taras" and c["language"] == "uk-UA"
    assert c["display_name"] == "Tarasyk Shevchenko"
    assert c["email"] == "t.shevchenko@example.com"
    assert [e["address"] for e in c["emails"]] == ["t.shevchenko@example.com", "taras@home.example"]
    assert c["emails"][0]["primary"] and c["emails"][1]["label"] == "home"
    assert [p["number"] for p in c["phones"]] == ["+380671234567", "+442079460958"]
    assert c["phones"][0]["primary"] and c["phones"][0]["label"] == "mobile"
    assert c["tags"] == ["poet", "vip"]
    assert c["addresses"] == [{"kind": "home", "line1": None, "line2": None, "city": "Kyiv",
                               "region": None, "postal_code": None, "country": "UA"}]
    assert c["owner_id"] == owner and c["external_id"] == "crm-1"
    got = client.get(f"{CONTACTS}/{c['id']}", headers=tenant.headers).json()
    assert got["owner"]["user_id"] == owner and got["owner"]["full_name"] == "Olena Owner"
    assert isinstance(got["activity"], dict)
    assert got["birthday"] == "1990-03-09"


def test_salutation_follows_the_contacts_culture_or_the_requested_locale(client, tenant):
    c = make(client, tenant, honorific="Mr", given_name="Тарас", patronymic="Григорович",
             family_name="Шевченко", language="uk")
    assert c["salutation"] == "Тарас Григорович"
    english = client.get(f"{CONTACTS}/{c['id']}?locale=en-GB", headers=tenant.headers).json()
    assert english["salutation"] == "Mr Шевченко"
    ann = make(client, tenant, honorific="Ms", given_name="Ann", family_name="Lee", language="en")
    assert ann["salutation"] == "Ms Lee"
    plain = make(client, tenant, given_name="Bo", family_name="Chen")
    assert plain["salutation"] == "Bo Chen"
    # The tenant's default locale applies to contacts without a language.
    r = client.put(f"{CONTACTS}/settings", json={"default_locale": "ru"}, headers=tenant.headers)
    assert r.status_code == 200 and r.json()["default_locale"] == "ru"
    ivan = make(client, tenant, honorific="Mr", given_name="Иван", patronymic="Петрович",
                family_name="Сидоров")
    assert ivan["salutation"] == "Иван Петрович"


def test_national_phone_numbers_need_a_region_from_the_request_or_the_tenant(client):
    t = sign_up(client)
    r = client.post(CONTACTS, json={"given_name": "A", "phones": ["+380671234567", "067 765 4321"]},
                    headers=t.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "phones[1]"
    r = client.post(f"{CONTACTS}?region=UA", json={"given_name": "A", "phones": ["067 765 4321"]},
                    headers=t.headers)
    assert r.status_code == 201 and r.json()["phones"][0]["number"] == "+380677654321"
    assert client.put(f"{CONTACTS}/settings", json={"phone_region": "GB"},
                      headers=t.headers).json()["phone_region"] == "GB"
    r = client.post(CONTACTS, json={"given_name": "B", "phones": ["020 7946 0000"]},
                    headers=t.headers)
    assert r.status_code == 201 and r.json()["phones"][0]["number"] == "+442079460000"
    assert client.post(f"{CONTACTS}?region=ZZ", json={"given_name": "C"},
                       headers=t.headers).status_code in (400, 422)


def test_bad_values_are_422_naming_the_field_and_nothing_is_written(client, tenant):
    def field_of(body, **params):
        r = client.post(CONTACTS, params=params, json=body, headers=tenant.headers)
        assert r.status_code == 422, r.text
        return r.json()["errors"][0]["field"]

    assert field_of({"given_name": "X", "emails": ["ok@example.com", "nope"]}) == "emails[1]"
    assert field_of({"given_name": "X", "emails": [{"address": "bad"}]}) == "emails[0].address"
    assert field_of({"given_name": "X", "phones": [{"number": "+1 000"}]}) == "phones[0].number"
    assert field_of({"given_name": "X", "birthday": "2999-01-01"}) == "birthday"
    assert field_of({"given_name": "X", "birthday": "1990-02-30"}) == "birthday"
    assert field_of({"given_name": "X", "language": "not a language"}) == "language"
    assert field_of({"given_name": "X", "tags": ["  "]}) == "tags[0]"
    assert field_of({"given_name": "X", "addresses": [{"kind": "home"}]}) == "addresses[0]"
    stranger = sign_up(client)
    assert field_of({"given_name": "X", "owner_id": user_id(client, stranger)}) == "owner_id"
    assert field_of({"phones": []}) == "given_name"
    names = [c["given_name"] for c in
             client.get(CONTACTS, headers=tenant.headers).json()["items"]]
    assert "X" not in names


def test_patch_replaces_lists_and_email_names_the_primary(client, tenant):
    c = make(client, tenant, given_name="Mila", emails=["a@example.com", "b@example.com"],
             phones=["+442079460001"], tags=["a", "b"])
    url = f"{CONTACTS}/{c['id']}"
    r = client.patch(url, json={"email": "b@example.com"}, headers=tenant.headers)
    assert r.status_code == 200, r.text
    assert [(e["address"], e["primary"]) for e in r.json()["emails"]] == [
        ("b@example.com", True), ("a@example.com", False)]
    assert r.json()["email"] == "b@example.com"
    r = client.patch(url, json={"email": None}, headers=tenant.headers)
    assert r.json()["email"] == "a@example.com"
    r = client.patch(url, json={"tags": ["c"], "phones": [], "birthday": "2001-12-31",
                                "source": "Referral"}, headers=tenant.headers)
    body = r.json()
    assert body["tags"] == ["c"] and body["phones"] == [] and body["birthday"] == "2001-12-31"
    r = client.patch(url, json={"emails": [], "given_name": None}, headers=tenant.headers)
    assert r.status_code == 422  # nothing left to know the person by
    r = client.patch(url, json={"emails": None}, headers=tenant.headers)
    assert r.status_code == 200 and r.json()["emails"] == [] and r.json()["email"] is None


def test_email_and_external_id_are_unique_per_tenant(client, tenant, other_tenant):
    a = make(client, tenant, given_name="A", emails=["one@example.com", "two@example.com"],
             external_id="ext-9")
    r = client.post(f"{CONTACTS}?allow_duplicate=true",
                    json={"given_name": "B", "email": "TWO@example.com"}, headers=tenant.headers)
    assert r.status_code == 409
    r = client.post(CONTACTS, json={"given_name": "B", "external_id": "ext-9"},
                    headers=tenant.headers)
    assert r.status_code == 409 and r.json()["field"] == "external_id"
    b = make(client, tenant, given_name="B")
    r = client.patch(f"{CONTACTS}/{b['id']}", json={"emails": ["one@example.com"]},
                     headers=tenant.headers)
    assert r.status_code == 409
    # Another tenant may know the same person by the same keys.
    make(client, other_tenant, given_name="A", email="one@example.com", external_id="ext-9")
    assert client.get(f"{CONTACTS}/{a['id']}", headers=tenant.headers).status_code == 200


def test_settings_are_per_tenant_and_for_managers(client, tenant, other_tenant):
    client.put(f"{CONTACTS}/settings", json={"phone_region": "UA"}, headers=tenant.headers)
    assert client.get(f"{CONTACTS}/settings", headers=other_tenant.headers).json() == {
        "phone_region": None, "default_locale": None, "time_zone": None, "tracking": True}
    r = client.put(f"{CONTACTS}/settings", json={"default_locale": "x y"}, headers=tenant.headers)
    assert r.status_code in (400, 422)
