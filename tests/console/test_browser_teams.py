"""Teams in a real headless Chromium: an owner goes from Settings → Members to Teams,
creates a team with a lead and a member by keyboard, is refused a name another team has
(beside the field, what was typed kept), renames it and changes its members; the members'
report, grouped by team, sums the team's interactions and won deals and its CSV has a row
per team; the contact list filters by the owner's team; the pages read in Ukrainian and
Russian; axe finds nothing serious."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from tests.browser import assert_accessible, console_shot, sign_in_page
from tests.conftest import add_member, login, sign_up, unique


def test_teams_and_the_report_per_team(tab, live_server):
    page = tab.page
    api = httpx.Client(base_url=live_server, timeout=60)
    t = sign_up(api, unique("team"))
    slug, headers = t.slug, t.headers
    people = {}
    for name in ("Bohdan Seller", "Daryna Closer", "Ivan Support"):
        email = f"{name.split()[0].lower()}@{slug}.example.com"
        added = add_member(api, t, email, full_name=name, password=f"{name} password")
        people[name] = (added["id"], added["user_id"],
                        {"Authorization": "Bearer " + login(api, slug, email,
                                                            f"{name} password")})
    marta = api.post("/api/v1/contacts", headers=headers, json={
        "given_name": "Marta", "owner_id": people["Daryna Closer"][1]}).json()
    api.post("/api/v1/contacts", headers=headers, json={
        "given_name": "Oleh", "owner_id": people["Ivan Support"][1]})
    now = datetime.now(UTC)
    for name, calls in (("Bohdan Seller", 3), ("Daryna Closer", 2), ("Ivan Support", 4)):
        for day in range(calls):
            r = api.post("/api/v1/interactions", headers=people[name][2], json={
                "contact_id": marta["id"], "kind": "call",
                "occurred_at": (now - timedelta(days=1 + day)).isoformat()})
            assert r.status_code == 201, r.text
    deal = api.post("/api/v1/deals", headers=people["Daryna Closer"][2], json={
        "title": "Sofa", "amount": "900", "currency": "UAH",
        "owner_id": people["Daryna Closer"][0]}).json()
    assert api.post(f"/api/v1/deals/{deal['id']}/transitions/win", json={},
                    headers=people["Daryna Closer"][2]).status_code == 200
    taken = api.post("/api/v1/teams", headers=headers, json={"name": "Support"})
    assert taken.status_code == 201, taken.text

    sign_in_page(page, live_server, slug, t.owner_email, t.owner_password)
    page.goto(f"{live_server}/settings/members")
    page.click("text=Teams")
    page.wait_for_url("**/settings/members/teams")

    # A new team by keyboard: its name, a lead, a member ticked, Enter.
    page.locator("#new-team-name").focus()
    page.keyboard.type("Sales")
    page.select_option("#new-team-lead", people["Bohdan Seller"][0])
    box = page.locator(f"#new-team-name >> xpath=ancestor::form//input[@value="
                       f"'{people['Daryna Closer'][0]}']")
    box.focus()
    page.keyboard.press("Space")
    page.locator("#new-team-name").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/settings/members/teams?done=created*")
    assert "Team Sales created." in page.locator("[role=status]").inner_text()
    team = next(x for x in api.get("/api/v1/teams", headers=headers).json()["items"]
                if x["name"] == "Sales")
    assert team["lead_id"] == people["Bohdan Seller"][0]
    assert {m["member_id"] for m in team["members"]} == {
        people["Bohdan Seller"][0], people["Daryna Closer"][0]}
    assert "2 members" in page.locator(f"#team-{team['id']}").inner_text()
    assert_accessible(page, "teams")

    # A name another team has is refused beside the field, what was typed kept.
    name = page.locator(f"#team-{team['id']}-name")
    name.fill("support")
    name.press("Enter")
    page.wait_for_selector(f"#team-{team['id']}-name-error")
    assert "another team has this name" in page.locator(
        f"#team-{team['id']}-name-error").inner_text()
    assert page.input_value(f"#team-{team['id']}-name") == "support"
    # Renamed, and the support agent added.
    page.locator(f"#team-{team['id']}-name").fill("Sales and support")
    page.locator(f"#team-{team['id']} input[value='{people['Ivan Support'][0]}']").check()
    page.locator(f"#team-{team['id']} button:has-text('Save the team')").click()
    page.wait_for_url("**done=saved*")
    team = api.get(f"/api/v1/teams/{team['id']}", headers=headers).json()
    assert team["name"] == "Sales and support" and len(team["members"]) == 3

    # The members' report per team: the team sums its three members.
    page.goto(f"{live_server}/reports/members")
    page.click("#members-group >> text=By team")
    page.wait_for_url("**group=team*")
    row = page.locator(f"#team-{team['id']}")
    cells = row.locator("td").all_inner_texts()
    assert cells[:5] == ["3", "9", "1", "1", "0"], cells
    assert "In no team" in page.locator("#teams-report").inner_text()
    console_shot(tab, "members-report-teams")
    assert_accessible(page, "members' report per team")
    link = page.locator("#members-csv")
    assert "group=team" in link.get_attribute("href")
    csv = page.request.get(live_server + link.get_attribute("href"))
    lines = csv.text().splitlines()
    assert lines[0].startswith("team_id,team_name,members,interactions")
    assert any(line.startswith(f"{team['id']},Sales and support,3,9,") for line in lines)

    # Contacts whose owner is in the team.
    page.goto(f"{live_server}/contacts?filter=teams.owner_team:eq:{team['id']}")
    shown = " ".join(page.locator("#contact-rows tr.row").all_inner_texts())
    assert "Marta" in shown and "Oleh" in shown  # Ivan joined the team, so Oleh too
    assert page.locator("ul.chips .tag").inner_text().startswith("Owner's team")

    for lang, words, group_words in (("uk", "Команди", "За командами"),  # noqa: RUF001
                                     ("ru", "Команды", "По командам")):
        page.set_extra_http_headers({"Accept-Language": lang})
        page.goto(f"{live_server}/settings/members/teams")
        assert words in page.locator("h1").inner_text()
        assert page.locator(f"#team-{team['id']}").count() == 1
        assert_accessible(page, f"teams ({lang})")
        page.goto(f"{live_server}/reports/members?group=team")
        assert group_words in page.locator("#members-group").inner_text()
        assert page.locator(f"#team-{team['id']} td").first.inner_text() == "3"

    # Deleted: gone from the page and the API.
    page.set_extra_http_headers({"Accept-Language": "en"})
    page.goto(f"{live_server}/settings/members/teams")
    page.locator(f"#team-{team['id']} button:has-text('Delete the team')").click()
    page.wait_for_url("**done=deleted*")
    assert page.locator(f"#team-{team['id']}").count() == 0
    assert api.get(f"/api/v1/teams/{team['id']}", headers=headers).status_code == 404
