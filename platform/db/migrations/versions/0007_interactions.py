"""Interactions: the customer's timeline of calls, emails, visits, purchases, ads seen.

Revision ID: 0007_interactions
Revises: 0005_sharing_audit

A sibling of the contact-profile and commerce heads; ``deal_id`` and ``transaction_id``
stay plain ids until the merge revision that joins those branches adds composite FKs.
Indexes end in ``(occurred_at DESC, id DESC)`` so every list is a keyset walk of one index.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

from rapport.db.migration_helpers import enable_tenant_rls, tenant_key_columns

revision = "0007_interactions"
down_revision = "0005_sharing_audit"
branch_labels = None
depends_on = None

KINDS = (
    "call",
    "email",
    "meeting",
    "visit",
    "message",
    "purchase",
    "ad_impression",
    "survey",
    "note",
)
DIRECTIONS = ("inbound", "outbound")
NEWEST = (sa.text("occurred_at DESC"), sa.text("id DESC"))


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.create_table(
        "interactions",
        *tenant_key_columns(),
        sa.Column("contact_id", UUID(as_uuid=True), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("channel", sa.String(40)),
        sa.Column("direction", sa.String(8)),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("member_id", UUID(as_uuid=True), nullable=False),
        sa.Column("subject", sa.String(200)),
        sa.Column("notes", sa.Text),
        sa.Column("outcome", sa.String(200)),
        sa.Column("deal_id", UUID(as_uuid=True)),
        sa.Column("transaction_id", UUID(as_uuid=True)),
        sa.Column("campaign", sa.String(200)),
        sa.Column("touchpoint", sa.String(200)),
        sa.Column("created_by", UUID(as_uuid=True)),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "contact_id"],
            ["contacts.tenant_id", "contacts.id"],
            name="fk_interactions_tenant_id_contact_id_contacts",
            ondelete="CASCADE",
        ),
        sa.CheckConstraint(_in("kind", KINDS), name="ck_interactions_kind"),
        sa.CheckConstraint(_in("direction", DIRECTIONS), name="ck_interactions_direction"),
    )
    op.create_index(
        "ix_interactions_tenant_id_contact_id_occurred_at_id",
        "interactions",
        ["tenant_id", "contact_id", *NEWEST],
    )
    op.create_index(
        "ix_interactions_tenant_id_contact_id_member_id_occurred_at",
        "interactions",
        ["tenant_id", "contact_id", "member_id", *NEWEST],
    )
    op.create_index(
        "ix_interactions_tenant_id_occurred_at_id", "interactions", ["tenant_id", *NEWEST]
    )
    op.create_index(
        "ix_interactions_tenant_id_member_id_occurred_at_id",
        "interactions",
        ["tenant_id", "member_id", *NEWEST],
    )
    for column in ("deal_id", "transaction_id"):
        op.create_index(
            f"ix_interactions_tenant_id_{column}",
            "interactions",
            ["tenant_id", column],
            postgresql_where=sa.text(f"{column} IS NOT NULL"),
        )
    enable_tenant_rls("interactions")


def downgrade() -> None:
    op.drop_table("interactions")
