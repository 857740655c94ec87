"""The segment builder in a real headless Chromium: conditions added from presets and a
definition typed into the builder are counted live (htmx), a mistake named beside it as it
is typed; saved as a static
segment, its page lists the members with the CSV export and a new snapshot takes in a
contact who joined since; the list and the page in Ukrainian and Russian; axe finds
nothing serious on the builder or the segment page.

Screenshots go to .artifacts/screenshots/ (docs/img/ too with RAPPORT_DOC_IMAGES=1).
"""

from __future__ import annotations

from tests.browser import assert_accessible, console_shot, sign_in_page, sign_up_over_http


def _definition_has(page, text: str) -> None:
    page.wait_for_function("t => document.querySelector('#f-definition').value.includes(t)",
                           arg=text)


def test_build_a_segment_with_a_live_count(tab, live_server):
    page = tab.page
    slug, email, password, api, headers = sign_up_over_http(
        live_server, "segs", "Кав'ярня", "Olha Bondar")
    for name, tags in (("Marta", ["vip"]), ("Ostap", ["vip"]), ("Yurii", [])):
        r = api.post("/api/v1/contacts", json={"given_name": name, "tags": tags},
                     headers=headers)
        assert r.status_code == 201, r.text

    sign_in_page(page, live_server, slug, email, password)

    page.click("nav >> text=Segments")
    page.wait_for_url("**/segments")
    page.click("text=New segment")
    page.wait_for_url("**/segments/new")
    page.fill("#f-name", "VIP guests")
    page.check("input[name=kind][value=static]")
    # Built without writing JSON: two conditions added, counted as they come in.
    page.locator("#f-definition").fill("")
    page.select_option("#f-preset", "tag")
    page.fill("#f-value", "vip")
    page.click("#add-condition button")
    page.wait_for_selector("#segment-count >> text=2 contacts match now")
    page.select_option("#f-preset", "bought_within")
    page.fill("#f-value", "30")
    page.click("#add-condition button")
    page.wait_for_selector("#segment-count >> text=0 contacts match now")
    assert '"purchases": {"within_days": 30}' in page.locator("#f-definition").input_value()
    # Sums, a category, "not" around the group built so far (the API's own grammar).
    page.select_option("#f-preset", "spent_at_least")
    page.fill("#f-value", "250 eur")
    page.click("#add-condition button")
    _definition_has(page, '{"min_sum": "250", "currency": "EUR"}')
    page.wait_for_selector("#segment-count >> text=0 contacts match now")
    page.select_option("#f-preset", "negate_above")
    page.click("#add-condition button")
    _definition_has(page, '{"not": {"all": [')
    page.wait_for_selector("#segment-count >> text=3 contacts match now")
    page.locator("#f-definition").fill("")
    page.select_option("#f-preset", "bought_category")
    page.fill("#f-value", "Coffee")
    page.check("input[name=negate]")
    page.click("#add-condition button")
    _definition_has(page, '{"not": {"purchases": {"category": "Coffee"}}}')
    page.wait_for_selector("#segment-count >> text=3 contacts match now")
    page.uncheck("input[name=negate]")
    # A contributed condition (GET /segments/conditions) is a preset too, its value JSON.
    page.select_option("#f-preset", "contributed:analytics")
    page.fill("#f-value", '{"abc": ["A"]}')
    page.click("#add-condition button")
    _definition_has(page, '{"analytics": {"abc": ["A"]}}')
    page.wait_for_selector("#segment-count >> text=0 contacts match now")
    definition = page.locator("#f-definition")
    # A mistake is named as it is typed, with the node's path.
    definition.fill('{"purchases": {"within_days": 0}}')
    page.wait_for_selector("#segment-count .error >> text=definition.purchases.within_days")
    definition.fill('{"filter": "tags:eq:vip"}')
    page.wait_for_selector("#segment-count >> text=2 contacts match now")
    console_shot(tab, "segment-builder")
    assert_accessible(page, "segment builder")
    page.click("button[type=submit].primary")
    page.wait_for_url("**/segments/*")
    assert page.locator("#segment-total").inner_text() == "2"
    members = page.locator("#segment-members")
    assert members.locator("text=Marta").count() == 1
    assert members.locator("text=Yurii").count() == 0
    export = page.locator("a[download]")
    segment_url = page.url
    assert export.get_attribute("href").endswith("/export?format=csv")
    csv_text = page.evaluate(
        "href => fetch(href).then(r => r.text())", export.get_attribute("href"))
    assert csv_text.splitlines()[0].startswith("external_id,") and "Ostap" in csv_text
    console_shot(tab, "segment-page")
    assert_accessible(page, "segment page")

    # Yurii becomes a VIP: the snapshot keeps two until a new one is taken.
    yurii = api.get("/api/v1/contacts", params={"q": "Yurii"}, headers=headers).json()
    r = api.patch(f"/api/v1/contacts/{yurii['items'][0]['id']}", json={"tags": ["vip"]},
                  headers=headers)
    assert r.status_code == 200, r.text
    page.reload()
    assert page.locator("#segment-total").inner_text() == "2"
    page.click("text=Take a new snapshot")
    page.wait_for_url(segment_url)
    page.wait_for_selector("#segment-total >> text=3")

    # The same screens in Ukrainian and Russian.
    for lang, title, kind in (("uk", "Сегменти", "Статичний"), ("ru", "Сегменты", "Статический")):
        page.set_extra_http_headers({"Accept-Language": lang})
        page.goto(f"{live_server}/segments")
        assert page.locator("h1").inner_text() == title
        assert page.locator("#segment-rows", has_text=kind).count() == 1
    page.goto(segment_url)
    assert page.locator("text=Зробити новий знімок").count() + page.locator(
        "text=Сделать новый снимок").count() == 1
