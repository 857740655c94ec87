"""The analysis dashboard in a real headless Chromium: an owner starts a recompute with the
button, the worker's pass runs it, and the dashboard shows the ABC-XYZ matrix, the RFM
cells and the CLV distribution as server-rendered SVG; the customer page shows the
customer's classes; the dashboard in Ukrainian and Russian; axe finds nothing serious.

Screenshots go to .artifacts/screenshots/ (docs/img/ too with RAPPORT_DOC_IMAGES=1).
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from tests.browser import assert_accessible, console_shot, sign_in_page, sign_up_over_http


async def _worker_pass(app_url) -> int:
    from sqlalchemy.ext.asyncio import create_async_engine

    from rapport.core.analytics import jobs
    from rapport.db.session import CONNECT_ARGS, make_sessionmaker

    engine = create_async_engine(app_url, connect_args=CONNECT_ARGS)
    try:
        return await jobs.run_due(make_sessionmaker(engine), 1000)
    finally:
        await engine.dispose()


def test_the_dashboard_and_the_customer_classes(tab, live_server, database):
    page = tab.page
    slug, email, password, api, headers = sign_up_over_http(
        live_server, "anl", "Пекарня", "Iryna Koval")
    now = datetime.now(UTC)
    people = {}
    for i, name in enumerate(("Marta", "Ostap", "Yurii", "Solomiia", "Taras", "Nina")):
        r = api.post("/api/v1/contacts", json={"given_name": name}, headers=headers)
        assert r.status_code == 201, r.text
        people[name] = r.json()["id"]
        for k in range(6 - i):
            r = api.post("/api/v1/transactions", headers=headers, json={
                "currency": "UAH", "amount": f"{(6 - i) * 100 + k}", "channel": "store",
                "contact_id": people[name],
                "occurred_at": (now - timedelta(days=2 + 40 * i + 25 * k)).isoformat()})
            assert r.status_code == 201, r.text

    sign_in_page(page, live_server, slug, email, password)
    page.click("nav >> text=Analysis")
    page.wait_for_url("**/analytics")
    assert page.locator("text=Nothing computed yet.").count() == 1
    page.click("text=Recompute now")
    page.wait_for_selector("#analytics-running")
    # The worker's pass, in a thread of its own (Playwright's loop runs in this one).
    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(asyncio.run, _worker_pass(database.app_url)).result() == 1
    page.reload()
    page.wait_for_selector("#analytics-job")
    assert "UAH" in page.locator("#analytics-job").inner_text()
    matrix = page.locator("#abc-xyz")
    assert matrix.locator("tbody tr").count() == 3
    totals = [int(t) for t in matrix.locator("tbody tr td:last-child").all_inner_texts()]
    assert sum(totals) == 6
    assert page.locator("#rfm-chart rect").count() == 11
    assert page.locator("#clv-chart rect").count() == 10
    console_shot(tab, "analytics-dashboard")
    assert_accessible(page, "analysis dashboard")

    page.goto(f"{live_server}/contacts/{people['Marta']}")
    page.wait_for_selector("#customer-classes")
    assert page.locator("#class-abc").inner_text().startswith("A")
    assert "UAH" in page.locator("#class-clv").inner_text()
    console_shot(tab, "customer-classes")

    for lang, title in (("uk", "Аналітика"), ("ru", "Аналитика")):
        page.set_extra_http_headers({"Accept-Language": lang})
        page.goto(f"{live_server}/analytics")
        assert page.locator("h1").inner_text() == title
        assert page.locator("#h-matrix").inner_text() in ("Матриця ABC-XYZ", "Матрица ABC-XYZ")
