"""Survey screens in a real headless Chromium: the owner creates a survey, edits it (a
threshold and one more item in three languages), invites a customer from the survey's
page; the customer opens the link without signing in at 375 px, in their own language
(Ukrainian), is told what is missing, then answers with the keyboard alone; the low score
opens a task; the editor sets automatic invitations after visits and a reminder; the
report shows the response rate and the per-dimension gaps as a chart and a table, in English
and Ukrainian; a second invitation goes from the customer's page. axe finds nothing
serious on any of these pages."""

from __future__ import annotations

import re
import uuid

from tests import mailbox
from tests.browser import assert_accessible, console_shot, sign_in_page, sign_up_over_http

ITEMS = 22


def _answer_with_the_keyboard(page, items: int, expectation: int, perception: int) -> None:
    """Tab into each group of seven radio buttons, Space picks 1, arrows move up."""
    page.keyboard.press("Tab")
    for _ in range(60):  # past the page's links to the first group
        if page.evaluate("document.activeElement.name") == "e-q01":
            break
        page.keyboard.press("Tab")
    for _ in range(items):
        for score in (expectation, perception):
            page.keyboard.press("Space")
            for _ in range(score - 1):
                page.keyboard.press("ArrowRight")
            page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "f-comment"
    page.keyboard.type("Долго ждали")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")


def test_a_survey_from_its_editor_to_the_report(tab, browser, live_server):
    page = tab.page
    owner = sign_up_over_http(live_server, "survey", "Clinic", "Olha Owner")
    email = f"mykola-{uuid.uuid4().hex[:8]}@example.com"
    contact = owner.api.post("/api/v1/contacts", headers=owner.headers, json={
        "given_name": "Микола", "patronymic": "Петрович", "family_name": "Бондаренко",
        "email": email, "language": "uk"}).json()["id"]

    sign_in_page(page, live_server, owner.slug, owner.email, owner.password)
    page.click("nav >> text=Surveys")
    page.wait_for_url("**/surveys")
    assert_accessible(page, "survey list")
    page.fill("#f-name", "After the visit")
    page.click("#survey-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/surveys/[0-9a-f-]{36}$"))
    survey_id = page.url.rsplit("/", 1)[1]

    # The editor: a threshold and a new item of the tenant's own, in three languages.
    page.fill("#f-threshold", "-0.5")
    new = ITEMS  # the blank row after the 22
    page.fill(f"[name=item-{new}-key]", "parking")
    page.fill(f"[name=item-{new}-dimension]", "convenience")
    page.fill(f"[name=item-{new}-text-en]", "Easy parking")
    page.fill(f"[name=item-{new}-text-uk]", "Зручна парковка")
    page.fill(f"[name=item-{new}-text-ru]", "Удобная парковка")
    # Invite after each visit by e-mail, remind after three days.
    page.check("#survey-automatic input[value=visit]")
    page.select_option("#f-auto_channel", "email")
    page.fill("#f-remind_after_days", "3")
    page.click("#survey-editor button[type=submit]")
    page.wait_for_url("**?saved=1")
    saved = owner.api.get(f"/api/v1/surveys/{survey_id}", headers=owner.headers).json()
    assert (saved["auto_kinds"], saved["auto_channel"], saved["remind_after_days"]) == (
        ["visit"], "email", 3)
    assert saved["threshold"] == -0.5 and len(saved["items"]) == ITEMS + 1
    assert saved["items"][-1] == {"key": "parking", "dimension": "convenience", "text": {
        "en": "Easy parking", "uk": "Зручна парковка", "ru": "Удобная парковка"}}
    # A refusal is shown and nothing is saved: an item without its Russian statement.
    page.fill(f"[name=item-{ITEMS}-text-ru]", "")
    page.click("#survey-editor button[type=submit]")
    page.wait_for_selector("#survey-error >> text=no statement in ru")
    assert page.input_value(f"[name=item-{ITEMS}-text-uk]") == "Зручна парковка"
    page.fill(f"[name=item-{ITEMS}-text-ru]", "Удобная парковка")
    assert_accessible(page, "survey editor")
    console_shot(tab, "survey-editor")

    # An invitation from the survey's page.
    page.select_option("#f-contact_id", contact)
    page.fill("#invite-form #f-service_point", "Kyiv, Khreshchatyk 1")
    page.click("#invite-form button[type=submit]")
    page.wait_for_selector(f"#invite-result >> text={email}")
    letter = mailbox.MAILBOX.wait_for(email)
    assert letter.text.startswith("Шановний Миколо Петровичу!")
    token = re.search(r"/survey/([A-Za-z0-9_\-]+)", letter.text).group(1)

    # The customer, not signed in, on a phone.
    phone = browser.new_context(viewport={"width": 375, "height": 800})
    try:
        person = phone.new_page()
        person.goto(f"{live_server}/survey/{token}")
        person.wait_for_selector("text=Матеріальність")
        assert person.locator("fieldset.survey-item").count() == ITEMS + 1
        assert person.evaluate("document.documentElement.scrollWidth") <= 375
        assert_accessible(person, "answer page")
        person.click("#survey-answers button[type=submit]")
        person.wait_for_selector("#survey-missing >> text=23 твердження ще потребують")
        assert_accessible(person, "answer page with its refusal")
        _answer_with_the_keyboard(person, ITEMS + 1, 7, 3)
        person.wait_for_selector("#survey-thanks")
        assert "Дякуємо" in person.locator("#survey-thanks").inner_text()
        console_shot(type("Shot", (), {"page": person})(), "survey-answer-thanks")
        person.goto(f"{live_server}/survey/{token}")
        person.wait_for_selector("#survey-link-error >> text=already answered")
        person.goto(f"{live_server}/survey/{token[:-4]}AAAA")
        person.wait_for_selector("#survey-link-error")
    finally:
        phone.close()

    tasks = owner.api.get("/api/v1/tasks", headers=owner.headers,
                          params={"contact_id": contact}).json()["items"]
    assert len(tasks) == 1 and tasks[0]["title"].startswith("Low survey score")

    # The report: the chart and the table say the same.
    page.goto(f"{live_server}/surveys/{survey_id}/report")
    page.wait_for_selector("#gap-chart")
    assert page.locator("#gap-chart rect").count() == 6
    table = page.locator("#survey-report-table").inner_text()
    assert "Tangibles" in table and "-4.00" in table
    assert "-4.00" in page.locator("#survey-score").inner_text()
    assert_accessible(page, "survey report")
    console_shot(tab, "survey-report")
    page.select_option("#f-group", "service_point")
    page.click("#report-form button[type=submit]")
    page.wait_for_selector("#survey-report-table >> text=Kyiv, Khreshchatyk 1")
    assert "100%" in page.locator("#survey-rate").inner_text()  # 1 invited, 1 answered
    page.set_extra_http_headers({"Accept-Language": "uk"})
    page.goto(f"{live_server}/surveys/{survey_id}/report")
    page.wait_for_selector("text=Розрив за вимірами")
    assert "Матеріальність" in page.locator("#survey-report-table").inner_text()
    assert_accessible(page, "survey report in Ukrainian")

    # From the customer's page.
    page.goto(f"{live_server}/contacts/{contact}")
    page.select_option("#survey-invite-panel #f-survey_id", survey_id)
    page.fill("#survey-invite-panel #f-service_point", "Lviv")
    page.click("#survey-invite-panel button[type=submit]")
    page.wait_for_selector(f"#invite-result >> text={email}")
    mailbox.MAILBOX.wait_for(email, count=2)
