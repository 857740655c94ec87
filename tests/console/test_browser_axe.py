"""axe-core on each main screen of the console in a real Chromium: sign-in, home, the
contacts list, a customer page, the deals board, settings → members, import. No serious
or critical violation (WCAG 2.2 AA rules and axe's best practices)."""

from __future__ import annotations

from tests.browser import assert_accessible, sign_up_over_http


def test_main_screens_have_no_serious_axe_violations(tab, live_server):
    page = tab.page
    slug, email, password, api, headers = sign_up_over_http(
        live_server, "axe", "Пекарня Axe", "Olha Axe")
    customer = api.post("/api/v1/contacts", json={
        "given_name": "Oksana", "family_name": "Bila", "emails": ["oksana@example.com"],
        "phones": ["+380671234567"], "tags": ["vip"]}, headers=headers).json()
    api.post("/api/v1/deals", json={"title": "Oven", "contact_id": customer["id"],
                                    "amount": "1200.00", "currency": "UAH"}, headers=headers)
    api.post("/api/v1/tasks", json={"title": "Call back", "contact_id": customer["id"],
                                    "due_at": "2020-03-01T09:00:00Z"}, headers=headers)

    page.goto(f"{live_server}/sign-in?tenant={slug}")
    assert_accessible(page, "sign-in")
    page.fill("#f-email", email)
    page.fill("#f-password", password)
    page.click("button[type=submit].primary")
    page.wait_for_url(live_server + "/")
    failures = []
    for name, path in (("home", "/"), ("contacts", "/contacts"),
                       ("customer", f"/contacts/{customer['id']}"), ("deals", "/deals"),
                       ("settings members", "/settings/members"), ("import", "/imports")):
        page.goto(live_server + path)
        page.wait_for_load_state("networkidle")
        try:
            assert_accessible(page, name)
        except AssertionError as exc:
            failures.append(str(exc))
    # The import's own steps: the mapping with a dry run's errors, then the progress bar.
    page.goto(live_server + "/imports")
    page.set_input_files("#f-file", files=[{
        "name": "people.csv", "mimeType": "text/csv",
        "buffer": b"external_id,Given,family_name,email\nx1,Ira,Lys,ira@example.com\n"
                  b"x2,Ivan,Dub,not-an-email\n"}])
    page.click("text=Upload")
    page.wait_for_url("**/imports/files/*")
    page.select_option("#col-1", "given_name")
    page.click("text=Check (dry run)")
    page.wait_for_selector("#dry-run-heading")
    for name in ("import mapping and dry run",):
        try:
            assert_accessible(page, name)
        except AssertionError as exc:
            failures.append(str(exc))
    page.check("#f-skip")
    page.click("button.primary:has-text('Import')")
    page.wait_for_url("**/imports/jobs/*")
    page.wait_for_selector("[role=progressbar][aria-valuenow='100']")
    page.wait_for_selector("text=Imported: 1 created")
    try:
        assert_accessible(page, "import progress")
    except AssertionError as exc:
        failures.append(str(exc))
    assert not failures, "\n".join(failures)
    assert tab.csp_violations() == []
