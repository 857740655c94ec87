"""The audit log: what happened to a record, by whom, when, with before/after values.

Actions call ``record`` in the same transaction as the change, so the entry and the
change commit or roll back together. ``diff`` turns two snapshots into the ``changes``
document.
"""

from __future__ import annotations

import enum
import re
import uuid
from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, TypeAlias

from sqlalchemy import Insert, Select, insert, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from rapport.core.audit.models import AuditEvent
from rapport.core.pagination import Page, by_id, check_limit, cut, decode_id
from rapport.db.base import new_id
from rapport.errors import invalid
from rapport.tenancy.principal import Principal

CREATE = "create"
UPDATE = "update"
DELETE = "delete"
MERGE = "merge"
READ = "read"
SHARE = "share"
REVOKE = "revoke"
# Plugins may log their own verbs ("sign", "export"); they are stored as given.
ACTION_PATTERN = re.compile(r"^[a-z][a-z0-9_.]{0,39}$")
RECORD_TYPE_PATTERN = r"^[a-z][a-z0-9_.]{0,99}$"


def jsonable(value: Any) -> Any:
    """``value`` in the shapes JSONB stores and clients read back unchanged."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [jsonable(v) for v in value]
        # Sets have no order; sorting keeps equal sets equal in the log.
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    raise TypeError(f"cannot record a {type(value).__name__} in the audit log")


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``{field: [before, after]}`` for every field whose value differs.

    A field missing on one side counts as null there, so ``diff({}, snapshot)`` describes
    a creation and ``diff(snapshot, {})`` a deletion.
    """
    changes: dict[str, list[Any]] = {}
    for key in [*before, *(k for k in after if k not in before)]:
        old, new = jsonable(before.get(key)), jsonable(after.get(key))
        if old != new:
            changes[key] = [old, new]
    return changes


def entry(
    principal: Principal,
    action: str,
    record_type: str,
    record_id: uuid.UUID,
    changes: Mapping[str, Any] | None = None,
    detail: Mapping[str, Any] | None = None,
    owner_tenant_id: uuid.UUID | None = None,
    *,
    counterpart_tenant_id: uuid.UUID | None = None,
) -> tuple[Insert, uuid.UUID]:
    """One entry for the log of the tenant owning the record: its INSERT (``record``
    sends it; a caller may send it with other writes in one statement) and its id.

    ``owner_tenant_id`` names another tenant only for a cross-tenant read under a grant:
    the entry lands in the owner's log with the caller's tenant as counterpart, so both
    see it (the database admits it only while a grant covers the record). On one's own
    records, ``counterpart_tenant_id`` names another tenant the event concerns (e.g. the
    grantee of a share), which makes the entry visible to that tenant as well.
    """
    if not ACTION_PATTERN.match(action):
        raise ValueError(f"audit action {action!r}: lowercase letters, digits, '_' and '.'")
    owner = owner_tenant_id or principal.tenant_id
    counterpart = counterpart_tenant_id
    if owner != principal.tenant_id:
        if action != READ or counterpart_tenant_id is not None:
            raise ValueError("another tenant's record can only be logged as a read by the caller")
        counterpart = principal.tenant_id
    elif counterpart == principal.tenant_id:
        counterpart = None
    event_id = new_id()
    statement = insert(AuditEvent).values(
        tenant_id=owner,
        id=event_id,
        # A client's id stands in for the user on its principal; the entry names it as the
        # client that acted, never as a person.
        actor_user_id=principal.user_id if principal.client_id is None else None,
        actor_client_id=principal.client_id,
        actor_tenant_id=principal.tenant_id,
        action=action,
        record_type=record_type,
        record_id=record_id,
        changes=jsonable(dict(changes or {})),
        detail=jsonable(dict(detail or {})),
        counterpart_tenant_id=counterpart,
    )
    return statement, event_id


async def record(
    session: AsyncSession,
    principal: Principal,
    action: str,
    record_type: str,
    record_id: uuid.UUID,
    changes: Mapping[str, Any] | None = None,
    detail: Mapping[str, Any] | None = None,
    owner_tenant_id: uuid.UUID | None = None,
    *,
    counterpart_tenant_id: uuid.UUID | None = None,
) -> uuid.UUID:
    """Append one entry to the log (see ``entry``); returns its id."""
    statement, event_id = entry(
        principal, action, record_type, record_id, changes, detail, owner_tenant_id,
        counterpart_tenant_id=counterpart_tenant_id,
    )
    await session.execute(statement)
    return event_id


def history_statement(
    tenant_id: uuid.UUID,
    *,
    record_type: str | None = None,
    record_id: uuid.UUID | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Select[AuditEvent]:
    """The log query (exposed so tests and benchmarks can EXPLAIN what the endpoint runs).

    Two index-friendly branches rather than one OR, which would scan the whole table: the
    tenant's own log, and the few entries in other tenants' logs naming it as counterpart.
    """
    filters = []
    if record_type is not None:
        filters.append(AuditEvent.record_type == record_type)
    if record_id is not None:
        filters.append(AuditEvent.record_id == record_id)
    if cursor:
        filters.append(AuditEvent.id < decode_id(cursor))
    own = select(AuditEvent).where(AuditEvent.tenant_id == tenant_id, *filters)
    theirs = select(AuditEvent).where(
        AuditEvent.counterpart_tenant_id == tenant_id, AuditEvent.tenant_id != tenant_id, *filters
    )
    both = union_all(
        *(branch.order_by(AuditEvent.id.desc()).limit(limit + 1) for branch in (own, theirs))
    ).subquery()
    entry = aliased(AuditEvent, both)
    return select(entry).order_by(entry.id.desc()).limit(limit + 1)


AuditPage: TypeAlias = Page[AuditEvent]


async def history(
    session: AsyncSession,
    principal: Principal,
    *,
    record_type: str | None = None,
    record_id: uuid.UUID | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> AuditPage:
    """Newest first: the caller's tenant's log plus entries naming it as counterpart.

    Owners and admins only: the log spans every record type, while read rights per record
    belong to the plugins' sharing rules.
    """
    principal.require_manager()
    if record_id is not None and record_type is None:
        raise invalid("record_type", "required when record_id is given")
    check_limit(limit)
    query = history_statement(
        principal.tenant_id,
        record_type=record_type,
        record_id=record_id,
        cursor=cursor,
        limit=limit,
    )
    return cut(list((await session.execute(query)).scalars()), limit, by_id)
