"""The queries behind the timeline, the lists, the colleague section and the activity
report each walk one index, on a contact with thousands of interactions."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from rapport.core.interactions.colleagues import colleagues_statement
from rapport.core.interactions.entries import page_statement
from rapport.core.interactions.service import list_statement
from rapport.core.reports.activity import ACTIVITY_SQL
from tests.conftest import sign_up
from tests.core.interactions.support import bulk_interactions, contact, explain

ROWS = 3000


@pytest.fixture(scope="module")
def busy(client, database):
    org = sign_up(client)
    person = contact(client, org, "Busy customer")
    members = [str(uuid.uuid4()) for _ in range(4)]
    bulk_interactions(database, org.id, person, members, ROWS)
    # Other customers hold most of the tenant's rows, as in any real tenant.
    for n in range(10):
        bulk_interactions(database, org.id, contact(client, org, f"Other {n}"), members, 600)
    return org.id, uuid.UUID(person), uuid.UUID(members[0])


def test_the_timeline_page_walks_the_contact_index_without_sorting(database, busy):
    tenant, person, _ = busy
    cursor = (datetime.now(UTC) - timedelta(hours=100), uuid.UUID(int=0))
    plan = explain(
        database,
        tenant,
        page_statement(uuid.UUID(tenant), person, upto=cursor, before=None, limit=52),
    )
    assert "ix_interactions_tenant_id_contact_id_occurred_at_id" in plan, plan
    assert "Sort Key" not in plan, plan


def test_lists_by_contact_member_and_tenant_each_use_their_index(database, busy):
    tenant, person, member = busy
    t = uuid.UUID(tenant)
    cases = {
        "ix_interactions_tenant_id_contact_id_occurred_at_id": list_statement(t, contact_id=person),
        "ix_interactions_tenant_id_member_id_occurred_at_id": list_statement(t, member_id=member),
        "ix_interactions_tenant_id_occurred_at_id": list_statement(t),
    }
    for index, statement in cases.items():
        plan = explain(database, tenant, statement)
        assert index in plan and "Sort Key" not in plan, plan


def test_the_colleague_section_is_one_index_only_walk(database, busy):
    tenant, person, _ = busy
    plan = explain(database, tenant, colleagues_statement(uuid.UUID(tenant), person))
    assert "Index Only Scan using ix_interactions_tenant_id_contact_id_member_id_occurred_at" in (
        plan
    ), plan
    # The one sort orders the handful of per-member rows, above the DISTINCT ON.
    assert plan.count("Sort Key") <= 1 and "Seq Scan on interactions" not in plan, plan


def test_the_activity_report_reads_the_time_window_by_index(database, busy):
    tenant, _, _ = busy
    end = datetime.now(UTC)
    statement = ACTIVITY_SQL.bindparams(
        tenant=uuid.UUID(tenant), since=end - timedelta(days=7), until=end
    )
    plan = explain(database, tenant, statement)
    assert "ix_interactions_tenant_id_occurred_at_id" in plan, plan
