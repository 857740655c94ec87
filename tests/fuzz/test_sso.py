"""Fuzz group `sso` (support.GROUPS): the single sign-on settings, their test connection,
and the public start and callback of a sign-in."""

from __future__ import annotations

from tests.fuzz.support import fuzz_group


def test_sso_operations_keep_the_document_s_promises(client, tenant, live_server):
    fuzz_group(client, tenant, live_server, "sso")
