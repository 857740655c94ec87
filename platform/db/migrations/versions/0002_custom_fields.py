"""Custom fields: definitions, the entity allow-list, safe casts, the field value index.

Revision ID: 0002_fields
Revises: 0001_kernel

Different tenants may define the same key with different types, so every SQL read of a
value goes through IMMUTABLE casts that return NULL on anything malformed instead of
raising. Indexed fields' values are mirrored by triggers into ``field_values``, whose typed
columns carry shared btree indexes the app role's queries can use under forced RLS (see the
comment on that table); no index is ever created at run time.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

from rapport.db.migration_helpers import (
    enable_tenant_rls,
    sync_field_values,
    tenant_key_columns,
)

revision = "0002_fields"
down_revision = "0001_kernel"
branch_labels = None
depends_on = None

SAFE_CASTS = r"""
-- Fixed-point only: the shape the app stores numbers and money amounts in.
CREATE OR REPLACE FUNCTION rapport_try_numeric(value text) RETURNS numeric
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT CASE WHEN value ~ '^[+-]?[0-9]{1,40}(\.[0-9]{1,40})?$' THEN value::numeric END $$;

CREATE OR REPLACE FUNCTION rapport_try_boolean(value text) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT CASE value WHEN 'true' THEN true WHEN 'false' THEN false END $$;

-- make_date is immutable (a text::date cast is only stable: it reads DateStyle). The nested
-- CASE fixes evaluation order, so make_date never sees a month or day out of range.
CREATE OR REPLACE FUNCTION rapport_try_date(value text) RETURNS date
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
SELECT CASE WHEN value ~ '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$'
                 AND left(value, 4) <> '0000' THEN
  CASE WHEN substr(value, 9, 2)::int <= extract(day FROM
            make_date(left(value, 4)::int, substr(value, 6, 2)::int, 1)
            + interval '1 month' - interval '1 day')
       THEN make_date(left(value, 4)::int, substr(value, 6, 2)::int, substr(value, 9, 2)::int)
  END
END
$$;

-- Schema-qualified call: CREATE INDEX, ANALYZE and autovacuum evaluate index expressions
-- with search_path = pg_catalog only.
-- text::timestamptz is stable because input without an offset depends on TimeZone. The
-- pattern demands an explicit offset and ISO field order, so here the result depends on
-- the text alone, which makes IMMUTABLE true for every input that reaches the cast.
CREATE OR REPLACE FUNCTION rapport_try_timestamptz(value text) RETURNS timestamptz
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
SELECT CASE WHEN value ~ ('^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ]([01][0-9]|2[0-3]):[0-5][0-9]'
                          || '(:[0-5][0-9](\.[0-9]{1,6})?)?(Z|[+-](0[0-9]|1[0-4])(:?[0-5][0-9])?)$')
THEN
  CASE WHEN public.rapport_try_date(left(value, 10)) IS NOT NULL THEN value::timestamptz END
END
$$;

CREATE OR REPLACE FUNCTION rapport_try_uuid(value text) RETURNS uuid
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
SELECT CASE WHEN value ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
            THEN value::uuid END
