"""Several deal pipelines per organization, and custom fields on deals.

Revision ID: 0023_deal_pipelines_fields
Revises: 0022_billing

- ``deal_pipelines``: an organization's own pipelines (key, label, position). The default
  pipeline (key ``default``, workflow ``deals.pipeline``) needs no row: one is written the
  first time the organization renames or reorders its pipelines. Pipeline ``<key>`` is the
  workflow ``deals.pipeline.<key>`` (its stages are that workflow's tenant stages).
- ``deals.pipeline``: the deal's pipeline key; existing deals are in ``default``. The
  trigger that mirrors a deal's workflow state into ``deals.stage`` now follows every
  pipeline workflow and mirrors the pipeline too (a deal moved to another pipeline has its
  instance's ``workflow`` changed).
- ``deals.fields``: custom field values, registered in ``field_entities`` as entity
  ``deal`` with the value-index triggers, like contacts.
- ``deal_pipelines`` raises the tenant's configuration version (each process caches it).

This revision is history: it imports no application code.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from rapport.db.migration_helpers import (
    disable_tenant_rls,
    enable_tenant_rls,
    sync_field_values,
    tenant_key_columns,
)

revision = "0023_deal_pipelines_fields"
down_revision = "0022_billing"
branch_labels = None
depends_on = None

DEAL_FOLLOWS_PIPELINE = """
CREATE OR REPLACE FUNCTION rapport_deal_follows_pipeline() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
DECLARE
    pipeline_key text := CASE WHEN NEW.workflow = 'deals.pipeline' THEN 'default'
                              ELSE substr(NEW.workflow, length('deals.pipeline.') + 1) END;
BEGIN
    -- Runs with the caller's rights: RLS confines the update to the caller's tenant,
    -- which is the instance's tenant.
    UPDATE deals SET stage = NEW.state, pipeline = pipeline_key, updated_at = now()
    WHERE tenant_id = NEW.tenant_id AND id = NEW.record_id
      AND (stage IS DISTINCT FROM NEW.state OR pipeline IS DISTINCT FROM pipeline_key);
    RETURN NULL;
END
$$
"""

DEAL_FOLLOWS_PIPELINE_0008 = """
CREATE OR REPLACE FUNCTION rapport_deal_follows_pipeline() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
BEGIN
    UPDATE deals SET stage = NEW.state, updated_at = now()
    WHERE tenant_id = NEW.tenant_id AND id = NEW.record_id AND stage IS DISTINCT FROM NEW.state;
    RETURN NULL;
END
$$
"""

TRIGGER = """
CREATE TRIGGER deals_follow_pipeline
AFTER INSERT OR UPDATE OF state, workflow ON workflow_instances
FOR EACH ROW WHEN (NEW.workflow = 'deals.pipeline' OR NEW.workflow LIKE 'deals.pipeline.%')
EXECUTE FUNCTION rapport_deal_follows_pipeline()
"""

TRIGGER_0008 = """
CREATE TRIGGER deals_follow_pipeline
AFTER INSERT OR UPDATE OF state ON workflow_instances
FOR EACH ROW WHEN (NEW.workflow = 'deals.pipeline')
EXECUTE FUNCTION rapport_deal_follows_pipeline()
"""


def upgrade() -> None:
    op.create_table(
        "deal_pipelines",
        *tenant_key_columns(),
        sa.Column("key", sa.String(40), nullable=False),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("position", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
                  nullable=False),
        sa.UniqueConstraint("tenant_id", "key", name="uq_deal_pipelines_tenant_id_key"),
        sa.CheckConstraint("key ~ '^[a-z][a-z0-9_]{0,39}$'", name="ck_deal_pipelines_key"),
    )
    enable_tenant_rls("deal_pipelines")
    op.execute(
        "CREATE TRIGGER deal_pipelines_config_version AFTER INSERT OR UPDATE OR DELETE"
        " ON deal_pipelines FOR EACH ROW EXECUTE FUNCTION rapport_bump_config_version()"
    )

    op.add_column("deals", sa.Column("pipeline", sa.String(40), nullable=False,
                                     server_default="default"))
    op.create_index("ix_deals_tenant_id_pipeline_stage_id", "deals",
                    ["tenant_id", "pipeline", "stage", "id"])
    op.execute("DROP TRIGGER deals_follow_pipeline ON workflow_instances")
    op.execute(DEAL_FOLLOWS_PIPELINE)
    op.execute(TRIGGER)

    op.add_column("deals", sa.Column("fields", JSONB, nullable=False,
                                     server_default=sa.text("'{}'::jsonb")))
    op.execute("INSERT INTO field_entities (entity, table_name) VALUES ('deal', 'deals')")
    sync_field_values("deals", "deal")


def downgrade() -> None:
    for event in ("insert", "update", "delete"):
        op.execute(f'DROP TRIGGER IF EXISTS "deals_field_values_{event}" ON deals')
    op.execute("DELETE FROM field_values WHERE entity = 'deal'")
    op.execute("DELETE FROM field_definitions WHERE entity = 'deal'")
    op.execute("DELETE FROM field_entities WHERE entity = 'deal'")
    op.drop_column("deals", "fields")

    op.execute("DROP TRIGGER deals_follow_pipeline ON workflow_instances")
    op.execute(DEAL_FOLLOWS_PIPELINE_0008)
    op.execute(TRIGGER_0008)
    # Deals of other pipelines go back to the one pipeline there was, at its first stage.
    op.execute("UPDATE workflow_instances SET workflow = 'deals.pipeline', state = 'lead'"
               " WHERE workflow LIKE 'deals.pipeline.%'")
    op.execute("DELETE FROM workflow_stages WHERE workflow LIKE 'deals.pipeline.%'")
    op.drop_index("ix_deals_tenant_id_pipeline_stage_id", table_name="deals")
    op.drop_column("deals", "pipeline")
    op.execute("DROP TRIGGER deal_pipelines_config_version ON deal_pipelines")
    disable_tenant_rls("deal_pipelines")
    op.drop_table("deal_pipelines")
