"""Templates over real HTTP: CRUD, the preview for a chosen contact (declined salutation,
the sender's signature, a plugin's variables), and every bad input a clear 4xx."""

# ruff: noqa: RUF001

from __future__ import annotations

import pytest

from tests.conftest import TenantHandle, member_token, sign_up
from tests.core.communication.support import contact, template

TEMPLATES = "/api/v1/templates"


@pytest.fixture(scope="module")
def shop(client) -> tuple[TenantHandle, dict[str, str]]:
    t = sign_up(client)
    r = client.put("/api/v1/signature", headers=t.headers,
                   json={"signature": "Олена, менеджерка магазину"})
    assert r.status_code == 200, r.text
    people = {
        "mykola": contact(client, t, given_name="Микола", patronymic="Петрович",
                          family_name="Бондаренко", language="uk", email="m@example.com"),
        "nikolai": contact(client, t, given_name="Николай", patronymic="Петрович",
                           language="ru"),
        "bond": contact(client, t, given_name="Mykola", family_name="Bondarenko",
                        honorific="Mr", language="en"),
    }
    return t, people


def _preview(client, t, template_id, contact_id):
    return client.post(f"{TEMPLATES}/{template_id}/preview", headers=t.headers,
                       json={"contact_id": contact_id})


def test_preview_addresses_each_person_in_their_language(client, shop):
    t, people = shop
    uk = template(client, t, subject="{{ salutation }}, знижка для вас",
                  body="{{ salutation }}!\n--\n{{ member.signature }}\n{{ organization.name }}")
    r = _preview(client, t, uk["id"], people["mykola"])
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["subject"] == "Шановний Миколо Петровичу, знижка для вас"
    assert got["body"].startswith("Шановний Миколо Петровичу!\n--\nОлена, менеджерка магазину")
    ru = template(client, t, language="ru", channel="sms", subject=None,
                  body="Кому: {{ envelope_name }}. {{ salutation }}!")
    r = _preview(client, t, ru["id"], people["nikolai"])
    assert r.json()["body"] == "Кому: Николаю Петровичу. Уважаемый Николай Петрович!"
    en = template(client, t, language="en", subject="Hi", body="{{ salutation }},")
    assert _preview(client, t, en["id"], people["bond"]).json()["body"] == "Dear Mr Bondarenko,"


def test_crud_and_variables(client, shop):
    t, _ = shop
    made = template(client, t, name="Draft")
    r = client.patch(f"{TEMPLATES}/{made['id']}", headers=t.headers, json={"name": "Final"})
    assert r.status_code == 200 and r.json()["name"] == "Final"
    assert client.get(f"{TEMPLATES}/{made['id']}", headers=t.headers).json()["name"] == "Final"
    listed = client.get(TEMPLATES, headers=t.headers, params={"limit": 200}).json()["items"]
    assert made["id"] in {i["id"] for i in listed}
    names = client.get(f"{TEMPLATES}/variables", headers=t.headers).json()["names"]
    assert {"salutation", "envelope_name", "contact", "member", "unsubscribe_url"} <= set(names)
    assert client.delete(f"{TEMPLATES}/{made['id']}", headers=t.headers).status_code == 204
    assert client.get(f"{TEMPLATES}/{made['id']}", headers=t.headers).status_code == 404


@pytest.mark.parametrize(("body", "field", "words"), [
    ({"body": "Hello {{ nickname }}"}, "body", "unknown variable 'nickname'"),
    ({"subject": "{{ salutation", "body": "x"}, "subject", "line 1"),
    ({"subject": None}, "subject", "needs a subject"),
    ({"channel": "sms", "subject": "Hi"}, "subject", "no subject"),
    ({"language": "not a tag"}, "language", ""),
    ({"channel": "fax"}, "channel", ""),
])
def test_bad_templates_are_refused_naming_the_field(client, shop, body, field, words):
    t, _ = shop
    payload = {"name": "Bad", "channel": "email", "language": "en", "subject": "Hi",
               "body": "Hello", **body}
    before = len(client.get(TEMPLATES, headers=t.headers, params={"limit": 200}).json()["items"])
    r = client.post(TEMPLATES, headers=t.headers, json=payload)
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"].startswith(field)
    assert words in r.json()["detail"]
    after = len(client.get(TEMPLATES, headers=t.headers, params={"limit": 200}).json()["items"])
    assert after == before


def test_render_failures_are_422_naming_the_cause(client, shop):
    t, people = shop
    made = template(client, t, language="en", subject="Hi",
                    body="{{ contact.nickname }} {{ member.name.__class__ }}")
    r = _preview(client, t, made["id"], people["bond"])
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "body"
    assert "nickname" in r.json()["detail"]
    unknown = _preview(client, t, made["id"], "0190f0f0-0000-7000-8000-000000000000")
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "contact_id"


def test_another_tenants_contact_cannot_be_previewed(client, shop):
    _, people = shop
    other = sign_up(client)
    mine = template(client, other, language="en", subject="Hi", body="{{ salutation }}")
    r = _preview(client, other, mine["id"], people["mykola"])
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "contact_id"


def test_viewers_read_but_do_not_write(client, shop):
    t, _ = shop
    token = member_token(client, t, "viewer-tpl@example.com", role="viewer")
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get(TEMPLATES, headers=headers).status_code == 200
    r = client.post(TEMPLATES, headers=headers, json={
        "name": "x", "channel": "sms", "language": "en", "body": "x"})
    assert r.status_code == 403
