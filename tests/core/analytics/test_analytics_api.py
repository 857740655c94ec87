"""Analytics over real HTTP, PostgreSQL and the worker's pass: RFM cells, ABC and XYZ
classes, CLV with its holdout check, class history, the summary, the contact's classes on
its view, and refusals that name the setting at fault."""

from __future__ import annotations

import functools
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from rapport.core.analytics import jobs
from tests.conftest import TenantHandle, member_token, sign_up

ANALYTICS = "/api/v1/analytics"
NOW = datetime.now(UTC)


def _contact(client, t: TenantHandle, name: str) -> str:
    r = client.post("/api/v1/contacts", json={"given_name": name}, headers=t.headers,
                    params={"allow_duplicate": "true"})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def _buy(client, t: TenantHandle, contact: str, amount: str, days_ago: int) -> None:
    r = client.post("/api/v1/transactions", headers=t.headers, json={
        "currency": "EUR", "amount": amount, "channel": "store", "contact_id": contact,
        "occurred_at": (NOW - timedelta(days=days_ago, hours=1)).isoformat()})
    assert r.status_code == 201, r.text


def run_worker(client) -> int:
    state = client.app.state
    return client.blocking_portal.call(functools.partial(jobs.run_due, state.sessionmaker, 1000))


@pytest.fixture(scope="module")
def shop(client) -> tuple[TenantHandle, dict[str, str]]:
    """Ann buys big every month; Bob bought once, small, ten months ago; Cid never bought;
    thirty regulars buy every few weeks for varying sums, a third of them stopped (so the
    CLV fit has repeat customers, some gone, and a holdout to be checked on)."""
    t = sign_up(client)
    people = {name.lower(): _contact(client, t, name) for name in ("Ann", "Bob", "Cid")}
    for month in range(11):
        _buy(client, t, people["ann"], "500.00", 3 + 30 * month)
    _buy(client, t, people["bob"], "5.00", 300)
    for i in range(30):
        regular = _contact(client, t, f"Regular {i}")
        people[f"regular{i}"] = regular
        # Every third one stopped buying five months ago.
        stopped = 150 if i % 3 == 0 else 0
        for k in range(1 + i % 5):
            _buy(client, t, regular, f"{10 + (i * 7 + k * 13) % 40}.00",
                 5 + stopped + i * 3 + k * 41)
    return t, people


@pytest.fixture(scope="module")
def computed(client, shop) -> dict:
    t, _ = shop
    r = client.post(f"{ANALYTICS}/recompute", headers=t.headers,
                    json={"clv_min_repeaters": 5, "clv_holdout_days": 60})
    assert r.status_code == 202, r.text
    job = r.json()
    assert job["status"] == "queued" and job["progress"] == 0 and job["current_step"] == "rfm"
    assert job["parameters"]["currency"] == "EUR"
    assert run_worker(client) >= 1
    done = client.get(f"{ANALYTICS}/jobs/{job['id']}", headers=t.headers).json()
    assert done["status"] == "completed", done
    return done


def test_the_worker_runs_every_step_and_reports_it(computed) -> None:
    assert computed["steps"] == ["rfm", "abc", "xyz", "clv"]
    assert computed["steps_done"] == 4 and computed["progress"] == 1.0
    assert computed["current_step"] is None
    assert computed["results"]["rfm"]["classified"] == 32  # Cid never bought
    clv = computed["results"]["clv"]
    assert clv["method"] == "bgnbd", clv
    holdout = clv["holdout"]
    assert holdout["checked"] and holdout["days"] == 60
    assert holdout["actual_purchases"] > 0 and holdout["mean_absolute_error"] >= 0


def test_the_best_customer_is_a_champion_in_a(client, shop, computed) -> None:
    t, people = shop
    ann = client.get(f"{ANALYTICS}/contacts/{people['ann']}", headers=t.headers).json()
    assert ann["rfm"]["segment"] == "champions"
    assert ann["rfm"]["r"] == 5 and ann["rfm"]["f"] == 5 and ann["rfm"]["m"] == 5
    assert ann["rfm"]["frequency"] == 11
    # Monthly purchases fall unevenly into calendar months (two in one, none in another).
    assert ann["abc"] == "A" and ann["xyz"] in ("X", "Y") and float(ann["variation"]) < 1
    assert ann["clv"]["method"] == "bgnbd" and float(ann["clv"]["value"]) > 1000
    assert {(h["kind"], h["before"], h["after"]) for h in ann["history"]} == {
        ("rfm", None, "champions"), ("abc", None, "A"), ("xyz", None, ann["xyz"])}
    bob = client.get(f"{ANALYTICS}/contacts/{people['bob']}", headers=t.headers).json()
    assert bob["rfm"]["segment"] == "lost" and bob["abc"] == "C" and bob["xyz"] == "Z"
    cid = client.get(f"{ANALYTICS}/contacts/{people['cid']}", headers=t.headers).json()
    assert cid["rfm"] is None and cid["abc"] is None and cid["clv"] is None


