"""Join the kernel's migration heads of this round into one, so the next kernel migration
has a single parent: 0013 (bulk write keys), 0015 (contact moves), 0016 (field value
order) and 0017 (reminder backoff, after 0014). No schema change.

Revision ID: 0018_join_heads
Revises: 0013_bulk_write_keys, 0015_contact_moves, 0016_field_value_order,
         0017_reminder_backoff
"""

revision = "0018_join_heads"
down_revision = (
    "0013_bulk_write_keys",
    "0015_contact_moves",
    "0016_field_value_order",
    "0017_reminder_backoff",
)
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to change: this revision only gives the heads one child."""


def downgrade() -> None:
    """Nothing to undo: the heads become heads again."""
