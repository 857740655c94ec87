"""Deals and their lines, tasks, transactions and their lines, consent and contact policies.

Revision ID: 0008_commerce
Revises: 0005_sharing_audit

Every table is tenant-owned (PK (tenant_id, id), forced RLS, foreign keys with tenant_id).
Links that must not take the record down with them (a deleted contact, deal or member)
use ``SET NULL (column)``: clearing the whole composite key would null tenant_id too.

A trigger on ``workflow_instances`` mirrors each deal's pipeline state into
``deals.stage``, whichever door fired the transition, so deal lists filter by stage
through an index. Consent history is evidence: only a contact merge may change a row
(its ``contact_id``), and the app role cannot delete rows.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

from rapport.db.migration_helpers import enable_tenant_rls, tenant_key_columns

revision = "0008_commerce"
down_revision = "0005_sharing_audit"
branch_labels = None
depends_on = None

TABLES = (
    "deals",
    "deal_lines",
    "tasks",
    "transactions",
    "transaction_lines",
    "consent_events",
    "contact_policies",
)
MONEY = sa.Numeric(18, 4)

DEAL_STAGE_FUNCTION = """
CREATE OR REPLACE FUNCTION rapport_deal_follows_pipeline() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
BEGIN
    -- Runs with the caller's rights: RLS confines the update to the caller's tenant,
    -- which is the instance's tenant.
    UPDATE deals SET stage = NEW.state, updated_at = now()
    WHERE tenant_id = NEW.tenant_id AND id = NEW.record_id AND stage IS DISTINCT FROM NEW.state;
    RETURN NULL;
END
$$
"""

DEAL_STAGE_TRIGGER = """
CREATE TRIGGER deals_follow_pipeline
AFTER INSERT OR UPDATE OF state ON workflow_instances
FOR EACH ROW WHEN (NEW.workflow = 'deals.pipeline')
EXECUTE FUNCTION rapport_deal_follows_pipeline()
"""

CONSENT_IS_EVIDENCE_FUNCTION = """
CREATE OR REPLACE FUNCTION rapport_consent_is_evidence() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
BEGIN
    IF (NEW.tenant_id, NEW.id, NEW.channel, NEW.topic, NEW.status, NEW.source, NEW.note,
        NEW.occurred_at, NEW.recorded_by, NEW.created_at)
       IS DISTINCT FROM
       (OLD.tenant_id, OLD.id, OLD.channel, OLD.topic, OLD.status, OLD.source, OLD.note,
        OLD.occurred_at, OLD.recorded_by, OLD.created_at) THEN
        RAISE EXCEPTION 'consent event % is a record of what was said; it cannot change', OLD.id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$
