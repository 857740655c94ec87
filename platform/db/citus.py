"""Citus readiness, read from the catalogue: what Citus would refuse when the tables are
distributed by ``tenant_id``, and the order of the ``create_*_table`` calls.

Citus itself cannot run here (it is a PostgreSQL extension this project's embedded server
does not ship); what can be proved without it is proved on the schema: every table is
either distributed by ``tenant_id`` or has a declared role below, every primary key,
unique constraint, unique index and exclusion constraint of a distributed table includes
``tenant_id``, every foreign key between distributed tables joins on ``tenant_id``, and no
reference or local table points at a distributed one. ``rapport db citus-plan`` prints the
calls in an order Citus accepts (referenced tables first). See docs/deploy.md, "Citus".
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

DISTRIBUTION_COLUMN = "tenant_id"

# Tables without tenant_id and the role each takes under Citus. Reference tables are
# copied to every node (small, global, read by joins on every shard); local tables stay
# on the coordinator only. A new table without tenant_id must be added here (the test
# of tests/deploy/test_citus.py fails until it is): that is a decision, not a default.
REFERENCE_TABLES = frozenset({
    "tenants",  # every distributed table's tenant_id points here
    "users",  # accounts are platform-wide; memberships point here
    "account_tokens",  # password-reset and verification tokens of those accounts
    "user_totp",  # a person's authenticator: one per account, whatever the tenant
    "user_recovery_codes",  # that account's single-use recovery codes
    "throttle_attempts",  # login throttling across tenants (per account and address)
    "field_entities",  # which table each custom-field entity lives in
    "field_plugin_indexes",  # plugin fields' expression indexes
    "medical_federation_keys",  # this deployment's signing keys for federation
})
LOCAL_TABLES = frozenset({
    "alembic_version",  # migrations run on the coordinator, through Citus' DDL propagation
})

_TABLES = """
SELECT c.oid, c.relname,
       EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid
               AND a.attname = %(col)s AND a.attnum > 0 AND NOT a.attisdropped)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
 ORDER BY c.relname
"""

# Unique and exclusion constraints and unique indexes (constraints' own indexes included,
# which is harmless): their key columns by name.
_UNIQUES = """
SELECT i.indrelid, ic.relname,
       array(SELECT a.attname FROM unnest(i.indkey) k
               JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k)::text[],
       i.indexprs IS NOT NULL
  FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
 WHERE i.indisunique OR EXISTS (SELECT 1 FROM pg_constraint x
                                 WHERE x.conindid = i.indexrelid AND x.contype = 'x')
"""

_FOREIGN_KEYS = """
SELECT k.conname, k.conrelid, k.confrelid,
       array(SELECT a.attname FROM unnest(k.conkey) WITH ORDINALITY u(n, i)
               JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n
              ORDER BY u.i)::text[],
       array(SELECT a.attname FROM unnest(k.confkey) WITH ORDINALITY u(n, i)
               JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.n
              ORDER BY u.i)::text[]
  FROM pg_constraint k
 WHERE k.contype = 'f'
"""


@dataclass(frozen=True)
class Readiness:
    distributed: list[str]
    reference: list[str]
    local: list[str]
    problems: list[str]
    # Each table once, every table after the tables its foreign keys point at.
    plan: list[str]

    def calls(self) -> list[str]:
        """The SQL to run on the coordinator, in order."""
        out = []
        for table in self.plan:
            if table in self.reference:
                out.append(f"SELECT create_reference_table('{table}');")
            elif table in self.distributed:
                out.append(f"SELECT create_distributed_table('{table}', '{DISTRIBUTION_COLUMN}',"
                           " colocate_with => 'default');")
        return out


def check(conn: psycopg.Connection) -> Readiness:
    """Read the catalogue and say what Citus would refuse (empty ``problems``: nothing)."""
    tables = {oid: (name, has_col) for oid, name, has_col in
              conn.execute(_TABLES, {"col": DISTRIBUTION_COLUMN}).fetchall()}
    role: dict[str, str] = {}
    problems: list[str] = []
    for name, has_col in tables.values():
        if has_col:
            role[name] = "distributed"
        elif name in REFERENCE_TABLES:
            role[name] = "reference"
        elif name in LOCAL_TABLES:
            role[name] = "local"
        else:
            role[name] = "unknown"
            problems.append(f"{name}: no {DISTRIBUTION_COLUMN} and no reference or local role "
                            "(rapport.db.citus)")
        if has_col and (name in REFERENCE_TABLES or name in LOCAL_TABLES):
            problems.append(f"{name}: has {DISTRIBUTION_COLUMN} but is listed as "
                            "reference or local")

    for relid, index, columns, on_expressions in conn.execute(_UNIQUES).fetchall():
        if relid not in tables or role[tables[relid][0]] != "distributed":
            continue
        if DISTRIBUTION_COLUMN not in columns:
            what = "expression index" if on_expressions else "key"
            problems.append(f"{tables[relid][0]}: unique {what} {index} "
                            f"({', '.join(c for c in columns if c) or 'expressions'}) "
                            f"lacks {DISTRIBUTION_COLUMN}")

    refs: dict[str, set[str]] = {name: set() for name, _ in tables.values()}
    for conname, relid, frelid, cols, fcols in conn.execute(_FOREIGN_KEYS).fetchall():
        if relid not in tables or frelid not in tables:
            continue
        src, dst = tables[relid][0], tables[frelid][0]
        if src != dst:
            refs[src].add(dst)
        src_role, dst_role = role[src], role[dst]
        if dst_role == "distributed":
            if src_role != "distributed":
                problems.append(f"{src}.{conname}: {src} ({src_role}) may not reference "
                                f"the distributed table {dst}")
            elif (DISTRIBUTION_COLUMN, DISTRIBUTION_COLUMN) not in zip(cols, fcols, strict=True):
                problems.append(f"{src}.{conname}: foreign key to {dst} ({', '.join(cols)}) "
                                f"does not join on {DISTRIBUTION_COLUMN}")
        elif dst_role == "local" and src_role != "local":
            problems.append(f"{src}.{conname}: references the coordinator-only table {dst}")

    return Readiness(
        distributed=sorted(n for n, r in role.items() if r == "distributed"),
        reference=sorted(n for n, r in role.items() if r == "reference"),
        local=sorted(n for n, r in role.items() if r == "local"),
        problems=problems,
        plan=_order(refs),
    )


def _order(refs: dict[str, set[str]]) -> list[str]:
    """Depth-first: every table after the ones it references (a cycle between distinct
    tables, which the schema has none of, would keep its first-seen order)."""
    done: list[str] = []
    seen: set[str] = set()

    def visit(table: str) -> None:
        if table in seen:
            return
        seen.add(table)
        for target in sorted(refs.get(table, ())):
            visit(target)
        done.append(table)

    for table in sorted(refs):
        visit(table)
    return done
