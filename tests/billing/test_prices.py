"""What an add-on costs, in ``GET /api/v1/billing`` and the module marketplace: the mapped
Stripe price's amount, currency and interval (the catalogue's when none is mapped); no
prices at all in self-hosted mode."""

from __future__ import annotations

from tests.billing.conftest import billing
from tests.console.support import sign_in


def _module(body: dict, name: str) -> dict:
    return next(m for m in body["modules"] if m["name"] == name)


def test_addon_prices_come_from_stripe_and_show_in_the_marketplace(
        client, tenant, stripe_fake, monkeypatch):
    body = billing(client, tenant)
    assert _module(body, "medical")["price"] == {
        "amount": 2000, "currency": "eur", "interval": "month", "source": "stripe"}
    # An operator's own price in Stripe, with another amount and interval.
    yearly = stripe_fake.add_price(19_900, "t_yearly_retail")
    stripe_fake.prices[yearly]["recurring"] = {"interval": "year", "interval_count": 1}
    monkeypatch.setenv("RAPPORT_STRIPE_PRICE_PRICE_RETAIL", yearly)
    # Not mapped: the catalogue's monthly price, in the installation's currency.
    monkeypatch.delenv("RAPPORT_STRIPE_PRICE_PRICE_EDUCATION")
    body = billing(client, tenant)
    assert _module(body, "retail")["price"] == {
        "amount": 19_900, "currency": "eur", "interval": "year", "source": "stripe"}
    assert _module(body, "education")["price"]["source"] == "catalogue"

    sign_in(client, tenant)
    page = client.get("/settings/modules")
    assert page.status_code == 200, page.text
    assert "Add-on: 20.00 EUR / month" in page.text
    assert "Add-on: 199.00 EUR / year" in page.text


def test_self_hosted_shows_no_prices_and_asks_stripe_nothing(client, tenant, monkeypatch):
    monkeypatch.delenv("RAPPORT_STRIPE_SECRET_KEY", raising=False)
    assert all(m["price"] is None for m in billing(client, tenant)["modules"])
    sign_in(client, tenant)
    page = client.get("/settings/modules")
    assert page.status_code == 200 and "Add-on:" not in page.text
