"""Communication: message templates, campaigns and their messages, members' subscriptions.

Revision ID: 0026_communication
Revises: 0025_segment_snapshots

- ``message_templates``: per channel and language, Jinja2 subject and body;
- ``campaigns``: audience (segment or inline definition), template, schedule, cap, progress;
- ``campaign_messages``: one row per contact of a campaign — ``(tenant_id, campaign_id,
  contact_id)`` is unique, so nobody is ever queued twice — with its status and delivery;
- ``member_subscriptions`` and ``digest_items``: which events reach which member, how;
- ``member_signatures``: the signature a member's letters end with;
- ``rapport_campaign_due_tenants(n)``: which tenants have campaigns to send (ids only).

This revision is history: it imports no application code.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

from rapport.db.migration_helpers import (
    disable_tenant_rls,
    enable_tenant_rls,
    tenant_key_columns,
)

revision = "0026_communication"
down_revision = "0025_segment_snapshots"
branch_labels = None
depends_on = None

TABLES = ("member_signatures", "digest_items", "member_subscriptions", "campaign_messages",
          "campaigns", "message_templates")
DUE = "status IN ('scheduled', 'sending') AND (send_at IS NULL OR send_at <= now())"


def _created() -> sa.Column:
    return sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
                     nullable=False)


def _updated() -> sa.Column:
    return sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
                     nullable=False)


def _fk(columns: list[str], table: str, ondelete: str | None = None) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["tenant_id", *columns], [f"{table}.tenant_id", f"{table}.id"],
                                   ondelete=ondelete)


def upgrade() -> None:
    op.create_table(
        "message_templates",
        *tenant_key_columns(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("language", sa.String(35), nullable=False),
        sa.Column("topic", sa.String(64), nullable=False),
        sa.Column("subject", sa.Text),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_by", UUID(as_uuid=True)),
        _created(),
        _updated(),
        sa.CheckConstraint("channel IN ('email', 'sms', 'messenger')", name="channel"),
    )
    op.create_table(
        "campaigns",
        *tenant_key_columns(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("template_id", UUID(as_uuid=True), nullable=False),
        sa.Column("segment_id", UUID(as_uuid=True)),
        sa.Column("definition", JSONB),
        sa.Column("send_at", sa.DateTime(timezone=True)),
        sa.Column("cap_max", sa.Integer),
        sa.Column("cap_days", sa.Integer),
        sa.Column("status", sa.String(20), nullable=False, server_default="draft"),
        sa.Column("sender_id", UUID(as_uuid=True)),
        sa.Column("error", sa.Text),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("created_by", UUID(as_uuid=True)),
        _created(),
        _updated(),
        _fk(["template_id"], "message_templates"),
        _fk(["segment_id"], "segments", "SET NULL (segment_id)"),
        # The sending member: the campaign goes out in their name (memberships.id).
        sa.ForeignKeyConstraint(["tenant_id", "sender_id"],
                                ["memberships.tenant_id", "memberships.id"],
                                ondelete="SET NULL (sender_id)"),
        sa.CheckConstraint(
            "status IN ('draft', 'scheduled', 'sending', 'sent', 'cancelled', 'failed')",
            name="status"),
    )
    op.create_index("ix_campaigns_tenant_id_due", "campaigns", ["tenant_id", "send_at"],
                    postgresql_where=sa.text("status IN ('scheduled', 'sending')"))
    op.create_table(
        "campaign_messages",
        *tenant_key_columns(),
        sa.Column("campaign_id", UUID(as_uuid=True), nullable=False),
        sa.Column("contact_id", UUID(as_uuid=True), nullable=False),
        sa.Column("status", sa.String(20), nullable=False, server_default="pending"),
        sa.Column("reason", sa.String(40)),
        sa.Column("detail", sa.Text),
        sa.Column("address", sa.String(320)),
        sa.Column("subject", sa.Text),
        sa.Column("provider_id", sa.String(300)),
        sa.Column("interaction_id", UUID(as_uuid=True)),
        sa.Column("claimed_at", sa.DateTime(timezone=True)),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        _created(),
        _fk(["campaign_id"], "campaigns", "CASCADE"),
        _fk(["contact_id"], "contacts", "CASCADE"),
        sa.UniqueConstraint("tenant_id", "campaign_id", "contact_id"),
        sa.CheckConstraint(
            "status IN ('pending', 'sending', 'sent', 'skipped', 'failed', 'bounced')",
            name="status"),
    )
    op.create_index("ix_campaign_messages_tenant_id_campaign_id_status", "campaign_messages",
                    ["tenant_id", "campaign_id", "status"])
    # The cap across campaigns: what a contact was sent lately.
    op.create_index("ix_campaign_messages_tenant_id_contact_id_sent_at", "campaign_messages",
                    ["tenant_id", "contact_id", "sent_at"],
                    postgresql_where=sa.text("sent_at IS NOT NULL"))
    op.create_table(
        "member_subscriptions",
        *tenant_key_columns(),
        sa.Column("membership_id", UUID(as_uuid=True), nullable=False),
        sa.Column("event_type", sa.String(120), nullable=False),
        sa.Column("delivery", sa.String(20), nullable=False),
        sa.Column("scope", sa.String(10), nullable=False),
        _created(),
        sa.ForeignKeyConstraint(["tenant_id", "membership_id"],
                                ["memberships.tenant_id", "memberships.id"], ondelete="CASCADE"),
        sa.UniqueConstraint("tenant_id", "membership_id", "event_type", "delivery"),
        sa.CheckConstraint("delivery IN ('in_app', 'email_digest')", name="delivery"),
        sa.CheckConstraint("scope IN ('own', 'all')", name="scope"),
    )
    op.create_index("ix_member_subscriptions_tenant_id_event_type", "member_subscriptions",
                    ["tenant_id", "event_type"])
    op.create_table(
        "digest_items",
        *tenant_key_columns(),
        sa.Column("membership_id", UUID(as_uuid=True), nullable=False),
        sa.Column("event_type", sa.String(120), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("record_type", sa.String(80)),
        sa.Column("record_id", UUID(as_uuid=True)),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        _created(),
        sa.ForeignKeyConstraint(["tenant_id", "membership_id"],
                                ["memberships.tenant_id", "memberships.id"], ondelete="CASCADE"),
    )
    op.create_index("ix_digest_items_tenant_id_pending", "digest_items",
                    ["tenant_id", "membership_id", "created_at"],
                    postgresql_where=sa.text("sent_at IS NULL"))
    op.create_table(
        "member_signatures",
        *tenant_key_columns(),
        sa.Column("membership_id", UUID(as_uuid=True), nullable=False),
        sa.Column("signature", sa.Text, nullable=False),
        _created(),
        _updated(),
        sa.ForeignKeyConstraint(["tenant_id", "membership_id"],
                                ["memberships.tenant_id", "memberships.id"], ondelete="CASCADE"),
        sa.UniqueConstraint("tenant_id", "membership_id"),
    )
    for table in reversed(TABLES):
        enable_tenant_rls(table)
    # The worker has no tenant context; this answers only which tenants have work, never
    # their rows (as rapport_reminder_due_tenants does for reminders).
    op.execute(
        f"""
        CREATE FUNCTION rapport_campaign_due_tenants(max_tenants integer)
        RETURNS SETOF uuid
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
        AS $$
            SELECT tenant_id FROM campaigns WHERE {DUE}
            UNION
            SELECT tenant_id FROM digest_items WHERE sent_at IS NULL
            LIMIT max_tenants
        $$
        """  # noqa: S608 - constants of this file, no input
    )
    op.execute(f"CREATE POLICY campaign_due_scan ON campaigns FOR SELECT TO rapport_owner "
               f"USING ({DUE})")
    op.execute("CREATE POLICY digest_due_scan ON digest_items FOR SELECT TO rapport_owner "
               "USING (sent_at IS NULL)")
    op.execute("REVOKE ALL ON FUNCTION rapport_campaign_due_tenants(integer) FROM PUBLIC")
    op.execute("GRANT EXECUTE ON FUNCTION rapport_campaign_due_tenants(integer) TO rapport_app")


def downgrade() -> None:
    op.execute("DROP FUNCTION rapport_campaign_due_tenants(integer)")
    op.execute("DROP POLICY campaign_due_scan ON campaigns")
    op.execute("DROP POLICY digest_due_scan ON digest_items")
    for table in TABLES:
        disable_tenant_rls(table)
        op.drop_table(table)
