"""Fuzz group `data` (support.GROUPS): segments, custom fields, imports, reports, trash,
notifications and sharing."""

from __future__ import annotations

from tests.fuzz.support import fuzz_group


def test_data_operations_keep_the_document_s_promises(client, tenant, live_server):
    fuzz_group(client, tenant, live_server, "data")
