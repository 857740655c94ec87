"""Education: catalogue (programmes, courses, outcomes, mapping, prerequisites) and the
learners' lifelong record (enrolments, holdings, achievements).

Revision ID: education_0001
Depends on: 0001_kernel (tenants, contacts)
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

from rapport.sdk import enable_tenant_rls, tenant_key_columns

revision = "education_0001"
down_revision = None
branch_labels = ("education",)
depends_on = "0001_kernel"

TABLES = (
    "education_programs", "education_courses", "education_program_courses",
    "education_outcomes", "education_course_outcomes", "education_prerequisites",
    "education_learners", "education_enrolments", "education_achievements",
    "education_holdings",
)


def _keys() -> list[sa.Column]:
    return [
        *tenant_key_columns(),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
                  nullable=False),
    ]


def _ref(column: str, table: str, name: str, *, cascade: bool = True,
         nullable: bool = False) -> list:
    return [
        sa.Column(column, UUID(as_uuid=True), nullable=nullable),
        sa.ForeignKeyConstraint(["tenant_id", column], [f"{table}.tenant_id", f"{table}.id"],
                                ondelete="CASCADE" if cascade else None, name=name),
    ]


def upgrade() -> None:
    op.create_table(
        "education_programs", *_keys(),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text),
        sa.Column("credits", sa.Numeric(6, 1)),
        sa.UniqueConstraint("tenant_id", "code", name="uq_education_programs_code"),
    )
    op.create_table(
        "education_courses", *_keys(),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text),
        sa.Column("credits", sa.Numeric(5, 1), nullable=False),
        sa.Column("credit_unit", sa.String(12), nullable=False),
        sa.Column("level", sa.Integer, nullable=False),
        sa.Column("language", sa.String(12), nullable=False),
        sa.Column("max_age_years", sa.Integer),
        sa.Column("instructor_id", UUID(as_uuid=True)),
        sa.Column("published_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("tenant_id", "code", name="uq_education_courses_code"),
    )
    op.create_table(
        "education_program_courses", *_keys(),
        *_ref("program_id", "education_programs", "fk_education_program_courses_program"),
        *_ref("course_id", "education_courses", "fk_education_program_courses_course"),
        sa.UniqueConstraint("tenant_id", "program_id", "course_id",
                            name="uq_education_program_courses"),
    )
    op.create_table(
        "education_outcomes", *_keys(),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text),
        sa.Column("framework_uri", sa.String(500)),
        sa.Column("framework_name", sa.String(200)),
        sa.UniqueConstraint("tenant_id", "code", name="uq_education_outcomes_code"),
    )
    op.create_table(
        "education_course_outcomes", *_keys(),
        *_ref("course_id", "education_courses", "fk_education_course_outcomes_course"),
        *_ref("outcome_id", "education_outcomes", "fk_education_course_outcomes_outcome"),
        sa.Column("level", sa.Integer, nullable=False),
        sa.UniqueConstraint("tenant_id", "course_id", "outcome_id",
                            name="uq_education_course_outcomes"),
    )
    op.create_table(
        "education_prerequisites", *_keys(),
        *_ref("course_id", "education_courses", "fk_education_prerequisites_course"),
        *_ref("requires_id", "education_courses", "fk_education_prerequisites_requires"),
        sa.UniqueConstraint("tenant_id", "course_id", "requires_id",
                            name="uq_education_prerequisites"),
    )
    op.create_table(
        "education_learners", *_keys(),
        sa.Column("contact_id", UUID(as_uuid=True), nullable=False),
        sa.Column("student_number", sa.String(40), nullable=False),
        sa.Column("may_contact", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.ForeignKeyConstraint(["tenant_id", "contact_id"], ["contacts.tenant_id", "contacts.id"],
                                ondelete="CASCADE", name="fk_education_learners_contact"),
        sa.UniqueConstraint("tenant_id", "student_number", name="uq_education_learners_number"),
        sa.UniqueConstraint("tenant_id", "contact_id", name="uq_education_learners_contact"),
    )
    op.create_table(
        "education_enrolments", *_keys(),
        *_ref("learner_id", "education_learners", "fk_education_enrolments_learner"),
        *_ref("course_id", "education_courses", "fk_education_enrolments_course",
              cascade=False),
        sa.Column("term", sa.String(20), nullable=False),
        sa.Column("attempt", sa.Integer, nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("grade", sa.String(12)),
        sa.Column("completed_on", sa.Date),
        sa.Column("recorded_by", UUID(as_uuid=True)),
        sa.UniqueConstraint("tenant_id", "learner_id", "course_id", "term", "attempt",
                            name="uq_education_enrolments_attempt"),
    )
    op.create_index("ix_education_enrolments_tenant_id_course", "education_enrolments",
                    ["tenant_id", "course_id"])
    op.create_table(
        "education_achievements", *_keys(),
        *_ref("learner_id", "education_learners", "fk_education_achievements_learner"),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("issuer_name", sa.String(200), nullable=False),
        sa.Column("issued_on", sa.Date, nullable=False),
        sa.Column("expires_on", sa.Date),
        sa.Column("program_id", UUID(as_uuid=True)),
        sa.Column("imported", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("decision", sa.String(10)),
        sa.Column("alignments", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
        sa.Column("credential", JSONB),
    )
    op.create_index("ix_education_achievements_tenant_id_learner", "education_achievements",
                    ["tenant_id", "learner_id"])
    op.create_table(
        "education_holdings", *_keys(),
        *_ref("learner_id", "education_learners", "fk_education_holdings_learner"),
        *_ref("outcome_id", "education_outcomes", "fk_education_holdings_outcome"),
        sa.Column("level", sa.Integer, nullable=False),
        sa.Column("source", sa.String(12), nullable=False),
        *_ref("enrolment_id", "education_enrolments", "fk_education_holdings_enrolment",
              nullable=True),
        *_ref("achievement_id", "education_achievements", "fk_education_holdings_achievement",
              nullable=True),
        sa.Column("achieved_on", sa.Date, nullable=False),
        sa.Column("expires_on", sa.Date),
    )
    op.create_index("ix_education_holdings_tenant_id_learner", "education_holdings",
                    ["tenant_id", "learner_id", "outcome_id"])
    for table in TABLES:
        enable_tenant_rls(table)


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
