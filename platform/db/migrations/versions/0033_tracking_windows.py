"""Campaign tracking, retries and contacts' sending windows (issue 20).

Revision ID: 0033_tracking_windows
Revises: 0032_api_clients

- ``campaign_messages``: ``attempts`` and ``attempt_log`` (each try: when, the provider's
  answer, temporary or not), ``due_at`` (not before: the contact's window or the next
  retry), ``links`` (the URLs of the rendered message, what a click link may lead to),
  ``opened_at``, ``clicked_at``, ``clicks``, ``unsubscribed_at``; the claim's index gains
  ``due_at``;
- ``campaigns``: ``tracking`` (opens and clicks, on unless switched off) and
  ``in_contact_window`` (send each contact's message in their preferred window);
- ``contacts``: ``time_zone`` (IANA name), ``window_start``/``window_end`` (local times)
  and ``window_days`` (ISO weekdays 1-7);
- ``contact_settings``: the tenant's ``time_zone`` (for contacts without one) and
  ``tracking`` (the tenant-wide privacy switch for open and click tracking).

This revision is history: it imports no application code.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

revision = "0033_tracking_windows"
down_revision = "0032_api_clients"
branch_labels = None
depends_on = None

STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("campaign_messages", sa.Column("attempts", sa.Integer, nullable=False,
                                                 server_default="0"))
    op.add_column("campaign_messages", sa.Column("attempt_log", JSONB, nullable=False,
                                                 server_default=sa.text("'[]'::jsonb")))
    op.add_column("campaign_messages", sa.Column("due_at", STAMP))
    op.add_column("campaign_messages", sa.Column("links", JSONB))
    op.add_column("campaign_messages", sa.Column("opened_at", STAMP))
    op.add_column("campaign_messages", sa.Column("clicked_at", STAMP))
    op.add_column("campaign_messages", sa.Column("clicks", sa.Integer, nullable=False,
                                                 server_default="0"))
    op.add_column("campaign_messages", sa.Column("unsubscribed_at", STAMP))
    op.create_index("ix_campaign_messages_tenant_id_campaign_id_due", "campaign_messages",
                    ["tenant_id", "campaign_id", "due_at"],
                    postgresql_where=sa.text("status = 'pending'"))
    op.add_column("campaigns", sa.Column("tracking", sa.Boolean, nullable=False,
                                         server_default=sa.true()))
    op.add_column("campaigns", sa.Column("in_contact_window", sa.Boolean, nullable=False,
                                         server_default=sa.false()))
    op.add_column("contacts", sa.Column("time_zone", sa.String(64)))
    op.add_column("contacts", sa.Column("window_start", sa.Time))
    op.add_column("contacts", sa.Column("window_end", sa.Time))
    op.add_column("contacts", sa.Column("window_days", ARRAY(sa.SmallInteger)))
    op.add_column("contact_settings", sa.Column("time_zone", sa.String(64)))
    op.add_column("contact_settings", sa.Column("tracking", sa.Boolean, nullable=False,
                                                server_default=sa.true()))


def downgrade() -> None:
    op.drop_column("contact_settings", "tracking")
    op.drop_column("contact_settings", "time_zone")
    for column in ("window_days", "window_end", "window_start", "time_zone"):
        op.drop_column("contacts", column)
    op.drop_column("campaigns", "in_contact_window")
    op.drop_column("campaigns", "tracking")
    op.drop_index("ix_campaign_messages_tenant_id_campaign_id_due",
                  table_name="campaign_messages")
    for column in ("unsubscribed_at", "clicks", "clicked_at", "opened_at", "links", "due_at",
                   "attempt_log", "attempts"):
        op.drop_column("campaign_messages", column)
