"""Static segments (snapshots), the CSV export, consent and relationship conditions, and
the conditions plugins contribute (retail tier, education outcome) — real HTTP and
PostgreSQL."""

from __future__ import annotations

import csv
import io

import pytest

from tests.conftest import TenantHandle, member_token, sign_up, unique
from tests.core.segments.test_segments_api import _contact
from tests.plugins.education import support as edu
from tests.plugins.retail import support as retail

SEGMENTS = "/api/v1/segments"


def _create(client, t: TenantHandle, definition: dict, **extra) -> dict:
    r = client.post(SEGMENTS, headers=t.headers,
                    json={"name": unique("segment"), "definition": definition, **extra})
    assert r.status_code == 201, r.text
    return r.json()


def _names(client, t: TenantHandle, segment_id: str) -> list[str]:
    r = client.get(f"{SEGMENTS}/{segment_id}/contacts", headers=t.headers,
                   params={"count": "true", "limit": 200})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["count"] == len(body["items"])
    return sorted(c["given_name"] for c in body["items"])


def _draft(client, headers: dict, definition: dict) -> int:
    r = client.post(f"{SEGMENTS}/count", headers=headers, json={"definition": definition})
    assert r.status_code == 200, r.text
    return int(r.json()["count"])


@pytest.fixture(scope="module")
def crm(client) -> tuple[TenantHandle, dict[str, str]]:
    t = sign_up(client)
    people = {n: _contact(client, t, n.title(), email=f"{n}-{t.slug}@example.com")
              for n in ("ann", "bob", "cid", "dee")}
    return t, people


def test_static_segment_is_a_snapshot_until_retaken(client, crm):
    t, people = crm
    tag = unique("wave").lower().replace("-", "_")
    for name in ("ann", "bob"):
        r = client.patch(f"/api/v1/contacts/{people[name]}", headers=t.headers,
                         json={"tags": [tag]})
        assert r.status_code == 200, r.text
    static = _create(client, t, {"filter": f"tags:eq:{tag}"}, kind="static")
    assert static["kind"] == "static" and static["snapshot_at"] and static["count"] == 2
    dynamic = _create(client, t, {"filter": f"tags:eq:{tag}"})
    assert dynamic["kind"] == "dynamic" and dynamic["snapshot_at"] is None
    # Cid joins the tag: the dynamic segment sees him at once, the snapshot does not.
    client.patch(f"/api/v1/contacts/{people['cid']}", headers=t.headers, json={"tags": [tag]})
    assert _names(client, t, dynamic["id"]) == ["Ann", "Bob", "Cid"]
    assert _names(client, t, static["id"]) == ["Ann", "Bob"]
    # A reference to the static segment reads its snapshot.
    assert _draft(client, t.headers, {"segment": static["id"]}) == 2
    # Re-taking it: members and date replaced; audited.
    r = client.post(f"{SEGMENTS}/{static['id']}/snapshot", headers=t.headers)
    assert r.status_code == 200, r.text
    assert r.json()["count"] == 3 and r.json()["snapshot_at"] >= static["snapshot_at"]
    assert _names(client, t, static["id"]) == ["Ann", "Bob", "Cid"]
    history = client.get("/api/v1/audit", headers=t.headers,
                         params={"record_type": "segment", "record_id": static["id"]})
    assert history.status_code == 200
    # A dynamic segment has no snapshot to take; another tenant's is not found.
    r = client.post(f"{SEGMENTS}/{dynamic['id']}/snapshot", headers=t.headers)
    assert r.status_code == 409, r.text
    other = sign_up(client)
    r = client.post(f"{SEGMENTS}/{static['id']}/snapshot", headers=other.headers)
    assert r.status_code == 404
    # A trashed member leaves the snapshot's list and count.
    assert client.delete(f"/api/v1/contacts/{people['cid']}", headers=t.headers)\
        .status_code == 204
    assert _names(client, t, static["id"]) == ["Ann", "Bob"]
    got = client.get(f"{SEGMENTS}/{static['id']}", headers=t.headers).json()
    assert got["count"] == 2 and got["kind"] == "static"


