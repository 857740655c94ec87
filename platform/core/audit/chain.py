"""Verifying the audit log's hash chain (``rapport audit verify``).

Each tenant's entries form a chain sealed at commit by the database: entry *n* stores
``hash = sha256(prev_hash | canonical(entry))`` and the chain head records the last
sequence number and hash. Verification recomputes every hash here, in Python, from the
stored values, so an edited field, a deleted entry (a gap, or a head ahead of the last
entry) or a forged hash breaks the chain visibly.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import psycopg

# Must equal CANONICAL in migration 0032_api_clients (0009_audit_chain's plus the acting
# client, which concat_ws skips when NULL, so entries before it hash as they did).
CANONICAL_SQL = """concat_ws('|',
    e.tenant_id::text, e.id::text, e.seq::text,
    to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'),
    coalesce(e.actor_user_id::text, ''), e.actor_tenant_id::text, e.action, e.record_type,
    e.record_id::text, e.changes::text, e.detail::text,
    coalesce(e.counterpart_tenant_id::text, ''), e.actor_client_id::text)"""


@dataclass(frozen=True)
class ChainReport:
    tenant_id: uuid.UUID
    entries: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def _link(prev_hash: str, canonical: str) -> str:
    return hashlib.sha256(f"{prev_hash}|{canonical}".encode()).hexdigest()


def verify_tenant(
    conn: psycopg.Connection,
    tenant_id: uuid.UUID,
    progress: Callable[[int], None] | None = None,
    *,
    max_problems: int = 20,
) -> ChainReport:
    """Walk one tenant's chain in order. ``conn`` is the owner role (RLS still applies:
    the tenant context is set for the walk)."""
    problems: list[str] = []
    with conn.transaction():
        conn.execute("SELECT set_config('rapport.tenant_id', %s, true)", (str(tenant_id),))
        head = conn.execute(
            "SELECT seq, last_hash FROM audit_chain_heads WHERE tenant_id = %s", (tenant_id,)
        ).fetchone()
        unsealed = conn.execute(
            "SELECT count(*) FROM audit_events WHERE tenant_id = %s AND seq IS NULL",
            (tenant_id,),
        ).fetchone()
        if unsealed and unsealed[0]:
            problems.append(f"{unsealed[0]} entries carry no chain position (inserted unsealed)")
        expected_seq, prev_hash, count = 1, "", 0
        cursor = conn.cursor(name="audit_chain_walk")
        cursor.itersize = 2000
        cursor.execute(
            f"SELECT e.seq, e.prev_hash, e.hash, {CANONICAL_SQL} FROM audit_events e "  # noqa: S608 - constant SQL
            "WHERE e.tenant_id = %s AND e.seq IS NOT NULL ORDER BY e.seq",
            (tenant_id,),
        )
        for seq, stored_prev, stored_hash, canonical in cursor:
            count += 1
            if seq != expected_seq:
                problems.append(f"entries {expected_seq}..{seq - 1} are missing (deleted)")
            if stored_prev != prev_hash:
                problems.append(f"entry {seq}: prev_hash does not match entry {seq - 1}")
            if _link(stored_prev or "", canonical) != stored_hash:
                problems.append(f"entry {seq}: contents do not match its hash (edited)")
            prev_hash, expected_seq = stored_hash, seq + 1
            if progress is not None and count % 1000 == 0:
                progress(1000)
            if len(problems) >= max_problems:
                break
        cursor.close()
        if progress is not None:
            progress(count % 1000)
        last_seq = expected_seq - 1
        if head is not None and len(problems) < max_problems:
            if head[0] != last_seq:
                problems.append(
                    f"chain head says {head[0]} entries but the log ends at {last_seq} (deleted)"
                )
            elif head[1] != prev_hash:
                problems.append("chain head hash does not match the last entry")
    return ChainReport(tenant_id, count, problems)
