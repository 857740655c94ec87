"""Fuzz group `communication` (support.GROUPS): templates, campaigns (bounces and DSNs
included), subscriptions, the signature, the unsubscribe link and the tracking links."""

from __future__ import annotations

from tests.fuzz.support import fuzz_group


def test_communication_operations_keep_the_document_s_promises(client, tenant, live_server):
    fuzz_group(client, tenant, live_server, "communication")
