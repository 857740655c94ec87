"""Fuzz group `api_clients` (support.GROUPS): API clients, the OAuth token endpoint, my
sign-ins."""

from __future__ import annotations

from tests.fuzz.support import fuzz_group


def test_api_client_operations_keep_the_document_s_promises(client, tenant, live_server):
    fuzz_group(client, tenant, live_server, "api_clients")