def test_summary_counts_the_classes_and_the_matrix(client, shop, computed) -> None:
    t, _ = shop
    r = client.get(f"{ANALYTICS}/summary", headers=t.headers)
    assert r.status_code == 200, r.text
    s = r.json()
    assert s["job"]["id"] == computed["id"]
    assert sum(s["counts"]["rfm"].values()) == 32 == sum(s["counts"]["abc"].values())
    assert sum(sum(row.values()) for row in s["matrix"].values()) == 32
    assert s["matrix"]["C"]["Z"] >= 1
    assert s["clv"]["customers"] == 32 and len(s["clv"]["histogram"]) == 10
    assert sum(b["count"] for b in s["clv"]["histogram"]) == 32


def test_the_contact_view_carries_the_classes(client, shop, computed) -> None:
    t, people = shop
    view = client.get(f"/api/v1/contacts/{people['ann']}", headers=t.headers).json()
    section = view["activity"]["analytics"]
    assert section["rfm"]["segment"] == "champions" and section["abc"] == "A"
    assert section["currency"] == "EUR" and float(section["clv"]) > 1000


def test_nothing_new_is_not_computed_again_and_new_settings_move_people(
    client, shop, computed
) -> None:
    t, _ = shop
    same = client.post(f"{ANALYTICS}/recompute", headers=t.headers, json={})
    assert same.status_code == 202, same.text
    assert same.json()["status"] == "completed"
    assert same.json()["results"]["unchanged_since"] == computed["id"]
    # A stricter Pareto line: fewer customers make the first half of the revenue.
    r = client.post(f"{ANALYTICS}/recompute", headers=t.headers,
                    json={"abc_a": 0.3, "abc_b": 0.5, "classes": ["abc"]})
    assert r.status_code == 202, r.text
    run_worker(client)
    job = client.get(f"{ANALYTICS}/jobs/{r.json()['id']}", headers=t.headers).json()
    assert job["status"] == "completed" and job["results"]["abc"]["moved"] > 0
    moved = client.get(f"{ANALYTICS}/changes", headers=t.headers,
                       params={"kind": "abc", "limit": 200}).json()["items"]
    assert any(m["before"] in ("A", "B") and m["after"] in ("B", "C") for m in moved)
    # The settings stay the tenant's for the next run.
    again = client.post(f"{ANALYTICS}/recompute", headers=t.headers, json={"classes": ["abc"]})
    assert again.json()["parameters"]["abc_a"] == 0.3
    run_worker(client)


@pytest.mark.parametrize(("body", "field"), [
    ({"until": "2001-01-01T00:00:00Z"}, "period_days"),
    ({"abc_a": 0.9, "abc_b": 0.8}, "abc_b"),
    ({"xyz_x": 2, "xyz_y": 1}, "xyz_y"),
    ({"rfm_bins": 1}, "rfm_bins"),
    ({"currency": "JPY"}, "period_days"),
    ({"period_days": 30}, "period_days"),
    ({"until": "0001-01-01T00:00:00Z"}, "until"),
    ({"currency": "EURO"}, "currency"),
    ({"clv_holdout_days": 400}, "clv_holdout_days"),
])
def test_bad_settings_are_refused_naming_them(client, shop, computed, body, field) -> None:
    t, _ = shop
    r = client.post(f"{ANALYTICS}/recompute", headers=t.headers, json=body)
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == field


