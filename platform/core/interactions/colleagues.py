"""Answers "has a colleague already worked with this customer?": each member's latest
interaction with one contact, and how many interactions the contact has in all."""

from __future__ import annotations

import functools
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, literal_column, select
from sqlalchemy.dialects.postgresql import aggregate_order_by, distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.interactions.models import Interaction
from rapport.core.interactions.schemas import ColleagueInteraction, Colleagues
from rapport.hooks import summary_parameters
from rapport.tenancy.models import User


def colleagues_statement(tenant_id: uuid.UUID, contact_id: uuid.UUID) -> Select[Any]:
    """One query (exposed so tests can EXPLAIN it).

    The inner DISTINCT ON reads only the index ``(tenant_id, contact_id, member_id,
    occurred_at DESC, id DESC)`` — an index-only scan in index order, no sort — and counts
    the rows it passes with a window; the outer join then fetches just one row per member.
    """
    latest = (
        select(
            Interaction.member_id,
            Interaction.id,
            func.count().over().label("total"),
        )
        .where(Interaction.tenant_id == tenant_id, Interaction.contact_id == contact_id)
        .ext(distinct_on(Interaction.member_id))
        .order_by(Interaction.member_id, Interaction.occurred_at.desc(), Interaction.id.desc())
        .subquery("latest")
    )
    return (
        select(
            latest.c.member_id,
            User.full_name,
            Interaction.kind,
            Interaction.subject,
            Interaction.occurred_at,
            latest.c.total,
            Interaction.id.label("interaction_id"),
        )
        .join(
            Interaction,
            (Interaction.tenant_id == tenant_id) & (Interaction.id == latest.c.id),
        )
        .outerjoin(User, User.id == latest.c.member_id)
        .order_by(Interaction.occurred_at.desc(), Interaction.id.desc())
    )


async def colleagues(
    session: AsyncSession, tenant_id: uuid.UUID, contact_id: uuid.UUID
) -> Colleagues:
    rows = (await session.execute(colleagues_statement(tenant_id, contact_id))).all()
    return Colleagues(
        [
            ColleagueInteraction(r.member_id, r.full_name, r.kind, r.subject, r.occurred_at)
            for r in rows
        ],
        rows[0].total if rows else 0,
    )


@functools.cache
def colleagues_json() -> Any:
    """:func:`colleagues_statement` as one JSON value ``[total, [[member_id, full_name,
    kind, subject, occurred_at], …]]``, for the contact view's one statement (built once,
    on the summary parameters)."""
    tenant_id, contact_id = summary_parameters()
    rows = colleagues_statement(tenant_id, contact_id).subquery()
    return (
        select(func.json_build_array(
            func.coalesce(func.max(rows.c.total), 0),
            func.coalesce(
                func.json_agg(aggregate_order_by(
                    func.json_build_array(rows.c.member_id, rows.c.full_name, rows.c.kind,
                                          rows.c.subject, rows.c.occurred_at),
                    rows.c.occurred_at.desc(), rows.c.interaction_id.desc(),
                )),
                literal_column("'[]'::json"),
            ),
        ))
        .scalar_subquery()
    )


def colleagues_of(value: list[Any]) -> Colleagues:
    total, rows = value
    return Colleagues(
        [
            ColleagueInteraction(uuid.UUID(member), name, kind, subject,
                                 datetime.fromisoformat(at))
            for member, name, kind, subject, at in rows
        ],
        total,
    )
