"""Recording and reading the provenance of contact facts."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Insert, insert, text
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.audit import jsonable
from rapport.core.facts.models import ContactFact
from rapport.db.base import new_id
from rapport.errors import invalid
from rapport.tenancy.principal import Principal

CHANNEL_RE = re.compile(r"^[a-z][a-z0-9_.]{0,39}$")
MAX_HISTORY = 100


@dataclass(frozen=True)
class Provenance:
    """Where a change came from. Without ``source`` or ``interaction_id`` the fact's
    provenance is the member who made it and the channel (``api``, ``import``, ``merge``)."""

    channel: str = "api"
    source: str | None = None
    interaction_id: uuid.UUID | None = None

    def __post_init__(self) -> None:
        if not CHANNEL_RE.match(self.channel):
            raise ValueError(f"channel {self.channel!r}: lowercase letters, digits, '_' and '.'")


async def check_provenance(
    session: AsyncSession, actor: Principal, provenance: Provenance, field: str = "provenance"
) -> None:
    """An interaction named as the source must be one of the tenant's (422 otherwise).

    Interactions are their own area; where it is not installed no id can be checked, so
    none is accepted.
    """
    if provenance.interaction_id is None:
        return
    name = f"{field}.interaction_id"
    exists = (await session.execute(text("SELECT to_regclass('public.interactions')"))).scalar()
    if exists is None:
        raise invalid(name, "no interaction with this id")
    found = await session.execute(
        text("SELECT 1 FROM interactions WHERE tenant_id = :tenant AND id = :id"),
        {"tenant": actor.tenant_id, "id": provenance.interaction_id},
    )
    if found.first() is None:
        raise invalid(name, "no interaction with this id")


def statement(
    actor: Principal,
    contact_id: uuid.UUID,
    changes: Mapping[str, list[Any]],
    provenance: Provenance,
) -> Insert | None:
    """The INSERT of one fact per changed value (``None``: nothing changed), for a caller
    that sends it with its other writes in one statement."""
    if not changes:
        return None
    return insert(ContactFact).values(
        [
            {
                # Ids made here, not by the column default: a default's bind parameter
                # would clash with other INSERTs' in one CTE chain.
                "id": new_id(),
                "tenant_id": actor.tenant_id,
                "contact_id": contact_id,
                "field": name,
                "value": jsonable(after),
                "channel": provenance.channel,
                "source": provenance.source,
                "interaction_id": provenance.interaction_id,
                "recorded_by": actor.user_id,
            }
            for name, (_, after) in changes.items()
        ]
    )


async def record(
    session: AsyncSession,
    actor: Principal,
    contact_id: uuid.UUID,
    changes: Mapping[str, list[Any]],
    provenance: Provenance,
) -> None:
    """One fact per changed value (``changes`` is an ``audit.diff``: {field: [before, after]})."""
    made = statement(actor, contact_id, changes, provenance)
    if made is not None:
        await session.execute(made)


@dataclass(frozen=True)
class FactEntry:
    value: Any
    recorded_at: datetime
    recorded_by: uuid.UUID | None
    recorded_by_name: str | None
    channel: str
    source: str | None
    interaction_id: uuid.UUID | None


# A fact holding several values at once, ``{field: value}``: what one import brought for
# one contact. Reading expands it into one entry per field, so each field's history looks
# the same whichever way its facts were recorded.
VALUE_SET = "*"

_HISTORY = """
WITH expanded AS (
    SELECT f.id, f.created_at, f.recorded_by, f.channel, f.source, f.interaction_id,
           coalesce(e.key, f.field) AS field,
           CASE WHEN e.key IS NULL THEN f.value ELSE e.value END AS value
    FROM contact_facts f
    LEFT JOIN LATERAL jsonb_each(CASE WHEN f.field = :set THEN f.value END) e ON true
    WHERE f.tenant_id = :tenant AND f.contact_id = :contact
      AND (f.field <> :set OR e.key IS NOT NULL) {narrow}
), ranked AS (
    SELECT x.*, row_number() OVER (PARTITION BY x.field ORDER BY x.id DESC) AS rank
    FROM expanded x {only}
)
SELECT r.field, r.value, r.created_at, r.recorded_by, u.full_name, r.channel, r.source,
       r.interaction_id
FROM ranked r LEFT JOIN users u ON u.id = r.recorded_by
WHERE r.rank <= :per_field
ORDER BY r.field, r.id DESC
"""


async def history(
    session: AsyncSession,
    actor: Principal,
    contact_id: uuid.UUID,
    *,
    field: str | None = None,
    per_field: int = MAX_HISTORY,
) -> dict[str, list[FactEntry]]:
    """Each field's facts, newest first (at most ``per_field`` each), value sets expanded.
    The caller checks that the contact is the actor's."""
    params: dict[str, Any] = {"tenant": actor.tenant_id, "contact": contact_id,
                              "set": VALUE_SET, "per_field": per_field}
    narrow = only = ""
    if field is not None:
        # Facts of this field, or sets that hold it (the index serves both look-ups).
        narrow = "AND f.field IN (:field, :set)"
        only = "WHERE x.field = :field"
        params["field"] = field
    rows = await session.execute(text(_HISTORY.format(narrow=narrow, only=only)), params)
    out: dict[str, list[FactEntry]] = {}
    for name, value, *rest in rows:
        out.setdefault(name, []).append(FactEntry(value, *rest))
    return out
