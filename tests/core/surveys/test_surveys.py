"""Surveys over HTTP: the 22 standard items in three languages, tenants' own items and
translations, weights and threshold checked, the project's patch body and pages."""

from __future__ import annotations

from collections import Counter

from tests.conftest import add_member
from tests.core.surveys.support import SURVEYS, survey


def test_a_new_survey_asks_the_22_servqual_items_in_three_languages(client, tenant):
    made = survey(client, tenant)
    assert made["languages"] == ["en", "uk", "ru"]
    assert len(made["items"]) == 22
    assert Counter(i["dimension"] for i in made["items"]) == {
        "tangibles": 4, "reliability": 5, "responsiveness": 4, "assurance": 4, "empathy": 5}
    first = made["items"][0]
    assert first["key"] == "q01" and set(first["text"]) == {"en", "uk", "ru"}
    assert first["text"]["uk"] == "Сучасне обладнання та інструменти"
    assert made["threshold"] == -1.0 and made["threshold_on"] == "gap"
    assert made["topic"] == "service" and made["weights"] is None
    assert client.get(f"{SURVEYS}/{made['id']}", headers=tenant.headers).json() == made


def test_tenants_translate_edit_and_add_items_and_weigh_the_dimensions(client, tenant):
    made = survey(client, tenant, languages=["uk"])
    assert all(set(i["text"]) == {"uk"} for i in made["items"])
    items = [*made["items"][:3], {"key": "parking", "dimension": "convenience",
                                  "text": {"uk": "Зручна парковка", "de": "Parkplätze"}}]
    r = client.patch(f"{SURVEYS}/{made['id']}", headers=tenant.headers, json={"items": items})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "items[3].text"
    assert "de is not one of the survey's languages" in r.text
    items[3]["text"] = {"uk": "Зручна парковка", "de": "Parkplätze"}
    r = client.patch(f"{SURVEYS}/{made['id']}", headers=tenant.headers,
                     json={"languages": ["uk", "de"], "items": items})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "items[0].text"
    assert "no statement in de" in r.text
    for item in items[:3]:
        item["text"]["de"] = "Deutsch " + item["key"]
    r = client.patch(f"{SURVEYS}/{made['id']}", headers=tenant.headers, json={
        "languages": ["uk", "de"], "items": items,
        "weights": {"tangibles": 60, "convenience": 40}})
    assert r.status_code == 200, r.text
    changed = r.json()
    assert [i["key"] for i in changed["items"]] == ["q01", "q02", "q03", "parking"]
    assert changed["weights"] == {"tangibles": 60, "convenience": 40}
    assert changed["name"] == made["name"]  # left out: unchanged
    r = client.patch(f"{SURVEYS}/{made['id']}", headers=tenant.headers,
                     json={"weights": None})
    assert r.status_code == 200 and r.json()["weights"] is None


def test_bad_surveys_are_refused_naming_the_field_and_nothing_is_saved(client, tenant):
    cases = [
        ({"weights": {"tangibles": 50, "empathy": 20}}, "weights", "no points for"),
        ({"weights": {"tangibles": 20, "reliability": 20, "responsiveness": 20,
                      "assurance": 20, "empathy": 30}}, "weights", "add up to 110"),
        ({"weights": {"tangibles": 20, "reliability": 20, "responsiveness": 20,
                      "assurance": 20, "empathy": 10, "price": 10}}, "weights", "price"),
        ({"threshold": 0, "threshold_on": "perception"}, "threshold", "between 1 and 7"),
        ({"manager_id": "0190f0f0-0000-7000-8000-000000000000"}, "manager_id", "no such"),
        ({"template_id": "0190f0f0-0000-7000-8000-000000000000"}, "template_id", "no such"),
        ({"languages": ["de"]}, "items", "send the items"),
        ({"items": [{"key": "a", "dimension": "x", "text": {"en": "A"}},
                    {"key": "a", "dimension": "x", "text": {"en": "B"}}],
          "languages": ["en"]}, "items[1].key", "used twice"),
        ({"auto_kinds": ["visit"]}, "auto_channel", "channel"),
    ]
    for body, field, words in cases:
        r = client.post(SURVEYS, headers=tenant.headers, json={"name": "Bad", **body})
        assert r.status_code == 422, (body, r.text)
        assert r.json()["errors"][0]["field"] == field and words in r.text, (body, r.text)
    assert client.post(SURVEYS, headers=tenant.headers,
                       json={"name": "x", "items": []}).status_code in (400, 422)
    assert client.get(SURVEYS, headers=tenant.headers).json()["items"] == []


def test_surveys_are_listed_in_pages_and_deleted(client, tenant):
    ids = [survey(client, tenant, name=f"S{n}")["id"] for n in range(3)]
    first = client.get(SURVEYS, headers=tenant.headers, params={"limit": 2}).json()
    assert [s["id"] for s in first["items"]] == ids[::-1][:2] and first["next_cursor"]
    rest = client.get(SURVEYS, headers=tenant.headers,
                      params={"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [s["id"] for s in rest["items"]] == [ids[0]] and rest["next_cursor"] is None
    assert client.delete(f"{SURVEYS}/{ids[0]}", headers=tenant.headers).status_code == 204
    assert client.get(f"{SURVEYS}/{ids[0]}", headers=tenant.headers).status_code == 404


def test_viewers_read_surveys_but_may_not_write_them(client, tenant):
    from tests.conftest import login
    viewer = add_member(client, tenant, f"viewer@{tenant.slug}.example.com", role="viewer")
    token = login(client, tenant.slug, viewer["email"], viewer["password"])
    headers = {"Authorization": f"Bearer {token}"}
    made = survey(client, tenant)
    assert client.get(f"{SURVEYS}/{made['id']}", headers=headers).status_code == 200
    assert client.post(SURVEYS, headers=headers, json={"name": "No"}).status_code == 403
    assert client.patch(f"{SURVEYS}/{made['id']}", headers=headers,
                        json={"name": "No"}).status_code == 403
