"""Fuzz group `webhooks` (support.GROUPS): endpoints, their deliveries, the event types."""

from __future__ import annotations

from tests.fuzz.support import fuzz_group


def test_webhook_operations_keep_the_document_s_promises(client, tenant, live_server):
    fuzz_group(client, tenant, live_server, "webhooks")
