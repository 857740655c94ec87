"""Education: imported achievements keep the credits their credential says were earned,
and the unit the registrar counted them in when recognising them (so continuing-education
hours earned elsewhere count towards a licence).

Revision ID: education_0005
"""

import sqlalchemy as sa
from alembic import op

revision = "education_0005"
down_revision = "education_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("education_achievements", sa.Column("credits", sa.Numeric(6, 1)))
    op.add_column("education_achievements", sa.Column("credit_unit", sa.String(12)))


def downgrade() -> None:
    op.drop_column("education_achievements", "credit_unit")
    op.drop_column("education_achievements", "credits")
