"""One tenant's billing never shows or changes another's."""

from __future__ import annotations

from tests.billing.conftest import billing, subscribe


def test_a_tenants_subscription_entitles_only_that_tenant(client, tenant, other_tenant,
                                                          stripe_fake, post_event):
    subscribe(client, stripe_fake, tenant, post_event, plan="business")
    assert billing(client, tenant)["plan"]["key"] == "business"
    assert billing(client, other_tenant)["plan"]["key"] == "free"
    assert client.put("/api/v1/modules/medical", headers=other_tenant.headers).status_code == 402
    # The other tenant's portal is for its own, new customer.
    r = client.post("/api/v1/billing/portal", headers=other_tenant.headers)
    assert r.status_code == 201
    customers = {p["customer"] for p in stripe_fake.portal_sessions.values()}
    mine = next(c for c in stripe_fake.customers.values()
                if c["metadata"].get("rapport_tenant") == tenant.id)
    theirs = next(c for c in stripe_fake.customers.values()
                  if c["metadata"].get("rapport_tenant") == other_tenant.id)
    assert theirs["id"] in customers and mine["id"] != theirs["id"]
    # Adding an add-on on the other tenant's behalf is impossible: it has no subscription.
    r = client.post("/api/v1/billing/addons", json={"module": "retail"},
                    headers=other_tenant.headers)
    assert r.status_code == 409
