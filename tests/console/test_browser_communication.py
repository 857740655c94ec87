"""Communication screens in a real headless Chromium: the template editor previews the
letter live for a chosen contact (declined salutation, a refusal named as it is typed);
the campaign wizard shows the audience count with its exclusions explained; sending and
cancelling; a member follows an event; the screens in Ukrainian and Russian; axe finds
nothing serious on the editor or the campaign page."""


from __future__ import annotations

from tests.browser import assert_accessible, console_shot, sign_in_page, sign_up_over_http


def test_write_a_letter_and_send_a_campaign(tab, live_server):
    page = tab.page
    slug, email, password, api, headers = sign_up_over_http(
        live_server, "mail", "Кав'ярня", "Olha Bondar")
    ids = {}
    for name, status in (("Олена", "opt_in"), ("Петро", "opt_out")):
        r = api.post("/api/v1/contacts", headers=headers, json={
            "given_name": name, "patronymic": "Іванівна" if name == "Олена" else "Іванович",
            "language": "uk", "tags": ["news"], "email": f"{status}@{slug}.example.com"})
        assert r.status_code == 201, r.text
        ids[name] = r.json()["id"]
        assert api.post(f"/api/v1/contacts/{ids[name]}/consent", headers=headers, json={
            "channel": "email", "topic": "offers", "status": status, "source": "form",
        }).status_code == 201

    sign_in_page(page, live_server, slug, email, password)

    page.click("nav >> text=Campaigns")
    page.wait_for_url("**/campaigns")
    page.click("text=Message templates")
    page.click("text=New template")
    page.wait_for_url("**/templates/new")
    page.fill("#f-name", "Spring offer")
    page.select_option("#f-contact_id", ids["Олена"])
    body = page.locator("#f-body")
    body.fill("{{ salutation }}!\nДля вас знижка.")
    page.wait_for_selector("#preview-body >> text=Шановна Олено Іванівно!")
    body.fill("{{ salutation }}! {{ nickname }}")
    page.wait_for_selector("#template-preview .error >> text=unknown variable 'nickname'")
    body.fill("{{ salutation }}!\nДля вас знижка.\n{{ member.name }}")
    page.wait_for_selector("#preview-body >> text=Olha Bondar")
    console_shot(tab, "template-editor")
    assert_accessible(page, "template editor")
    page.click("button[type=submit].primary")
    page.wait_for_url("**/templates/*")

    page.goto(f"{live_server}/campaigns/new")
    page.fill("#f-name", "Spring")
    page.select_option("#f-template_id", label="Spring offer (email, uk)")
    page.fill("#f-definition", '{"filter": "tags:in:news"}')
    page.click("button[type=submit].primary")
    page.wait_for_url("**/campaigns/*")
    assert "1 of 2 can be reached" in page.locator("#audience-count").inner_text()
    assert "1 excluded: opted out of this channel" in page.locator(
        "#audience-excluded").inner_text()
    console_shot(tab, "campaign-audience")
    assert_accessible(page, "campaign page")
    page.click("text=Send now")
    page.wait_for_selector("#campaign-status >> text=scheduled")
    page.click("text=Cancel the campaign")
    page.wait_for_selector("#campaign-status >> text=cancelled")

    page.goto(f"{live_server}/subscriptions")
    page.select_option("#f-event_type", "transaction.recorded")
    page.select_option("#f-delivery", "email_digest")
    page.click("button[type=submit].primary")
    page.wait_for_selector("#subscription-rows >> text=A customer's purchase")

    for lang, title, follow in (("uk", "Кампанії", "Покупка клієнта"),
                                ("ru", "Кампании", "Покупка клиента")):
        page.set_extra_http_headers({"Accept-Language": lang})
        page.goto(f"{live_server}/campaigns")
        assert page.locator("h1").inner_text() == title
        page.goto(f"{live_server}/subscriptions")
        assert page.locator("#subscription-rows", has_text=follow).count() == 1
