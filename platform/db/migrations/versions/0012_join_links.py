"""Join the kernel's migration heads, and link the records that areas built side by side
referenced by plain ids: interactions → deals and transactions, facts → interactions,
deals → organizations. Each link is a composite foreign key with tenant_id, and deleting
the target clears only the link column.

Revision ID: 0012_join_links
Revises: 0007_interactions, 0008_commerce, 0009_audit_chain, 0010_outbox_worker, 0011_imports
"""

from alembic import op

revision = "0012_join_links"
down_revision = (
    "0007_interactions",
    "0008_commerce",
    "0009_audit_chain",
    "0010_outbox_worker",
    "0011_imports",
)
branch_labels = None
depends_on = None

# (table, column, referenced table)
LINKS = (
    ("interactions", "deal_id", "deals"),
    ("interactions", "transaction_id", "transactions"),
    ("contact_facts", "interaction_id", "interactions"),
    ("deals", "organization_id", "organizations"),
)


def _name(table: str, column: str) -> str:
    return f"fk_{table}_tenant_id_{column}"


def upgrade() -> None:
    for table, column, target in LINKS:
        # Ids written before the link existed may point nowhere; clear them first. Forced
        # RLS would hide every row from this (owner) session, so lift it for the statement.
        op.execute(f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY')
        orphans = (
            f'UPDATE "{table}" t SET "{column}" = NULL WHERE "{column}" IS NOT NULL AND NOT '  # noqa: S608
            f'EXISTS (SELECT 1 FROM "{target}" r WHERE r.tenant_id = t.tenant_id '
            f'AND r.id = t."{column}")'
        )
        op.execute(orphans)  # table and column names come from LINKS above, never input
        op.execute(f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY')
        op.execute(
            f'ALTER TABLE "{table}" ADD CONSTRAINT "{_name(table, column)}" '
            f'FOREIGN KEY (tenant_id, "{column}") REFERENCES "{target}" (tenant_id, id) '
            f'ON DELETE SET NULL ("{column}")'
        )


def downgrade() -> None:
    for table, column, _ in reversed(LINKS):
        op.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT IF EXISTS "{_name(table, column)}"')
