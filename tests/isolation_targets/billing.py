"""Billing has no endpoint with a record id in its path: every door acts on the caller's own
tenant (``/api/v1/billing``, ``/checkout``, ``/portal``, ``/addons``), and the webhook finds
the tenant by Stripe customer only. tests/billing/test_isolation.py proves that one tenant's
billing never shows or changes another's."""

from __future__ import annotations

from tests.isolation_targets import Target

TARGETS: dict[str, Target] = {}
