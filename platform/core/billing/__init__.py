"""Billing with Stripe: plans and module add-ons (``catalogue``), entitlements derived from
all of a tenant's subscriptions (``entitlements``, ``accounts.converge``), the checks that
gate modules and limits (``gate``), the HTTP doors (``controllers``) and ``rapport billing``
(``cli``). Without ``RAPPORT_STRIPE_SECRET_KEY`` billing is off and everything is free."""