$$;
"""

INDEX_FUNCTIONS = r"""
-- Types that read the same way share a column of field_values (IndexKind in expressions.py).
CREATE OR REPLACE FUNCTION rapport_field_index_kind(field_type text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
SELECT CASE field_type
  WHEN 'text' THEN 'text' WHEN 'long_text' THEN 'text' WHEN 'email' THEN 'text'
  WHEN 'phone' THEN 'text' WHEN 'url' THEN 'text' WHEN 'enum' THEN 'text'
  WHEN 'integer' THEN 'numeric' WHEN 'decimal' THEN 'numeric' WHEN 'money' THEN 'money'
  WHEN 'boolean' THEN 'boolean' WHEN 'date' THEN 'date' WHEN 'datetime' THEN 'datetime'
  WHEN 'reference' THEN 'reference' WHEN 'multi_enum' THEN 'multi'
END
$$;

-- The index entries of one field of one record: one row, or one per multi-enum choice.
-- Text is cut to 256 characters (btree entries have a size limit) and numbers become
-- float8 (numeric comparisons are not leakproof): filters re-check the exact value.
CREATE OR REPLACE FUNCTION rapport_field_value_rows(fields jsonb, full_key text, field_type text)
RETURNS TABLE (ordinal integer, text_value text, number_value float8, date_value date,
               time_value timestamptz, bool_value boolean, ref_value uuid)
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
SELECT r.* FROM (
  SELECT 0,
    CASE WHEN s.kind = 'text' THEN left(fields ->> full_key, 256) END,
    CASE s.kind
      WHEN 'numeric' THEN public.rapport_try_numeric(fields ->> full_key)::float8
      WHEN 'money' THEN public.rapport_try_numeric((fields -> full_key) ->> 'amount')::float8
    END,
    CASE WHEN s.kind = 'date' THEN public.rapport_try_date(fields ->> full_key) END,
    CASE WHEN s.kind = 'datetime' THEN public.rapport_try_timestamptz(fields ->> full_key) END,
    CASE WHEN s.kind = 'boolean' THEN public.rapport_try_boolean(fields ->> full_key) END,
    CASE WHEN s.kind = 'reference'
         THEN public.rapport_try_uuid((fields -> full_key) ->> 'id') END
  FROM (SELECT public.rapport_field_index_kind(field_type) AS kind) s
  WHERE s.kind <> 'multi'
  UNION ALL
  SELECT e.ord::integer, left(e.value, 256), NULL, NULL, NULL, NULL, NULL
  FROM (SELECT public.rapport_field_index_kind(field_type) AS kind) s,
       jsonb_array_elements_text(
         CASE WHEN s.kind = 'multi' AND jsonb_typeof(fields -> full_key) = 'array'
              THEN fields -> full_key ELSE '[]'::jsonb END
       ) WITH ORDINALITY AS e(value, ord)
) AS r (ordinal, text_value, number_value, date_value, time_value, bool_value, ref_value)
WHERE num_nonnulls(r.text_value, r.number_value, r.date_value, r.time_value, r.bool_value,
                   r.ref_value) > 0
$$;

-- Keeps field_values in step with the records of one entity table (TG_ARGV[0] names the
-- entity), whoever writes them: the API, an import, a plugin's own SQL. Statement-level
-- with transition tables, so a bulk insert costs one INSERT here, not one per row. The
-- shared advisory lock pairs with the exclusive one taken while a field is being indexed.
CREATE OR REPLACE FUNCTION rapport_sync_field_values() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
  entity_name text := TG_ARGV[0];
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM pg_advisory_xact_lock_shared(hashtextextended(o.tenant_id::text || entity_name, 0))
    FROM (SELECT DISTINCT tenant_id FROM old_rows) o;
    DELETE FROM public.field_values v
    USING old_rows o
    WHERE v.tenant_id = o.tenant_id AND v.entity = entity_name AND v.record_id = o.id;
  ELSE
    PERFORM pg_advisory_xact_lock_shared(hashtextextended(n.tenant_id::text || entity_name, 0))
    FROM (SELECT DISTINCT tenant_id FROM new_rows) n;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO public.field_values (tenant_id, entity, record_id, full_key, ordinal,
        text_value, number_value, date_value, time_value, bool_value, ref_value)
    SELECT n.tenant_id, entity_name, n.id, k.full_key, r.*
    FROM new_rows n
    JOIN (
      SELECT d.tenant_id, d.full_key, d.type FROM public.field_definitions d
      WHERE d.entity = entity_name AND d.indexed
      UNION ALL
      SELECT t.tenant_id, p.full_key, p.type
      FROM public.field_plugin_indexes p CROSS JOIN (SELECT DISTINCT tenant_id FROM new_rows) t
      WHERE p.entity = entity_name
    ) k ON k.tenant_id = n.tenant_id AND n.fields ? k.full_key
    CROSS JOIN LATERAL public.rapport_field_value_rows(n.fields, k.full_key, k.type) r;
  END IF;
  RETURN NULL;
END
$$;
"""

FUNCTIONS = (
    "rapport_sync_field_values()",
    "rapport_field_value_rows(jsonb, text, text)",
    "rapport_field_index_kind(text)",
    "rapport_try_uuid(text)",
    "rapport_try_timestamptz(text)",
    "rapport_try_date(text)",
    "rapport_try_boolean(text)",
    "rapport_try_numeric(text)",
)
VALUE_COLUMNS = (
    ("text", "text_value"),
    ("number", "number_value"),
    ("date", "date_value"),
    ("time", "time_value"),
    ("bool", "bool_value"),
    ("ref", "ref_value"),
)


def upgrade() -> None:
    op.create_table(
        "field_entities",
        sa.Column("entity", sa.String(40), primary_key=True),
        sa.Column("table_name", sa.String(63), nullable=False),
    )
    # Default privileges gave the app role writes; statements built from this list trust it.
    op.execute("REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON field_entities FROM rapport_app")
    op.execute("INSERT INTO field_entities (entity, table_name) VALUES ('contact', 'contacts')")

    op.create_table(
        "field_definitions",
        *tenant_key_columns(),
        sa.Column("entity", sa.String(40), nullable=False),
        sa.Column("key", sa.String(40), nullable=False),
        sa.Column("full_key", sa.String(80), nullable=False),
        sa.Column("type", sa.String(20), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("options", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
        sa.Column("required", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("indexed", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.UniqueConstraint("tenant_id", "entity", "full_key"),
        sa.CheckConstraint("full_key = 'custom.' || key", name="full_key_is_custom"),
    )
    enable_tenant_rls("field_definitions")

    # Indexed plugin fields, registered by the plugin manager: global, like the code they
    # come from (the trigger indexes them for every tenant; hidden ones are never queried).
    op.create_table(
        "field_plugin_indexes",
        sa.Column("entity", sa.String(40), primary_key=True),
        sa.Column("full_key", sa.String(80), primary_key=True),
        sa.Column("type", sa.String(20), nullable=False),
    )

    # The index of indexed fields' values. Under forced RLS PostgreSQL uses a condition as an
    # index condition only if every function in it is LEAKPROOF; jsonb operators and numeric
    # comparisons are not (and only a superuser may declare one so), so an expression index
    # over contacts.fields is never used by the app role. Plain typed columns compared with
    # leakproof operators (text, float8, date, timestamptz, bool, uuid) are.
    op.create_table(
        "field_values",
        sa.Column(
            "tenant_id",
            UUID(as_uuid=True),
            sa.ForeignKey("tenants.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "id", UUID(as_uuid=True), primary_key=True, server_default=sa.text("gen_random_uuid()")
        ),
        sa.Column("entity", sa.String(40), nullable=False),
        sa.Column("record_id", UUID(as_uuid=True), nullable=False),
        sa.Column("full_key", sa.String(80), nullable=False),
        sa.Column("ordinal", sa.Integer, nullable=False),
        sa.Column("text_value", sa.Text),
        sa.Column("number_value", sa.Float(precision=53)),
        sa.Column("date_value", sa.Date),
        sa.Column("time_value", sa.DateTime(timezone=True)),
        sa.Column("bool_value", sa.Boolean),
        sa.Column("ref_value", UUID(as_uuid=True)),
        # Also what the triggers delete a record's entries by.
        sa.UniqueConstraint(
            "tenant_id", "entity", "record_id", "full_key", "ordinal", name="uq_field_values_entry"
        ),
    )
    for name, column in VALUE_COLUMNS:
        op.create_index(
            f"ix_field_values_{name}",
            "field_values",
            ["tenant_id", "entity", "full_key", column],
            postgresql_where=sa.text(f"{column} IS NOT NULL"),
        )
    enable_tenant_rls("field_values")

    op.execute(SAFE_CASTS)
    op.execute(INDEX_FUNCTIONS)
    sync_field_values("contacts", "contact")


def downgrade() -> None:
    for event in ("insert", "update", "delete"):
        op.execute(f'DROP TRIGGER IF EXISTS "contacts_field_values_{event}" ON contacts')
    op.drop_table("field_values")
    op.drop_table("field_plugin_indexes")
    for signature in FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS {signature}")
    op.drop_table("field_definitions")
    op.drop_table("field_entities")