def test_export_has_the_contact_exports_columns(client, crm):
    t, _ = crm
    segment = _create(client, t, {"filter": "given_name:in:Ann,Bob"})
    r = client.get(f"{SEGMENTS}/{segment['id']}/export", headers=t.headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    whole = client.get("/api/v1/contacts/export", headers=t.headers)
    assert rows[0] == next(csv.reader(io.StringIO(whole.text)))
    assert sorted(row[rows[0].index("given_name")] for row in rows[1:]) == ["Ann", "Bob"]
    lines = client.get(f"{SEGMENTS}/{segment['id']}/export", headers=t.headers,
                       params={"format": "jsonl"})
    assert lines.status_code == 200 and len(lines.text.splitlines()) == 2
    viewer = member_token(client, t, f"viewer-{t.slug}@example.com", role="viewer",
                          password="viewer password 1")
    refused = client.get(f"{SEGMENTS}/{segment['id']}/export",
                         headers={"Authorization": f"Bearer {viewer}"})
    assert refused.status_code == 403


def test_consent_condition_agrees_with_may_contact(client):
    t = sign_up(client)
    base = "/api/v1/contacts/{}"
    states = {}

    def person(name: str) -> str:
        states[name] = _contact(client, t, name)
        return states[name]

    def consent(contact: str, status: str, topic: str = "offers") -> None:
        r = client.post(f"{base.format(contact)}/consent", headers=t.headers, json={
            "channel": "email", "topic": topic, "status": status, "source": "web form"})
        assert r.status_code == 201, r.text

    consent(person("In"), "opt_in")
    consent(person("Out"), "opt_in")
    consent(states["Out"], "opt_out")
    person("Silent")
    blocked = person("Blocked")
    consent(blocked, "opt_in")
    client.put(f"{base.format(blocked)}/contact-policy", headers=t.headers,
               json={"do_not_contact": True})
    capped = person("Capped")
    consent(capped, "opt_in")
    client.put(f"{base.format(capped)}/contact-policy", headers=t.headers,
               json={"do_not_contact": False, "frequency_cap": {"max": 1, "per_days": 7}})
    r = client.post("/api/v1/interactions", headers=t.headers, json={
        "contact_id": capped, "kind": "email", "channel": "email", "direction": "outbound"})
    assert r.status_code == 201, r.text
    consent(person("ServiceOut"), "opt_out", topic="service")

    for channel, topic in (("email", "offers"), ("email", "service"), (None, None)):
        query = {} if channel is None else {"channel": channel, "topic": topic}
        expected = set()
        for name, contact in states.items():
            answer = client.get(f"{base.format(contact)}/may-contact", headers=t.headers,
                                params=query)
            assert answer.status_code == 200, answer.text
            if answer.json()["allowed"]:
                expected.add(name)
        segment = _create(client, t, {"consent": query})
        assert set(_names(client, t, segment["id"])) == expected, (query, expected)
    assert _draft(client, t.headers, {"consent": {"channel": "email", "topic": "offers"}}) == 1
    r = client.post(f"{SEGMENTS}/count", headers=t.headers,
                    json={"definition": {"all": [{"consent": {"channel": "fax"}}]}})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"].startswith("definition.all[0].consent.")


def test_member_of_relationships_and_organizations(client, crm):
    t, people = crm
    r = client.post("/api/v1/relationships", headers=t.headers, json={
        "kind": "family", "name": "The As",
        "members": [{"contact_id": people["ann"], "role": "parent"},
                    {"contact_id": people["bob"]}]})
    assert r.status_code == 201, r.text
    family = r.json()["id"]
    r = client.post("/api/v1/organizations", headers=t.headers, json={"name": unique("Org")})
    assert r.status_code == 201, r.text
    org = r.json()["id"]
    r = client.post(f"/api/v1/contacts/{people['dee']}/organizations", headers=t.headers,
                    json={"organization_id": org})
    assert r.status_code in (200, 201), r.text
    assert _draft(client, t.headers, {"member_of": {"relationship": family}}) == 2
    assert _draft(client, t.headers, {"member_of": {"kind": "family", "role": "parent"}}) == 1
    assert _draft(client, t.headers, {"member_of": {"kind": "colleagues"}}) == 0
    assert _draft(client, t.headers, {"member_of": {"organization": org}}) == 1
    for bad in ({"kind": "tribe"}, {"relationship": "nope"}, {}, {"organization": org,
                                                                 "kind": "family"}):
        r = client.post(f"{SEGMENTS}/count", headers=t.headers,
                        json={"definition": {"member_of": bad}})
        assert r.status_code == 422, (bad, r.text)
        assert r.json()["errors"][0]["field"].startswith("definition.member_of")


def test_retail_tier_condition(client):
    s = retail.shop(client)
    for name, threshold in (("Silver", 0), ("Gold", 300)):
        r = client.post(f"{retail.R}/programs/{s.program_id}/tiers",
                        json={"name": name, "threshold": threshold}, headers=s.headers)
        assert r.status_code == 201, r.text
    olena = retail.customer(client, s)
    petro = retail.customer(client, s, given_name="Petro")
    for member, amount in ((olena, "400"), (petro, "50")):
        card = member["cards"][0]["number"]
        assert retail.buy(client, s, card, unique("till"), amount=amount).status_code == 201
    tiers = {n: _draft(client, s.headers, {"retail.tier": {"tier": n}})
             for n in ("Silver", "Gold", "Platinum")}
    assert tiers == {"Silver": 1, "Gold": 1, "Platinum": 0}
    assert _draft(client, s.headers, {"retail.member": {}}) == 2
    listed = client.get(f"{SEGMENTS}/conditions", headers=s.headers).json()["items"]
    assert {c["name"] for c in listed} >= {"retail.tier", "retail.member"}
    tier = next(c for c in listed if c["name"] == "retail.tier")
    assert tier["owner"] == "retail" and "tier" in str(tier["value_schema"])
    r = client.post(f"{SEGMENTS}/count", headers=s.headers,
                    json={"definition": {"not": {"retail.tier": {"level": 3}}}})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "definition.not.retail.tier"
    # A tenant without retail may not name its conditions.
    plain = sign_up(client)
    r = client.post(f"{SEGMENTS}/count", headers=plain.headers,
                    json={"definition": {"retail.tier": {"tier": "Gold"}}})
    assert r.status_code == 422
    names = {c["name"] for c in client.get(f"{SEGMENTS}/conditions",
                                             headers=plain.headers).json()["items"]}
    assert "retail.tier" not in names


def test_education_outcome_condition(client):
    inst = edu.institution(client, roles=("registrar",))
    basics = edu.outcome(client, inst, "PY-1")
    course = edu.course(client, inst, "PY101", {basics: 3})
    taught = edu.learner(client, inst, "Taras")
    edu.learner(client, inst, "Lesya")
    edu.complete(client, inst, taught["id"], course)
    headers = inst.as_("owner")
    assert _draft(client, headers, {"education.outcome": {"code": "PY-1"}}) == 1
    assert _draft(client, headers, {"education.outcome": {"code": "PY-1", "min_level": 4}}) == 0
    assert _draft(client, headers, {"all": [{"filter": "given_name:eq:Lesya"},
                                            {"not": {"education.outcome": {"code": "PY-1"}}}]}) == 1
    r = client.post(f"{SEGMENTS}/count", headers=headers,
                    json={"definition": {"education.outcome": {"code": "PY-1", "min_level": 9}}})
    assert r.status_code == 422
