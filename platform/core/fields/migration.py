"""Migration helper for tables whose records carry custom fields (kernel and plugins)."""

from __future__ import annotations

from alembic import op

from rapport.core.fields.definitions import NAME_RE


def sync_field_values(table: str, entity: str) -> None:
    """Keep the ``field_values`` index in step with ``table``'s records of ``entity``.

    The table needs ``tenant_id``, ``id`` and a jsonb ``fields`` column; add a row to
    ``field_entities`` for it as well. Call from the migration that creates the table.
    """
    if not (NAME_RE.match(table) and NAME_RE.match(entity)):
        raise ValueError("table and entity must be lower-case names")
    for event, refs in (
        ("INSERT", "NEW TABLE AS new_rows"),
        ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
        ("DELETE", "OLD TABLE AS old_rows"),
    ):
        op.execute(
            f'CREATE TRIGGER "{table}_field_values_{event.lower()}" AFTER {event} ON "{table}" '
            f"REFERENCING {refs} FOR EACH STATEMENT "
            f"EXECUTE FUNCTION rapport_sync_field_values('{entity}')"
        )
