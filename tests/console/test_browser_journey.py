"""The console in a real headless Chromium. The whole journey of issue 13 (sign up → invite a
member → import a CSV with column mapping → find a customer by a misspelt name → log a call
→ move a deal → turn medical on → share a patient with another clinic), with a screenshot
and axe-core on each screen; and sign up → find a customer by a misspelt name → the customer
page, on a 375 px phone and in Ukrainian. No CSP violation, no script error, no request off
the machine.

Screenshots go to .artifacts/screenshots/; with RAPPORT_DOC_IMAGES=1 the ones the docs show
are also written to docs/img/ (how docs/console.md's images are made).
"""

from __future__ import annotations

import secrets

import httpx
from playwright.sync_api import expect

from tests.browser import assert_accessible, console_shot
from tests.conftest import sign_up


def _clean(tab) -> None:
    assert tab.csp_violations() == []
    assert tab.console_errors == []
    assert tab.blocked == []


def test_sign_up_find_a_customer_by_a_misspelt_name(tab, live_server):
    page = tab.page
    slug = "cafe-" + secrets.token_hex(3)
    email, password = f"olena@{slug}.example.com", "correct horse battery staple"

    page.goto(live_server + "/")
    assert page.url.endswith("/sign-in?next=/")
    console_shot(tab, "sign-in")
    page.click("text=Create an organization")
    page.fill("#f-organization-name", "Кав'ярня Зерно")
    page.fill("#f-organization-slug", slug)
    page.fill("#f-admin-full_name", "Olena Kovalenko")
    page.fill("#f-admin-email", email)
    page.fill("#f-admin-password", password)
    console_shot(tab, "sign-up")
    page.click("button[type=submit].primary")
    page.wait_for_url("**/sign-in?tenant=*")
    assert page.input_value("#f-tenant") == slug

    # Customers arrive through the API (as an import or another app would add them).
    api = httpx.Client(base_url=live_server)
    token = api.post("/api/v1/auth/login", json={"tenant": slug, "email": email,
                                                 "password": password}).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    for given, family, mail in [("Mykhailo", "Hrushevskyi", "mh@example.com"),
                                ("Lesya", "Ukrainka", "lesya@example.com"),
                                ("Ivan", "Franko", None)]:
        body = {"given_name": given, "family_name": family, "email": mail,
                "phones": [{"number": "+380 44 123 45 67"}] if given == "Lesya" else []}
        assert api.post("/api/v1/contacts", json=body, headers=headers).status_code == 201
    lesya = api.get("/api/v1/contacts?q=Lesya", headers=headers).json()["items"][0]["id"]
    api.post("/api/v1/interactions", json={"contact_id": lesya, "kind": "call",
                                           "subject": "Wants oat milk"}, headers=headers)

    page.fill("#f-email", email)
    page.fill("#f-password", password)
    page.click("button[type=submit].primary")
    page.wait_for_url(live_server + "/")
    assert page.locator("h1").inner_text() == "Home"
    assert "Кав'ярня Зерно" in page.locator(".topbar").inner_text()
    console_shot(tab, "home")

    page.click("nav.mainnav >> text=Contacts")
    page.wait_for_url("**/contacts")
    assert "Ivan Franko" in page.locator("#contact-results").inner_text()
    page.locator("#q").press_sequentially("Ukrainak", delay=40)  # typed, and misspelt
    # The results are swapped in place and the search goes into the address.
    page.wait_for_url("**/contacts?q=Ukrainak")
    page.wait_for_function(
        "!document.querySelector('#contact-results').innerText.includes('Franko')")
    assert "Lesya Ukrainka" in page.locator("#contact-results").inner_text()
    console_shot(tab, "contacts-search")

    page.click("#contact-results >> text=Lesya Ukrainka")
    page.wait_for_selector("h1:has-text('Lesya Ukrainka')")
    text = page.locator("main").inner_text()
    assert "lesya@example.com" in text and "Wants oat milk" in text
    assert "Who already worked with this customer" in text
    console_shot(tab, "customer")
    _clean(tab)

    # The same page on a phone: nothing wider than the screen.
    page.set_viewport_size({"width": 375, "height": 800})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    console_shot(tab, "customer-375px")

    # And in Ukrainian, chosen by the member.
    page.goto(live_server + "/preferences")
    page.select_option("#f-language", "uk")
    page.click("button[type=submit].primary")
    page.goto(live_server + "/")
    assert page.locator("h1").inner_text() == "Головна"
    console_shot(tab, "home-uk")
    _clean(tab)


