"""The field value index ends with ``record_id``: entries of one value are then read in
record order, so a list filtered by ``eq`` on an indexed field joins them to contacts by
primary key and stops after one page instead of sorting every match (issue 4).

Each ``(tenant_id, entity, full_key, <value>)`` index of 0002 is replaced by
``(tenant_id, entity, full_key, <value>, ordinal, record_id)``: a single-valued field's
entries all have ordinal 0, so within one value they come in ``record_id`` order, and the
walk can check ``ordinal = 0`` (one entry per record) from the index alone. Range filters
and multi-enum probes use it as before.
Plain ``CREATE INDEX`` (a migration runs in a transaction, where ``CONCURRENTLY`` cannot):
writes to ``field_values`` wait while it builds.

Revision ID: 0016_field_value_order
Revises: 0012_join_links
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_field_value_order"
down_revision = "0012_join_links"
branch_labels = None
depends_on = None

VALUE_COLUMNS = (
    ("text", "text_value"),
    ("number", "number_value"),
    ("date", "date_value"),
    ("time", "time_value"),
    ("bool", "bool_value"),
    ("ref", "ref_value"),
)


def upgrade() -> None:
    for name, column in VALUE_COLUMNS:
        op.create_index(
            f"ix_field_values_{name}_record",
            "field_values",
            ["tenant_id", "entity", "full_key", column, "ordinal", "record_id"],
            postgresql_where=sa.text(f"{column} IS NOT NULL"),
        )
        op.drop_index(f"ix_field_values_{name}", table_name="field_values")


def downgrade() -> None:
    for name, column in VALUE_COLUMNS:
        op.create_index(
            f"ix_field_values_{name}",
            "field_values",
            ["tenant_id", "entity", "full_key", column],
            postgresql_where=sa.text(f"{column} IS NOT NULL"),
        )
        op.drop_index(f"ix_field_values_{name}_record", table_name="field_values")
