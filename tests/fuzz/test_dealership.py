"""Fuzz group `dealership` (support.GROUPS): the dealership plugin's routes, for a tenant
without the module (tests/plugins/dealership/test_fuzz.py fuzzes them with it on)."""

from __future__ import annotations

from tests.fuzz.support import fuzz_group


def test_dealership_operations_keep_the_document_s_promises(client, tenant, live_server):
    fuzz_group(client, tenant, live_server, "dealership")