def _step(tab, name: str) -> None:
    """Each screen of the journey: a screenshot, axe-core, and nothing refused or broken."""
    console_shot(tab, f"journey-{name}")
    assert_accessible(tab.page, name)
    _clean(tab)


def _focused(page, element_id: str) -> None:
    """Wait until focus has landed on ``element_id`` (after htmx settled its swap), instead
    of reading ``activeElement`` while the swap may still be under way."""
    page.wait_for_function("id => document.activeElement && document.activeElement.id === id",
                           arg=element_id)


def test_the_whole_journey(tab, browser, live_server, inbox):
    """Sign up → invite a member (the letter read from the test mailbox, accepted in their
    own browser) → import a CSV with column mapping → find a customer by a misspelt name →
    log a call → move a deal → turn the medical module on → share a patient with another
    clinic. Every step through the console's own screens, except what the console has no
    form for (the other clinic, the deal and the patient's medical record: the API)."""
    page = tab.page
    slug = "bakery-" + secrets.token_hex(3)
    email, password = f"olena@{slug}.example.com", "correct horse battery staple"

    # 1. Sign up, then sign in.
    page.goto(live_server + "/sign-up")
    page.fill("#f-organization-name", "Пекарня Колосок")
    page.fill("#f-organization-slug", slug)
    page.fill("#f-admin-full_name", "Olena Kovalenko")
    page.fill("#f-admin-email", email)
    page.fill("#f-admin-password", password)
    _step(tab, "sign-up")
    page.click("button[type=submit].primary")
    page.wait_for_url("**/sign-in?tenant=*")
    page.fill("#f-email", email)
    page.fill("#f-password", password)
    page.click("button[type=submit].primary")
    page.wait_for_url(live_server + "/")
    expect(page.locator("h1")).to_have_text("Home")
    _step(tab, "home")

    # 2. Invite a member; they read the letter and join in their own browser.
    page.click("nav.mainnav >> text=Settings")
    page.wait_for_url("**/settings/members")
    invited = f"taras-{secrets.token_hex(3)}@example.com"
    page.fill("#f-email", invited)
    page.fill("#f-full_name", "Taras Baker")
    page.select_option("#f-role", "member")
    page.click("text=Send invitation")
    page.wait_for_selector(f"#members-section >> text={invited}")
    expect(page.locator("#announcer")).to_contain_text(f"Invitation sent to {invited}")
    _step(tab, "invite")
    letter = inbox.wait_for(invited)
    theirs = browser.new_context()
    try:
        joining = theirs.new_page()
        joining.goto(f"{live_server}/invite?tenant={slug}&token={letter.token}")
        joining.fill("#f-password", "taras has a long password")
        joining.click("button[type=submit].primary")
        joining.wait_for_url("**/sign-in?*joined=1*")
    finally:
        theirs.close()
    page.reload()
    expect(page.locator("#members-section")).not_to_contain_text("invitation pending")

    # 3. Import customers from a CSV whose headers name none of the columns: map them.
    page.click("nav.mainnav >> text=Import and export")
    page.wait_for_url("**/imports")
    page.set_input_files("#f-file", files=[{
        "name": "customers.csv", "mimeType": "text/csv",
        "buffer": "Ім'я,Прізвище,Пошта,Код\n"
                  "Lesya,Ukrainka,lesya@example.com,c1\n"
                  "Ivan,Franko,ivan@example.com,c2\n"
                  "Mykhailo,Hrushevskyi,mh@example.com,c3\n".encode()}])
    page.click("text=Upload")
    page.wait_for_url("**/imports/files/*")
    for column, target in enumerate(("given_name", "family_name", "email", "external_id")):
        page.select_option(f"#col-{column}", target)
    page.click("text=Check (dry run)")
    page.wait_for_selector("#dry-run-heading")
    _step(tab, "import-mapping")
    page.click("button.primary:has-text('Import')")
    page.wait_for_url("**/imports/jobs/*")
    page.wait_for_selector("[role=progressbar][aria-valuenow='100']")
    page.wait_for_selector("text=Imported: 3 created")
    _step(tab, "import-done")

    # 4. Find a customer by a misspelt name, typed as a person types.
    page.click("nav.mainnav >> text=Contacts")
    page.wait_for_url("**/contacts")
    page.locator("#q").press_sequentially("Ukrainak", delay=40)
    page.wait_for_url("**/contacts?q=Ukrainak")
    expect(page.locator("#contact-results")).not_to_contain_text("Franko")
    expect(page.locator("#contact-results")).to_contain_text("Lesya Ukrainka")
    _step(tab, "search")
    page.click("#contact-results >> text=Lesya Ukrainka")
    page.wait_for_selector("h1:has-text('Lesya Ukrainka')")
    customer_id = page.url.split("/contacts/")[1].split("?")[0]

    # 5. Log a call from the customer page.
    page.select_option("#f-kind", "call")
    page.select_option("#f-direction", "outbound")
    page.fill("#f-subject", "Wants rye bread on Fridays")
    page.fill("#f-outcome", "standing order")
    page.click("button.primary:has-text('Log it')")
    page.wait_for_url("**/contacts/*?logged=call*")
    expect(page.locator(".timeline")).to_contain_text("Logged. It is on the timeline.")
    expect(page.locator(".timeline")).to_contain_text("Wants rye bread on Fridays")
    _step(tab, "customer-call-logged")

    # 6. Move a deal on the board with the "Move to stage…" control, by keyboard.
    api = httpx.Client(base_url=live_server)
    token = api.post("/api/v1/auth/login", json={"tenant": slug, "email": email,
                                                 "password": password}).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    deal = api.post("/api/v1/deals", headers=headers, json={
        "title": "Weekly rye", "amount": "1200", "currency": "UAH",
        "contact_id": customer_id}).json()["id"]
    page.click("nav.mainnav >> text=Deals")
    page.wait_for_url("**/deals")
    card = f"#deal-{deal}"
    expect(page.locator(f"section[data-stage=lead] {card}")).to_have_count(1)
    page.select_option(f"#stage-{deal}", "proposal")
    page.focus(f"#move-{deal} button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_selector(f"section[data-stage=proposal] {card}")
    _focused(page, f"deal-{deal}")
    expect(page.locator("#announcer")).to_contain_text("Weekly rye")
    _step(tab, "deal-moved")

    # 7. Turn the medical module on; its screens join the navigation.
    page.click("nav.mainnav >> text=Settings")
    page.click("nav.subnav >> text=Modules")
    page.wait_for_url("**/settings/modules")
    page.click("#module-medical >> text=Turn on")
    page.wait_for_url("**/settings/modules?enabled=medical*")
    expect(page.locator("nav.mainnav")).to_contain_text("Access requests")
    _step(tab, "medical-on")

    # 8. Share the patient with another clinic (which signs up and turns medical on through
    # the API; the console has no form for a patient's medical record, so it is the API's).
    other = sign_up(api)
    assert api.put("/api/v1/modules/medical", headers=other.headers).status_code == 200
    r = api.post("/api/v1/medical/patients", headers=headers, json={
        "contact_id": customer_id, "mrn": "MRN-1", "birth_date": "1971-02-25", "sex": "female"})
    assert r.status_code == 201, r.text
    page.goto(f"{live_server}/contacts/{customer_id}")
    page.locator("#panel-medical-chart >> text=Open the chart").click()
    page.wait_for_selector("h1:has-text('Lesya Ukrainka')")
    _step(tab, "medical-chart")
    page.fill("#f-organization", other.slug)
    page.check("input[name=sections][value=demographics]")
    page.fill("#f-purpose", "referral to a dietitian")
    page.fill("#f-evidence", "signed form no. 7")
    page.fill("#f-expires_at", "2099-12-31")
    page.click("text=Share >> nth=-1")
    page.wait_for_url("**?shared=1")
    page.goto(f"{live_server}/apps/medical/sharing")
    expect(page.locator("main")).to_contain_text("referral to a dietitian")
    _step(tab, "medical-shared")
