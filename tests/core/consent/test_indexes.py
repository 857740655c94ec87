"""The latest consent per channel and topic is read in the order of its index, as the app
role under forced RLS: 40 contacts with 250 consent events each."""

from __future__ import annotations

from tests.conftest import sign_up
from tests.core.deals.support import analyze, assert_index_scan, bulk, contact, plan_of

EVENTS = (
    " SELECT %(tenant)s, uuidv7(), c.id,"
    " (ARRAY['email', 'sms', 'phone', 'post', 'messenger'])[1 + g %% 5], 'topic_' || g %% 10,"
    " CASE WHEN g %% 2 = 0 THEN 'opt_in' ELSE 'opt_out' END, 'import',"
    " timestamptz '2020-01-01' + g * interval '1 hour'"
)
COLUMNS = "(tenant_id, id, contact_id, channel, topic, status, source, occurred_at)"


def test_current_consent_reads_the_latest_index(client, database):
    tenant = sign_up(client)
    who = contact(client, tenant, "Long history")
    others = [contact(client, tenant, f"Other {n}") for n in range(40)]
    bulk(
        database, tenant.id,
        f"INSERT INTO consent_events {COLUMNS}{EVENTS}"
        " FROM unnest(%(others)s::uuid[]) c(id), generate_series(1, 250) g",
        {"others": others},
    )
    bulk(database, tenant.id,
         f"INSERT INTO consent_events {COLUMNS}{EVENTS}"
         " FROM (SELECT %(who)s::uuid AS id) c, generate_series(1, 50) g", {"who": who})
    analyze(database, "consent_events")
    plan = plan_of(client, database, tenant, f"/api/v1/contacts/{who}/consent", "consent_events")
    assert_index_scan(plan, "ix_consent_events_tenant_id_latest")
    state = client.get(f"/api/v1/contacts/{who}/consent", headers=tenant.headers).json()
    assert len(state["consents"]) == 10  # g % 5 and g % 10 pair up in 10 ways
