"""Education: typed links from our outcomes to other frameworks; professional licences.

Revision ID: education_0003
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

from rapport.sdk import enable_tenant_rls, tenant_key_columns

revision = "education_0003"
down_revision = "education_0002"
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
        "education_outcome_links", *_keys(),
        sa.Column("outcome_id", UUID(as_uuid=True), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id", "outcome_id"],
                                ["education_outcomes.tenant_id", "education_outcomes.id"],
                                ondelete="CASCADE", name="fk_education_outcome_links_outcome"),
        sa.Column("target_uri", sa.String(500), nullable=False),
        sa.Column("relation", sa.String(12), nullable=False),
        sa.Column("target_version", sa.String(40)),
        sa.UniqueConstraint("tenant_id", "outcome_id", "target_uri",
                            name="uq_education_outcome_links"),
    )
    op.create_index("ix_education_outcome_links_tenant_id_target", "education_outcome_links",
                    ["tenant_id", "target_uri"])
    op.create_table(
        "education_licences", *_keys(),
        sa.Column("learner_id", UUID(as_uuid=True), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id", "learner_id"],
                                ["education_learners.tenant_id", "education_learners.id"],
                                ondelete="CASCADE", name="fk_education_licences_learner"),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("authority", sa.String(200)),
        sa.Column("number", sa.String(60)),
        sa.Column("renewed_on", sa.Date, nullable=False),
        sa.Column("expires_on", sa.Date, nullable=False),
        sa.Column("required", sa.Numeric(6, 1), nullable=False),
        sa.Column("unit", sa.String(12), nullable=False),
    )
    op.create_index("ix_education_licences_tenant_id_learner", "education_licences",
                    ["tenant_id", "learner_id"])
    enable_tenant_rls("education_outcome_links")
    enable_tenant_rls("education_licences")


def downgrade() -> None:
    op.drop_table("education_licences")
    op.drop_table("education_outcome_links")
