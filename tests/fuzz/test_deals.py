"""Fuzz group `deals` (support.GROUPS): deals, pipelines, tasks, interactions, transactions and
workflows."""

from __future__ import annotations

from tests.fuzz.support import fuzz_group


def test_deals_operations_keep_the_document_s_promises(client, tenant, live_server):
    fuzz_group(client, tenant, live_server, "deals")
