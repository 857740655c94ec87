"""Import staging in a tenant table, so step-by-step imports need no session state.

Revision ID: 0028_import_staging
Revises: 0027_analytics

- ``import_staged_rows``: the checked rows of an import that are still to be written —
  row number ``n`` in the file, the key it is matched by, its values (jsonb) and ``id``,
  the id of the contact it creates if it creates one (UUIDv7 drawn in file order). The
  primary key is ``(tenant_id, id)`` like every tenant table; batches read ranges of
  ``(tenant_id, import_id, n)``, unique. Tenant RLS, forced.

  UNLOGGED: staged rows are derived from the file on every run (a resumed import stages
  again from its checkpoint) and each batch deletes its rows as it commits, so nothing
  here needs to survive a crash — PostgreSQL empties an unlogged table after one — and
  not writing WAL for it keeps imports as fast as the temporary table they replace.

This revision is history: it imports no application code.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

from rapport.db.migration_helpers import (
    disable_tenant_rls,
    enable_tenant_rls,
    tenant_key_columns,
)

revision = "0028_import_staging"
down_revision = "0027_analytics"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_staged_rows",
        *tenant_key_columns(),
        sa.Column("import_id", UUID(as_uuid=True), nullable=False),
        sa.Column("n", sa.Integer, nullable=False),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("doc", JSONB, nullable=False),
        prefixes=["UNLOGGED"],
    )
    op.create_index("ix_import_staged_rows_import_n", "import_staged_rows",
                    ["tenant_id", "import_id", "n"], unique=True)
    enable_tenant_rls("import_staged_rows")


def downgrade() -> None:
    disable_tenant_rls("import_staged_rows")
    op.drop_table("import_staged_rows")
