"""``rapport_move_contact_rows``: a merge moves a contact's rows with one foreign-key check.

Revision ID: 0015_contact_moves
Revises: 0012_join_links

Merging a contact moves every row that references it (``rapport.core.contacts.repoint``).
For a contact with 10,000 interactions that is one ``UPDATE`` whose cost was mostly the
foreign-key trigger: PostgreSQL checks, once per moved row, that the survivor exists —
10,000 identical lookups of a row the merge already holds locked (measured: 43 of 117 ms).
This function checks it once, then updates with ``session_replication_role = replica`` so
the per-row copies of that check are not queued.

Skipping triggers is only sound when the contact column is all they would have checked,
so the function first proves that for the table at hand, and otherwise falls back to the
ordinary update (``origin`` role, every trigger fires):

- the table has no triggers of its own (audit or mirror triggers must see every row);
- every foreign key holding the contact column is the ``(tenant, contact) → contacts``
  reference, which the one check covers;
- no foreign key of another table references the contact column.

It moves only what the caller could move itself: columns with a ``(tenant, contact) →
contacts`` foreign key that the session's login role may update.

Unique and check constraints are not triggers: they are enforced either way. Row-level
security is not a trigger either: the function runs as the owner, whom FORCE RLS binds,
and updates only the current tenant's rows.

Setting ``session_replication_role`` needs a privilege PostgreSQL grants explicitly
(``GRANT SET ON PARAMETER``, PostgreSQL 15+; ``rapport.db.bootstrap`` grants it to the
owner role). Where the owner lacks it, the function is created without the setting: the
same moves, each row checked by its trigger as before.
"""

from alembic import op

revision = "0015_contact_moves"
down_revision = "0012_join_links"
branch_labels = None
depends_on = None

SIGNATURE = "rapport_move_contact_rows(regclass, name, name, uuid, uuid)"

# $1 table, $2 its tenant column, $3 its contact column, $4 survivor, $5 the merged contact.
BODY = """
DECLARE
    tenant uuid := rapport_current_tenant();
    moved bigint;
BEGIN
    IF tenant IS NULL THEN
        RAISE EXCEPTION 'no tenant in this session' USING ERRCODE = '42501';
    END IF;
    -- Only for what the caller may do anyway: move contact references it may update.
    IF NOT EXISTS (
        SELECT 1 FROM pg_constraint c
        WHERE c.contype = 'f' AND c.conrelid = $1 AND c.confrelid = 'contacts'::regclass
          AND c.conkey = ARRAY[
              (SELECT attnum FROM pg_attribute WHERE attrelid = $1 AND attname = $2),
              (SELECT attnum FROM pg_attribute WHERE attrelid = $1 AND attname = $3)]::int2[]
          AND c.confkey = ARRAY[
              (SELECT attnum FROM pg_attribute
               WHERE attrelid = 'contacts'::regclass AND attname = 'tenant_id'),
              (SELECT attnum FROM pg_attribute
               WHERE attrelid = 'contacts'::regclass AND attname = 'id')]::int2[]
    ) OR NOT has_column_privilege(session_user, $1, $3, 'UPDATE') THEN
        RAISE EXCEPTION '%.% is not a contact reference the caller may move', $1, $3
            USING ERRCODE = '42501';
    END IF;
    -- The check every row's foreign-key trigger would repeat, done once.
    PERFORM 1 FROM contacts WHERE tenant_id = tenant AND id = $4 FOR KEY SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'contact % does not exist', $4 USING ERRCODE = '23503';
    END IF;
    {guard}
    EXECUTE format('UPDATE %s SET %I = $1 WHERE %I = $2 AND %I = $3', $1, $3, $2, $3)
        USING $4, tenant, $5;
    GET DIAGNOSTICS moved = ROW_COUNT;
    RETURN moved;
END
"""

GUARD = """
    IF EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = $1 AND NOT t.tgisinternal)
       OR EXISTS (
           SELECT 1 FROM pg_constraint c
           JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attname = $3
           WHERE c.contype = 'f' AND c.conrelid = $1 AND a.attnum = ANY (c.conkey)
             AND (c.confrelid <> 'contacts'::regclass OR cardinality(c.conkey) <> 2))
       OR EXISTS (
           SELECT 1 FROM pg_constraint c
           JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attname = $3
           WHERE c.contype = 'f' AND c.confrelid = $1 AND a.attnum = ANY (c.confkey))
    THEN
        -- Triggers would check more than the survivor: let every one of them fire.
        PERFORM set_config('session_replication_role', 'origin', true);
    END IF;
"""


def upgrade() -> None:
    bind = op.get_bind()
    version = bind.exec_driver_sql("SELECT current_setting('server_version_num')::int").scalar()
    # has_parameter_privilege (and granting one setting) exist from PostgreSQL 15 on.
    fast = bool(version and version >= 150000 and bind.exec_driver_sql(
        "SELECT has_parameter_privilege('session_replication_role', 'SET')"
    ).scalar())
    setting = " SET session_replication_role = replica" if fast else ""
    body = BODY.format(guard=GUARD if fast else "").replace("$$", "")
    op.execute(
        f"CREATE FUNCTION {SIGNATURE} RETURNS bigint "
        "LANGUAGE plpgsql VOLATILE SECURITY DEFINER "
        f"SET search_path = pg_catalog, public{setting} AS $fn${body}$fn$"
    )
    op.execute(f"REVOKE ALL ON FUNCTION {SIGNATURE} FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {SIGNATURE} TO rapport_app")


def downgrade() -> None:
    op.execute(f"DROP FUNCTION IF EXISTS {SIGNATURE}")
