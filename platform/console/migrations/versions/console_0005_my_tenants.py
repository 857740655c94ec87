"""The organization switcher lists every organization the person belongs to.

Revision ID: console_0005
Revises: console_0004

``rapport_console_my_tenants()`` (console_0001) runs as its owner, but ``memberships`` has
forced row-level security, which binds the owner too: the function saw the current
tenant's memberships only, so the switcher never offered another organization. This adds a
read policy on ``memberships`` for the owner role alone (the role that owns the function;
the application's role is not named, so what it reads is unchanged): a person's own
accepted memberships, by the ``rapport.user_id`` the session carries — exactly what the
function selects.

This revision is history: it imports no application code.
"""

from alembic import op

revision = "console_0005"
down_revision = "console_0004"
branch_labels = None
depends_on = None

POLICY = "console_my_memberships"


def upgrade() -> None:
    op.execute(
        f"CREATE POLICY {POLICY} ON memberships FOR SELECT TO CURRENT_USER"
        " USING (user_id = nullif(current_setting('rapport.user_id', true), '')::uuid"
        " AND accepted_at IS NOT NULL)"
    )


def downgrade() -> None:
    op.execute(f"DROP POLICY {POLICY} ON memberships")
