"""Education: issuer signing keys and issued credentials (status-list positions).

Revision ID: education_0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

from rapport.sdk import enable_tenant_rls, tenant_key_columns

revision = "education_0002"
down_revision = "education_0001"
branch_labels = None
depends_on = None


def _keys() -> list[sa.Column]:
    return [
        *tenant_key_columns(),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
                  nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "education_issuer_keys", *_keys(),
        sa.Column("kid", sa.String(100), nullable=False),
        sa.Column("public_jwk", JSONB, nullable=False),
        sa.Column("private_jwk", sa.Text, nullable=False),
        sa.UniqueConstraint("tenant_id", "kid", name="uq_education_issuer_keys_kid"),
    )
    op.create_table(
        "education_issued", *_keys(),
        sa.Column("learner_id", UUID(as_uuid=True), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id", "learner_id"],
                                ["education_learners.tenant_id", "education_learners.id"],
                                ondelete="CASCADE", name="fk_education_issued_learner"),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("status_index", sa.Integer, nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        sa.Column("revocation_reason", sa.Text),
        sa.UniqueConstraint("tenant_id", "status_index", name="uq_education_issued_status_index"),
    )
    op.create_index("ix_education_issued_tenant_id_learner", "education_issued",
                    ["tenant_id", "learner_id"])
    enable_tenant_rls("education_issuer_keys")
    enable_tenant_rls("education_issued")


def downgrade() -> None:
    op.drop_table("education_issued")
    op.drop_table("education_issuer_keys")
