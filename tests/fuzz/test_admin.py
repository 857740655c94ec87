"""Fuzz group `admin` (support.GROUPS): every operation no other group takes: auth, sign-up,
members, invitations, billing, modules, audit, me."""

from __future__ import annotations

from tests.fuzz.support import fuzz_group


def test_admin_operations_keep_the_document_s_promises(client, tenant, live_server):
    fuzz_group(client, tenant, live_server, "admin")
