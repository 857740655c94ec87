"""Fuzz group `stamps` (support.GROUPS): the example vendor plugin's routes
(tests/vendor_plugin)."""

from __future__ import annotations

from tests.fuzz.support import fuzz_group


def test_stamps_operations_keep_the_document_s_promises(client, tenant, live_server):
    fuzz_group(client, tenant, live_server, "stamps")