def test_unknown_classes_are_refused(client, shop, computed) -> None:
    t, _ = shop
    r = client.post(f"{ANALYTICS}/recompute", headers=t.headers, json={"classes": ["pqr"]})
    assert r.status_code in (400, 422) and "classes" in r.text
    r = client.get(f"{ANALYTICS}/changes", headers=t.headers, params={"kind": "pqr"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "kind"


def test_members_read_but_only_managers_recompute(client, shop, computed) -> None:
    t, people = shop
    headers = {"Authorization": f"Bearer {member_token(client, t, 'analyst@example.com')}"}
    assert client.get(f"{ANALYTICS}/summary", headers=headers).status_code == 200
    assert client.get(f"{ANALYTICS}/contacts/{people['ann']}", headers=headers).status_code == 200
    assert client.post(f"{ANALYTICS}/recompute", headers=headers, json={}).status_code == 403


def test_a_tenant_without_purchases_is_told_so(client) -> None:
    t = sign_up(client)
    r = client.post(f"{ANALYTICS}/recompute", headers=t.headers, json={})
    assert r.status_code == 422 and "no purchases" in r.json()["detail"]
    s = client.get(f"{ANALYTICS}/summary", headers=t.headers).json()
    assert s["job"] is None and s["clv"]["customers"] == 0
    # Two buyers are too few for BG/NBD: the average model, and the job says why.
    for name, days in (("Ira", (3, 33, 63)), ("Lev", (10,))):
        contact = _contact(client, t, name)
        for d in days:
            _buy(client, t, contact, "30.00", d)
    r = client.post(f"{ANALYTICS}/recompute", headers=t.headers, json={})
    assert r.status_code == 202, r.text
    run_worker(client)
    job = client.get(f"{ANALYTICS}/jobs/{r.json()['id']}", headers=t.headers).json()
    assert job["results"]["clv"]["method"] == "average"
    assert "fewer than 20 repeat customers" in job["results"]["clv"]["reason"]
    lev = client.get(f"{ANALYTICS}/contacts/{contact}", headers=t.headers).json()
    assert lev["clv"]["method"] == "average" and float(lev["clv"]["value"]) > 0


def test_segments_select_by_class(client, shop, computed) -> None:
    t, _ = shop
    r = client.post("/api/v1/segments/count", headers=t.headers, json={
        "definition": {"analytics": {"rfm": ["champions"], "abc": ["A"]}}})
    assert r.status_code == 200, r.text
    assert r.json()["count"] >= 1
    r = client.post("/api/v1/segments/count", headers=t.headers, json={
        "definition": {"all": [{"analytics": {"rfm": ["lost"]}},
                               {"filter": "given_name:eq:Bob"}]}})
    assert r.json()["count"] == 1
    r = client.post("/api/v1/segments/count", headers=t.headers, json={
        "definition": {"analytics": {"abc": ["Q"]}}})
    assert r.status_code == 422 and "analytics" in r.json()["errors"][0]["field"]
    r = client.post("/api/v1/segments/count", headers=t.headers, json={
        "definition": {"analytics": {}}})
    assert r.status_code == 422 and "at least one" in r.text


def test_the_cli_continues_a_stopped_recompute(client, shop, computed, database,
                                               monkeypatch) -> None:
    from click.testing import CliRunner

    from rapport.core.analytics.cli import analytics_group
    from rapport.db.urls import libpq_url

    monkeypatch.setenv("RAPPORT_DATABASE_URL", libpq_url(database.owner_url))
    monkeypatch.setenv("RAPPORT_APP_DATABASE_URL", libpq_url(database.app_url))
    t, people = shop
    r = client.post(f"{ANALYTICS}/recompute", headers=t.headers,
                    json={"rfm_bins": 4, "classes": ["rfm", "abc", "xyz"]})
    assert r.status_code == 202, r.text
    job_id = r.json()["id"]
    # A runner did the first class and stopped (killed) before the second.
    state = client.app.state
    first = client.blocking_portal.call(functools.partial(
        jobs.run_step, state.sessionmaker, uuid.UUID(t.id), uuid.UUID(job_id), wait=True))
    assert first.steps_done == 1 and first.status == "running"
    ran = CliRunner().invoke(analytics_group, ["recompute", "--tenant", t.slug])
    assert ran.exit_code == 0, ran.output
    assert f"continuing job {job_id} at step 2 of 3" in ran.output
    assert "[2/3] abc" in ran.output and "[3/3] xyz" in ran.output
    assert "[1/3]" not in ran.output and "completed" in ran.output
    job = client.get(f"{ANALYTICS}/jobs/{job_id}", headers=t.headers).json()
    assert job["status"] == "completed" and set(job["results"]) == {"rfm", "abc", "xyz"}
    ann = client.get(f"{ANALYTICS}/contacts/{people['ann']}", headers=t.headers).json()
    assert ann["rfm"]["r"] == 4  # four bins now
    bad = CliRunner().invoke(analytics_group, ["recompute", "--tenant", t.slug, "--restart",
                                               "--set", "abc_a=0.99"])
    assert bad.exit_code != 0 and "abc_b" in bad.output
