"""Interaction actions: every lookup is scoped by the acting principal's tenant.

Logging one records audit and emits ``interaction.logged``; editing and deleting are for
the author (who logged it, or the member it is attributed to) and for owners/admins.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, TypeAlias

from sqlalchemy import Select, exists, select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core import audit
from rapport.core.contacts.models import Contact
from rapport.core.events import emit
from rapport.core.interactions.models import Interaction
from rapport.core.pagination import Page, check_limit, cut, decode_position
from rapport.errors import forbidden, invalid, not_found
from rapport.hooks import INTERACTION_LOGGED, TenantHooks
from rapport.tenancy.models import Membership
from rapport.tenancy.principal import Principal

RECORD_TYPE = "interaction"
# What a client may set; ``member_id`` and the links are checked against the tenant first.
EDITABLE = (
    "contact_id",
    "kind",
    "channel",
    "direction",
    "occurred_at",
    "member_id",
    "subject",
    "notes",
    "outcome",
    "deal_id",
    "transaction_id",
    "campaign",
    "touchpoint",
)
# Far outside any real interaction, and inside what both Python and PostgreSQL represent
# after time-zone shifts and the report's 30-day windows.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
# Linked records live in tables other areas own; the kernel checks them only by catalogue.
LINKS = {"deal_id": ("deals", "deal"), "transaction_id": ("transactions", "transaction")}


InteractionPage: TypeAlias = Page[Interaction]


def check_time(field: str, value: datetime | None) -> None:
    if value is None:
        return
    if value.tzinfo is None:
        raise invalid(field, "needs a UTC offset, e.g. 2025-01-31T09:30:00Z")
    if not EARLIEST <= value < LATEST:
        raise invalid(field, "must be between 1900 and 2200")


def _snapshot(i: Interaction) -> dict[str, Any]:
    return {key: getattr(i, key) for key in EDITABLE}


def _clean(changes: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in changes.items():
        if key not in EDITABLE:
            continue
        if isinstance(value, enum.Enum):
            value = value.value  # stored as the plain value, never the member's name
        elif isinstance(value, str) and key not in ("kind", "direction", "channel"):
            value = value.strip() or None
        out[key] = value
    return out


async def _require_contact(session: AsyncSession, actor: Principal, contact_id: Any) -> None:
    found = await session.scalar(
        select(exists().where(Contact.tenant_id == actor.tenant_id, Contact.id == contact_id,
                              Contact.deleted_at.is_(None)))
    )
    if not found:
        # The same answer whether the id is unknown or another tenant's: nothing leaks.
        raise invalid("contact_id", "no such contact")


async def _require_member(session: AsyncSession, actor: Principal, user_id: Any) -> None:
    if user_id == actor.user_id:
        return
    found = await session.scalar(
        select(
            exists().where(Membership.tenant_id == actor.tenant_id, Membership.user_id == user_id)
        )
    )
    if not found:
        raise invalid("member_id", "not a member of this organization")


async def _require_link(session: AsyncSession, actor: Principal, field: str, value: Any) -> None:
    table, what = LINKS[field]
    # The table names are constants above, never input; a missing table means no such record.
    present = await session.scalar(text("SELECT to_regclass(:t) IS NOT NULL"), {"t": table})
    if present:
        present = await session.scalar(
            text(f"SELECT EXISTS (SELECT 1 FROM {table} WHERE tenant_id = :tenant AND id = :id)"),  # noqa: S608
            {"tenant": actor.tenant_id, "id": value},
        )
    if not present:
        raise invalid(field, f"no such {what}")


async def _validate(session: AsyncSession, actor: Principal, values: dict[str, Any]) -> None:
    check_time("occurred_at", values.get("occurred_at"))
    if "contact_id" in values:
        await _require_contact(session, actor, values["contact_id"])
    if "member_id" in values:
        await _require_member(session, actor, values["member_id"])
    for field in LINKS:
        if values.get(field) is not None:
            await _require_link(session, actor, field, values[field])


def _trashed_contacts(tenant_id: uuid.UUID) -> Select[uuid.UUID]:
    return select(Contact.id).where(Contact.tenant_id == tenant_id, Contact.deleted_at.is_not(None))


async def get_interaction(
    session: AsyncSession, actor: Principal, interaction_id: uuid.UUID
) -> Interaction:
    found = await session.scalar(
        select(Interaction).where(
            Interaction.tenant_id == actor.tenant_id, Interaction.id == interaction_id,
            Interaction.contact_id.not_in(_trashed_contacts(actor.tenant_id)),
        )
    )
    if found is None:
        raise not_found("Interaction")
    return found


def _require_editor(actor: Principal, interaction: Interaction) -> None:
    actor.require_writer()
    if actor.can_manage or actor.user_id in (interaction.created_by, interaction.member_id):
        return
    raise forbidden("Only the author or an owner or admin can change this interaction")


async def log_interaction(
    session: AsyncSession, actor: Principal, data: dict[str, Any], hooks: TenantHooks
) -> Interaction:
    actor.require_writer()
    values = _clean(data)
    values["occurred_at"] = values.get("occurred_at") or datetime.now(UTC)
    values["member_id"] = values.get("member_id") or actor.user_id
    await _validate(session, actor, values)
    interaction = Interaction(tenant_id=actor.tenant_id, created_by=actor.user_id, **values)
    session.add(interaction)
    await session.flush()
    await session.refresh(interaction)
    snapshot = _snapshot(interaction)
    await audit.record(
        session, actor, audit.CREATE, RECORD_TYPE, interaction.id, audit.diff({}, snapshot)
    )
    await emit(session, actor, hooks, INTERACTION_LOGGED, RECORD_TYPE, interaction.id, snapshot)
    return interaction


async def update_interaction(
    session: AsyncSession, actor: Principal, interaction_id: uuid.UUID, changes: dict[str, Any]
) -> Interaction:
    interaction = await get_interaction(session, actor, interaction_id)
    _require_editor(actor, interaction)
    values = _clean(changes)
    for required in ("contact_id", "kind", "occurred_at", "member_id"):
        if required in values and values[required] is None:
            raise invalid(required, "cannot be cleared")
    # Only what really changes is checked, so an unchanged link to a deal is not re-read.
    values = {k: v for k, v in values.items() if getattr(interaction, k) != v}
    await _validate(session, actor, values)
    before = _snapshot(interaction)
    for key, value in values.items():
        setattr(interaction, key, value)
    await session.flush()
    await session.refresh(interaction)
    changed = audit.diff(before, _snapshot(interaction))
    if changed:
        await audit.record(session, actor, audit.UPDATE, RECORD_TYPE, interaction.id, changed)
    return interaction


async def delete_interaction(
    session: AsyncSession, actor: Principal, interaction_id: uuid.UUID
) -> None:
    interaction = await get_interaction(session, actor, interaction_id)
    _require_editor(actor, interaction)
    before = _snapshot(interaction)
    await session.delete(interaction)
    await session.flush()
    await audit.record(
        session, actor, audit.DELETE, RECORD_TYPE, interaction_id, audit.diff(before, {})
    )


def list_statement(
    tenant_id: uuid.UUID,
    *,
    contact_id: uuid.UUID | None = None,
    member_id: uuid.UUID | None = None,
    kinds: Sequence[str] = (),
    since: datetime | None = None,
    until: datetime | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Select[Interaction]:
    """Newest first by ``(occurred_at, id)`` (exposed so tests can EXPLAIN it). Each filter
    combination walks one index ending in ``(occurred_at DESC, id DESC)``."""
    query = select(Interaction).where(
        Interaction.tenant_id == tenant_id,
        # A trashed contact's interactions go with it (read through the small partial
        # index of trashed contacts).
        Interaction.contact_id.not_in(_trashed_contacts(tenant_id)),
    )
    if contact_id is not None:
        query = query.where(Interaction.contact_id == contact_id)
    if member_id is not None:
        query = query.where(Interaction.member_id == member_id)
    if kinds:
        query = query.where(Interaction.kind.in_(list(kinds)))
    if since is not None:
        query = query.where(Interaction.occurred_at >= since)
    if until is not None:
        query = query.where(Interaction.occurred_at < until)
    if cursor:
        at, last_id = decode_position(cursor)
        query = query.where(tuple_(Interaction.occurred_at, Interaction.id) < (at, last_id))
    order = (Interaction.occurred_at.desc(), Interaction.id.desc())
    return query.order_by(*order).limit(limit + 1)


async def list_interactions(
    session: AsyncSession,
    actor: Principal,
    *,
    contact_id: uuid.UUID | None = None,
    member_id: uuid.UUID | None = None,
    kinds: Sequence[str] = (),
    since: datetime | None = None,
    until: datetime | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> InteractionPage:
    check_limit(limit)
    check_time("since", since)
    check_time("until", until)
    query = list_statement(
        actor.tenant_id,
        contact_id=contact_id,
        member_id=member_id,
        kinds=kinds,
        since=since,
        until=until,
        cursor=cursor,
        limit=limit,
    )
    rows = list((await session.execute(query)).scalars())
    return cut(rows, limit, lambda i: (i.occurred_at, i.id))
