"""Billing tests: the app's real ``stripe`` library talks to a stateful fake of Stripe's
HTTP API on loopback (``fake_stripe``), whose signed events reach the app's webhook."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from tests.billing.fake_stripe import FakeStripe
from tests.conftest import TenantHandle

WEBHOOK = "/api/v1/billing/stripe/webhook"


@pytest.fixture(scope="module")
def _server() -> Iterator[FakeStripe]:
    fake = FakeStripe().start()
    yield fake
    fake.stop()


@pytest.fixture
def stripe_fake(_server: FakeStripe, monkeypatch: pytest.MonkeyPatch) -> FakeStripe:
    """Billing on, pointed at the fake, with prices for the paid plans and every add-on."""
    _server.take()  # events of earlier tests are not this test's
    monkeypatch.setenv("RAPPORT_STRIPE_SECRET_KEY", "sk_test_fake")
    monkeypatch.setenv("RAPPORT_STRIPE_WEBHOOK_SECRET", _server.webhook_secret)
    monkeypatch.setenv("RAPPORT_STRIPE_API_BASE", _server.url)
    prices = getattr(_server, "catalogue", None)
    if prices is None:
        prices = {"team": _server.add_price(1200, "t_team"),
                  "business": _server.add_price(2900, "t_business")}
        for key in ("price_medical", "price_retail", "price_dealership", "price_education"):
            prices[key] = _server.add_price(2000, f"t_{key}")
        _server.catalogue = prices  # type: ignore[attr-defined]
    for key, price in prices.items():
        monkeypatch.setenv(f"RAPPORT_STRIPE_PRICE_{key.upper()}", price)
    return _server


@pytest.fixture
def post_event(client: TestClient) -> Callable[[bytes, str], Any]:
    def post(body: bytes, signature: str) -> Any:
        return client.post(WEBHOOK, content=body, headers={
            "Stripe-Signature": signature, "Content-Type": "application/json"})
    return post


def subscribe(client: TestClient, fake: FakeStripe, t: TenantHandle, post: Any,
              plan: str = "team", modules: tuple[str, ...] = (), card: str = "ok"
              ) -> dict[str, Any]:
    """The owner goes through Checkout and pays; Stripe's events reach the webhook."""
    r = client.post("/api/v1/billing/checkout", json={"plan": plan, "modules": list(modules)},
                    headers=t.headers)
    assert r.status_code == 201, r.text
    session_id = r.json()["url"].rsplit("/", 1)[1]
    sub = fake.complete_checkout(session_id, card=card)
    for answer in fake.deliver(post):
        assert answer.status_code == 200, answer.text
    return sub


def billing(client: TestClient, t: TenantHandle) -> dict[str, Any]:
    r = client.get("/api/v1/billing", headers=t.headers)
    assert r.status_code == 200, r.text
    return r.json()
