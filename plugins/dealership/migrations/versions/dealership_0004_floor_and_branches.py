"""Dealership: branches of staff, showroom traffic and appointments, marketing messages.

Revision ID: dealership_0004
Revises: dealership_0003

``dealership_staff`` says which branch a member works at (a sales manager with a branch
manages only that branch). ``dealership_visits`` is the showroom's traffic ("ups"),
``dealership_appointments`` the appointments set and whether they were shown; both feed the
sales manager's daily numbers. ``dealership_campaigns`` and their recipients keep each
marketing message and, per customer, whether it went out or why not (the kernel's consent).
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

from rapport.sdk import enable_tenant_rls, tenant_key_columns

revision = "dealership_0004"
down_revision = "dealership_0003"
branch_labels = None
depends_on = None

TABLES = ("dealership_staff", "dealership_appointments", "dealership_visits",
          "dealership_campaigns", "dealership_campaign_recipients")


def _fk(column: str, table: str, name: str, ondelete: str | None = None
        ) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["tenant_id", column], [f"{table}.tenant_id", f"{table}.id"],
                                   ondelete=ondelete, name=name)


def _created() -> sa.Column:
    return sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
                     nullable=False)


def upgrade() -> None:
    op.create_table(
        "dealership_staff", *tenant_key_columns(),
        sa.Column("member_id", UUID(as_uuid=True), nullable=False),
        sa.Column("branch", sa.String(100), nullable=False),
        _created(),
        _fk("member_id", "memberships", "fk_dealership_staff_member", "CASCADE"),
        sa.UniqueConstraint("tenant_id", "member_id", name="uq_dealership_staff_member"),
    )
    op.create_table(
        "dealership_appointments", *tenant_key_columns(),
        sa.Column("contact_id", UUID(as_uuid=True), nullable=False),
        sa.Column("salesperson_id", UUID(as_uuid=True), nullable=False),
        sa.Column("branch", sa.String(100)),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("purpose", sa.String(200)),
        sa.Column("status", sa.String(10), nullable=False, server_default="set"),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.Column("decided_by", UUID(as_uuid=True)),
        sa.Column("created_by", UUID(as_uuid=True)),
        _created(),
        _fk("contact_id", "contacts", "fk_dealership_appointments_contact", "CASCADE"),
        _fk("salesperson_id", "memberships", "fk_dealership_appointments_salesperson"),
        sa.CheckConstraint("status IN ('set', 'shown', 'no_show', 'cancelled')",
                           name="ck_dealership_appointments_status"),
    )
    op.create_table(
        "dealership_visits", *tenant_key_columns(),
        sa.Column("contact_id", UUID(as_uuid=True), nullable=False),
        sa.Column("salesperson_id", UUID(as_uuid=True), nullable=False),
        sa.Column("branch", sa.String(100)),
        sa.Column("arrived_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(12), nullable=False),
        sa.Column("appointment_id", UUID(as_uuid=True)),
        sa.Column("interaction_id", UUID(as_uuid=True)),
        sa.Column("note", sa.Text),
        _created(),
        _fk("contact_id", "contacts", "fk_dealership_visits_contact", "CASCADE"),
        _fk("salesperson_id", "memberships", "fk_dealership_visits_salesperson"),
        _fk("appointment_id", "dealership_appointments", "fk_dealership_visits_appointment",
            "SET NULL (appointment_id)"),
        sa.CheckConstraint("source IN ('walk_in', 'appointment', 'be_back')",
                           name="ck_dealership_visits_source"),
    )
    op.create_table(
        "dealership_campaigns", *tenant_key_columns(),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("audience", sa.String(20), nullable=False),
        sa.Column("branch", sa.String(100)),
        sa.Column("sent", sa.Integer, nullable=False, server_default="0"),
        sa.Column("skipped", sa.Integer, nullable=False, server_default="0"),
        sa.Column("sent_by", UUID(as_uuid=True)),
        _created(),
    )
    op.create_table(
        "dealership_campaign_recipients", *tenant_key_columns(),
        sa.Column("campaign_id", UUID(as_uuid=True), nullable=False),
        sa.Column("contact_id", UUID(as_uuid=True), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("detail", sa.String(300)),
        sa.Column("interaction_id", UUID(as_uuid=True)),
        _created(),
        _fk("campaign_id", "dealership_campaigns", "fk_dealership_recipients_campaign",
            "CASCADE"),
        _fk("contact_id", "contacts", "fk_dealership_recipients_contact", "CASCADE"),
    )
    op.create_index("ix_dealership_appointments_tenant_id_scheduled_at",
                    "dealership_appointments", ["tenant_id", "scheduled_at"])
    op.create_index("ix_dealership_appointments_tenant_id_created_at",
                    "dealership_appointments", ["tenant_id", "created_at"])
    op.create_index("ix_dealership_appointments_tenant_id_contact_id",
                    "dealership_appointments", ["tenant_id", "contact_id"])
    op.create_index("ix_dealership_visits_tenant_id_arrived_at",
                    "dealership_visits", ["tenant_id", "arrived_at"])
    op.create_index("ix_dealership_visits_tenant_id_contact_id",
                    "dealership_visits", ["tenant_id", "contact_id"])
    op.create_index("ix_dealership_recipients_tenant_id_campaign_id",
                    "dealership_campaign_recipients", ["tenant_id", "campaign_id"])
    op.create_index("ix_dealership_recipients_tenant_id_contact_id",
                    "dealership_campaign_recipients", ["tenant_id", "contact_id"])
    for table in TABLES:
        enable_tenant_rls(table)


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
