"""SERVQUAL surveys: surveys, their invitations, responses and answers.

Revision ID: 0036_surveys
Revises: 0034_two_factor

- ``surveys``: items (JSONB, per language), languages, weights, the low-score threshold and
  the manager who gets the task, the consent topic, an optional message template, the
  interaction kinds that invite automatically;
- ``survey_invitations``: one signed link per contact and touchpoint — unique per (survey,
  interaction), so a redelivered event invites nobody twice;
- ``survey_responses``: one per invitation (unique: the link is single use), with the
  means, the weighted gap and whether it was low;
- ``survey_answers``: expectation and perception per item, 1-7 (checked here too).

This revision is history: it imports no application code.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

from rapport.db.migration_helpers import (
    disable_tenant_rls,
    enable_tenant_rls,
    tenant_key_columns,
)

revision = "0036_surveys"
down_revision = "0034_two_factor"
branch_labels = None
depends_on = None

TABLES = ("survey_answers", "survey_responses", "survey_invitations", "surveys")


def _created() -> sa.Column:
    return sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
                     nullable=False)


def _fk(columns: list[str], table: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["tenant_id", *columns], [f"{table}.tenant_id", f"{table}.id"],
                                   ondelete=ondelete)


def upgrade() -> None:
    op.create_table(
        "surveys",
        *tenant_key_columns(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("languages", ARRAY(sa.String(8)), nullable=False),
        sa.Column("items", JSONB, nullable=False),
        sa.Column("weights", JSONB),
        sa.Column("threshold", sa.Numeric(4, 2), nullable=False),
        sa.Column("threshold_on", sa.String(12), nullable=False, server_default="gap"),
        sa.Column("manager_id", UUID(as_uuid=True)),
        sa.Column("topic", sa.String(64), nullable=False, server_default="service"),
        sa.Column("template_id", UUID(as_uuid=True)),
        sa.Column("auto_kinds", ARRAY(sa.String(20)), nullable=False,
                  server_default=sa.text("'{}'")),
        sa.Column("auto_channel", sa.String(20)),
        sa.Column("link_days", sa.Integer, nullable=False, server_default="30"),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("created_by", UUID(as_uuid=True)),
        _created(),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
                  nullable=False),
        _fk(["manager_id"], "memberships", "SET NULL (manager_id)"),
        _fk(["template_id"], "message_templates", "SET NULL (template_id)"),
        sa.CheckConstraint("threshold_on IN ('gap', 'perception')", name="threshold_on"),
    )
    op.create_table(
        "survey_invitations",
        *tenant_key_columns(),
        sa.Column("survey_id", UUID(as_uuid=True), nullable=False),
        sa.Column("contact_id", UUID(as_uuid=True), nullable=False),
        sa.Column("service_point", sa.String(200)),
        sa.Column("interaction_id", UUID(as_uuid=True)),
        sa.Column("employee_id", UUID(as_uuid=True)),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("reason", sa.String(40)),
        sa.Column("detail", sa.Text),
        sa.Column("address", sa.String(320)),
        sa.Column("provider_id", sa.String(300)),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_by", UUID(as_uuid=True)),
        sa.Column("answered_at", sa.DateTime(timezone=True)),
        _created(),
        _fk(["survey_id"], "surveys", "CASCADE"),
        _fk(["contact_id"], "contacts", "CASCADE"),
        _fk(["employee_id"], "memberships", "SET NULL (employee_id)"),
        sa.UniqueConstraint("tenant_id", "survey_id", "interaction_id"),
        sa.CheckConstraint("status IN ('sent', 'failed', 'skipped', 'answered')",
                           name="status"),
    )
    op.create_index("ix_survey_invitations_tenant_id_survey_id_id", "survey_invitations",
                    ["tenant_id", "survey_id", "id"])
    op.create_index("ix_survey_invitations_tenant_id_contact_id", "survey_invitations",
                    ["tenant_id", "contact_id"])
    op.create_table(
        "survey_responses",
        *tenant_key_columns(),
        sa.Column("survey_id", UUID(as_uuid=True), nullable=False),
        sa.Column("invitation_id", UUID(as_uuid=True), nullable=False),
        sa.Column("contact_id", UUID(as_uuid=True), nullable=False),
        sa.Column("service_point", sa.String(200)),
        sa.Column("employee_id", UUID(as_uuid=True)),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("expectation", sa.Numeric(5, 3), nullable=False),
        sa.Column("perception", sa.Numeric(5, 3), nullable=False),
        sa.Column("gap", sa.Numeric(5, 3), nullable=False),
        sa.Column("weighted_gap", sa.Numeric(5, 3), nullable=False),
        sa.Column("low", sa.Boolean, nullable=False),
        sa.Column("comment", sa.Text),
        sa.Column("interaction_id", UUID(as_uuid=True)),
        sa.Column("task_id", UUID(as_uuid=True)),
        sa.Column("submitted_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
                  nullable=False),
        _created(),
        _fk(["survey_id"], "surveys", "CASCADE"),
        _fk(["contact_id"], "contacts", "CASCADE"),
        _fk(["invitation_id"], "survey_invitations", "CASCADE"),
        _fk(["employee_id"], "memberships", "SET NULL (employee_id)"),
        sa.UniqueConstraint("tenant_id", "invitation_id"),
    )
    op.create_index("ix_survey_responses_tenant_id_survey_id_submitted_at", "survey_responses",
                    ["tenant_id", "survey_id", "submitted_at"])
    op.create_table(
        "survey_answers",
        *tenant_key_columns(),
        sa.Column("response_id", UUID(as_uuid=True), nullable=False),
        sa.Column("item_key", sa.String(40), nullable=False),
        sa.Column("dimension", sa.String(40), nullable=False),
        sa.Column("expectation", sa.SmallInteger, nullable=False),
        sa.Column("perception", sa.SmallInteger, nullable=False),
        _created(),
        _fk(["response_id"], "survey_responses", "CASCADE"),
        sa.UniqueConstraint("tenant_id", "response_id", "item_key"),
        sa.CheckConstraint("expectation BETWEEN 1 AND 7 AND perception BETWEEN 1 AND 7",
                           name="scale"),
    )
    for table in reversed(TABLES):
        enable_tenant_rls(table)


def downgrade() -> None:
    for table in TABLES:
        disable_tenant_rls(table)
        op.drop_table(table)
