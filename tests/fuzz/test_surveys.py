"""Fuzz group `surveys` (support.GROUPS): surveys, invitations, the report and its CSV, and
the public answer endpoint of a signed link."""

from __future__ import annotations

from tests.fuzz.support import fuzz_group


def test_survey_operations_keep_the_document_s_promises(client, tenant, live_server):
    fuzz_group(client, tenant, live_server, "surveys")
