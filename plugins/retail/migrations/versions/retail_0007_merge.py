"""Retail: one contact may briefly hold two memberships of a program (a contact merge moves
the merged contact's member to the survivor); the plugin folds them into one at once.

Revision ID: retail_0007

The unique key (tenant, program, contact) made the kernel's merge drop the merged contact's
member — and with it, by cascade, its ledger. Joining checks for an existing membership
under a lock on the contact instead.
"""

from alembic import op

revision = "retail_0007"
down_revision = "retail_0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_constraint("uq_retail_members_contact", "retail_members", type_="unique")
    op.create_index("ix_retail_members_program_contact", "retail_members",
                    ["tenant_id", "program_id", "contact_id"])


def downgrade() -> None:
    op.drop_index("ix_retail_members_program_contact", table_name="retail_members")
    op.create_unique_constraint("uq_retail_members_contact", "retail_members",
                                ["tenant_id", "program_id", "contact_id"])
