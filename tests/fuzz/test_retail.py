"""Fuzz group `retail` (support.GROUPS): the retail plugin's routes, for a tenant without
the module."""

from __future__ import annotations

from tests.fuzz.support import fuzz_group


def test_retail_operations_keep_the_document_s_promises(client, tenant, live_server):
    fuzz_group(client, tenant, live_server, "retail")
