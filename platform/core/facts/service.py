"""Recording and reading the provenance of contact facts."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.audit import jsonable
from rapport.core.facts.models import ContactFact
from rapport.errors import invalid
from rapport.tenancy.models import User
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


async def record(
    session: AsyncSession,
    actor: Principal,
    contact_id: uuid.UUID,
    changes: Mapping[str, list[Any]],
    provenance: Provenance,
) -> None:
    """One fact per changed value (``changes`` is an ``audit.diff``: {field: [before, after]})."""
    if not changes:
        return
    await session.execute(
        insert(ContactFact).values(
            [
                {
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
    )


@dataclass(frozen=True)
class FactEntry:
    value: Any
    recorded_at: datetime
    recorded_by: uuid.UUID | None
    recorded_by_name: str | None
    channel: str
    source: str | None
    interaction_id: uuid.UUID | None


async def history(
    session: AsyncSession,
    actor: Principal,
    contact_id: uuid.UUID,
    *,
    field: str | None = None,
    per_field: int = MAX_HISTORY,
) -> dict[str, list[FactEntry]]:
    """Each field's facts, newest first (at most ``per_field`` each). The caller checks
    that the contact is the actor's."""
    ranked = (
        select(
            ContactFact,
            func.row_number()
            .over(partition_by=ContactFact.field, order_by=ContactFact.id.desc())
            .label("rank"),
        )
        .where(ContactFact.tenant_id == actor.tenant_id, ContactFact.contact_id == contact_id)
    )
    if field is not None:
        ranked = ranked.where(ContactFact.field == field)
    sub = ranked.subquery()
    rows = await session.execute(
        select(sub, User.full_name)
        .outerjoin(User, User.id == sub.c.recorded_by)
        .where(sub.c.rank <= per_field)
        .order_by(sub.c.field, sub.c.id.desc())
    )
    out: dict[str, list[FactEntry]] = {}
    for row in rows.mappings():
        out.setdefault(row["field"], []).append(
            FactEntry(
                row["value"],
                row["created_at"],
                row["recorded_by"],
                row["full_name"],
                row["channel"],
                row["source"],
                row["interaction_id"],
            )
        )
    return out
