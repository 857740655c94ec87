"""A member's time zone, and the organization's default, next to the language.

Revision ID: console_0004
Revises: console_0002

``console_preferences`` gains ``time_zone`` (an IANA name such as ``Europe/Kyiv``; NULL: not
chosen), and ``locale`` may now be NULL: a member may choose a time zone and keep reading
the organization's language. The row's tenant policy is unchanged.

This revision is history: it imports no application code.
"""

import sqlalchemy as sa
from alembic import op

revision = "console_0004"
down_revision = "console_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("console_preferences", sa.Column("time_zone", sa.String(64)))
    op.alter_column("console_preferences", "locale", nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM console_preferences WHERE locale IS NULL")
    op.alter_column("console_preferences", "locale", nullable=False)
    op.drop_column("console_preferences", "time_zone")