"""

CONSENT_IS_EVIDENCE_TRIGGER = """
CREATE TRIGGER consent_events_are_evidence BEFORE UPDATE ON consent_events
FOR EACH ROW EXECUTE FUNCTION rapport_consent_is_evidence()
"""


def _at(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False)


def _link(column: str, table: str, ondelete: str | None = None) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id", column],
        [f"{table}.tenant_id", f"{table}.id"],
        ondelete=ondelete or f"SET NULL ({column})",
    )


def _lines(table: str, parent: str, parent_column: str) -> None:
    op.create_table(
        table,
        *tenant_key_columns(),
        sa.Column(parent_column, UUID(as_uuid=True), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("product", sa.String(200), nullable=False),
        sa.Column("quantity", MONEY, nullable=False),
        sa.Column("unit_price", MONEY, nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        _at("created_at"),
        _link(parent_column, parent, "CASCADE"),
        sa.CheckConstraint("quantity > 0", name=f"ck_{table}_quantity"),
        sa.CheckConstraint("unit_price >= 0", name=f"ck_{table}_unit_price"),
    )
    # Lines are replaced as a whole, so positions need no unique key (which would clash
    # with the unit of work's insert-before-delete order).
    _index(table, "tenant_id", parent_column, "position")


def _index(table: str, *columns: str, where: str | None = None, name: str = "") -> None:
    op.create_index(
        name or f"ix_{table}_{'_'.join(columns)}",
        table,
        list(columns),
        postgresql_where=sa.text(where) if where else None,
    )


def _deals() -> None:
    op.create_table(
        "deals",
        *tenant_key_columns(),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("stage", sa.String(64), nullable=False),
        sa.Column("amount", MONEY),
        sa.Column("currency", sa.String(3)),
        sa.Column("probability", sa.SmallInteger),
        sa.Column("expected_close_date", sa.Date),
        sa.Column("contact_id", UUID(as_uuid=True)),
        sa.Column("organization_id", UUID(as_uuid=True)),
        sa.Column("owner_id", UUID(as_uuid=True)),
        sa.Column("created_by", UUID(as_uuid=True)),
        _at("created_at"),
        _at("updated_at"),
        _link("contact_id", "contacts"),
        _link("owner_id", "memberships"),
        sa.CheckConstraint("probability BETWEEN 0 AND 100", name="ck_deals_probability"),
        sa.CheckConstraint("amount >= 0", name="ck_deals_amount"),
        sa.CheckConstraint(
            "amount IS NULL OR currency IS NOT NULL", name="ck_deals_amount_currency"
        ),
    )
    for column in ("stage", "owner_id", "contact_id", "organization_id"):
        _index("deals", "tenant_id", column, "id")
    _lines("deal_lines", "deals", "deal_id")
    op.execute(DEAL_STAGE_FUNCTION)
    op.execute(DEAL_STAGE_TRIGGER)


def _tasks() -> None:
    op.create_table(
        "tasks",
        *tenant_key_columns(),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("notes", sa.Text),
        sa.Column("assignee_id", UUID(as_uuid=True)),
        sa.Column("due_at", sa.DateTime(timezone=True)),
        sa.Column("remind_at", sa.DateTime(timezone=True)),
        sa.Column("done_at", sa.DateTime(timezone=True)),
        sa.Column("done_by", UUID(as_uuid=True)),
        sa.Column("contact_id", UUID(as_uuid=True)),
        sa.Column("deal_id", UUID(as_uuid=True)),
        sa.Column("created_by", UUID(as_uuid=True)),
        _at("created_at"),
        _at("updated_at"),
        _link("assignee_id", "memberships"),
        _link("contact_id", "contacts"),
        _link("deal_id", "deals"),
        sa.CheckConstraint("(done_at IS NULL) = (done_by IS NULL)", name="ck_tasks_done"),
    )
    for column in ("assignee_id", "contact_id", "deal_id"):
        _index("tasks", "tenant_id", column, "id")
    _index("tasks", "tenant_id", "id", where="done_at IS NULL", name="ix_tasks_tenant_id_open_id")
    _index(
        "tasks",
        "tenant_id",
        "due_at",
        where="done_at IS NULL",
        name="ix_tasks_tenant_id_open_due_at",
    )


def _transactions() -> None:
    op.create_table(
        "transactions",
        *tenant_key_columns(),
        sa.Column("external_id", sa.String(200)),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("contact_id", UUID(as_uuid=True)),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(40), nullable=False),
        sa.Column("point_of_sale", sa.String(200)),
        sa.Column("recorded_by", UUID(as_uuid=True)),
        _at("created_at"),
        _link("contact_id", "contacts"),
        sa.CheckConstraint("kind IN ('purchase', 'order')", name="ck_transactions_kind"),
        sa.CheckConstraint("amount >= 0", name="ck_transactions_amount"),
    )
    op.create_index(
        "uq_transactions_tenant_id_external_id",
        "transactions",
        ["tenant_id", "external_id"],
        unique=True,
        postgresql_where=sa.text("external_id IS NOT NULL"),
    )
    _index("transactions", "tenant_id", "occurred_at", "id")
    _index("transactions", "tenant_id", "contact_id", "occurred_at", "id")
    _index("transactions", "tenant_id", "channel", "occurred_at", "id")
    _lines("transaction_lines", "transactions", "transaction_id")


def _consent() -> None:
    op.create_table(
        "consent_events",
        *tenant_key_columns(),
        sa.Column("contact_id", UUID(as_uuid=True), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("topic", sa.String(64), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", UUID(as_uuid=True)),
        _at("created_at"),
        _link("contact_id", "contacts", "CASCADE"),
        sa.CheckConstraint(
            "channel IN ('email', 'sms', 'phone', 'post', 'messenger')",
            name="ck_consent_events_channel",
        ),
        sa.CheckConstraint("status IN ('opt_in', 'opt_out')", name="ck_consent_events_status"),
    )
    op.create_index(
        "ix_consent_events_tenant_id_latest",
        "consent_events",
        [
            "tenant_id",
            "contact_id",
            "channel",
            "topic",
            sa.text("occurred_at DESC"),
            sa.text("id DESC"),
        ],
    )
    op.execute(CONSENT_IS_EVIDENCE_FUNCTION)
    op.execute(CONSENT_IS_EVIDENCE_TRIGGER)
    op.execute("REVOKE DELETE, TRUNCATE ON consent_events FROM rapport_app")
    op.create_table(
        "contact_policies",
        *tenant_key_columns(),
        sa.Column("contact_id", UUID(as_uuid=True), nullable=False),
        sa.Column("do_not_contact", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("frequency_max", sa.Integer),
        sa.Column("frequency_days", sa.Integer),
        sa.Column("updated_by", UUID(as_uuid=True)),
        _at("created_at"),
        _at("updated_at"),
        _link("contact_id", "contacts", "CASCADE"),
        sa.UniqueConstraint("tenant_id", "contact_id"),
        sa.CheckConstraint(
            "(frequency_max IS NULL) = (frequency_days IS NULL)",
            name="ck_contact_policies_frequency_cap",
        ),
        sa.CheckConstraint("frequency_max >= 1", name="ck_contact_policies_frequency_max"),
        sa.CheckConstraint(
            "frequency_days BETWEEN 1 AND 366", name="ck_contact_policies_frequency_days"
        ),
    )


def upgrade() -> None:
    _deals()
    _tasks()
    _transactions()
    _consent()
    for table in TABLES:
        enable_tenant_rls(table)


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS deals_follow_pipeline ON workflow_instances")
    op.execute("DROP FUNCTION IF EXISTS rapport_deal_follows_pipeline()")
    op.execute("DROP TRIGGER IF EXISTS consent_events_are_evidence ON consent_events")
    op.execute("DROP FUNCTION IF EXISTS rapport_consent_is_evidence()")
    for table in reversed(TABLES):
        op.drop_table(table)
