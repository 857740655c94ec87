"""The sign-in audit: every sign-in to a tenant — successful, refused or stopped at a second
step — as an entry in that tenant's audit log (hash-chained like every other entry).

An entry is ``record_type = "sign_in"``, ``action = "sign_in"``, ``record_id`` = the person
(or the API client) whose account was used, with ``detail`` = {method, outcome, address,
user_agent, and a short ``reason`` — never a secret}. So the person's own list
(``GET /api/v1/me/sign-ins``) is one probe of the log's (tenant, record_type, record_id)
index, and the tenant's owners and admins read the whole sign-in log through the audit API
(``GET /api/v1/audit?record_type=sign_in``).

An attempt that names no known account of the tenant (an unknown organization or e-mail)
has no tenant log to go to: it is written to the application log only (logger
``rapport.sign_in``), with the address but without the e-mail typed.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rapport.core.audit.models import AuditEvent
from rapport.core.audit.service import jsonable
from rapport.core.pagination import Page, by_id, check_limit, cut, newest_first
from rapport.db.base import new_id
from rapport.db.session import tenant_session
from rapport.errors import forbidden
from rapport.tenancy.principal import Principal

RECORD_TYPE: Final = "sign_in"
ACTION: Final = "sign_in"
METHODS: Final = frozenset({"password", "sso", "totp", "recovery_code", "client_credentials"})
OUTCOMES: Final = frozenset({"success", "refused", "challenge"})
# What the log keeps of free text the caller sent (a user agent can be any length).
ADDRESS_MAX: Final = 64
USER_AGENT_MAX: Final = 200
# How many the console's "Recent sign-ins" shows.
RECENT: Final = 10

log = logging.getLogger("rapport.sign_in")


def _entry(
    *,
    tenant_id: uuid.UUID,
    user_id: uuid.UUID | None,
    client_id: uuid.UUID | None,
    method: str,
    outcome: str,
    address: str | None,
    user_agent: str | None,
    detail: Mapping[str, Any] | None,
) -> Any:
    subject = user_id or client_id
    if subject is None:
        raise ValueError("a sign-in entry names a user or a client")
    document = {
        **jsonable(dict(detail or {})),
        "method": method,
        "outcome": outcome,
        "address": (address or "")[:ADDRESS_MAX] or None,
        "user_agent": (user_agent or "")[:USER_AGENT_MAX] or None,
    }
    return insert(AuditEvent).values(
        tenant_id=tenant_id,
        id=new_id(),
        # A refused attempt was not the person's act: only a sign-in that got through (or
        # reached its second step) names them as the actor; the record always names them.
        actor_user_id=user_id if outcome != "refused" else None,
        actor_client_id=client_id if outcome != "refused" else None,
        actor_tenant_id=tenant_id,
        action=ACTION,
        record_type=RECORD_TYPE,
        record_id=subject,
        changes={},
        detail=document,
    )


async def record_sign_in(
    session_or_maker: AsyncSession | async_sessionmaker[AsyncSession],
    *,
    tenant_id: uuid.UUID | None,
    user_id: uuid.UUID | None,
    client_id: uuid.UUID | None,
    method: str,
    outcome: str,
    address: str | None,
    user_agent: str | None,
    detail: Mapping[str, Any] | None = None,
) -> None:
    """Log one sign-in attempt in ``tenant_id``'s audit log.

    Pass the request's session when the entry must commit with what the sign-in wrote (a
    success: the session row and its entry together). Pass the sessionmaker for an attempt
    whose transaction will roll back (a refusal ends in a 401): the entry then commits in a
    short transaction of its own, so the refusal stays on record.

    With no tenant, or neither a user nor a client, the attempt goes to the application log
    only (see the module docstring). ``detail`` holds a short reason (``{"reason":
    "password"}``), never a secret.
    """
    if method not in METHODS:
        raise ValueError(f"sign-in method {method!r} is not one of {sorted(METHODS)}")
    if outcome not in OUTCOMES:
        raise ValueError(f"sign-in outcome {outcome!r} is not one of {sorted(OUTCOMES)}")
    if tenant_id is None or (user_id is None and client_id is None):
        log.info(
            "sign-in %s %s from %s with no known account (tenant %s)",
            method, outcome, address or "unknown", tenant_id or "unknown",
            extra={"sign_in": {"method": method, "outcome": outcome, "address": address,
                               "tenant_id": str(tenant_id) if tenant_id else None,
                               **jsonable(dict(detail or {}))}},
        )
        return
    statement = _entry(
        tenant_id=tenant_id, user_id=user_id, client_id=client_id, method=method,
        outcome=outcome, address=address, user_agent=user_agent, detail=detail,
    )
    if isinstance(session_or_maker, AsyncSession):
        await session_or_maker.execute(statement)
        return
    async with tenant_session(session_or_maker, tenant_id) as session:
        await session.execute(statement)


# ---------------------------------------------------------------- reading


class SignIn:
    """One line of a person's sign-in history (what ``GET /me/sign-ins`` shows)."""

    __slots__ = ("address", "at", "id", "method", "outcome", "reason", "user_agent")

    def __init__(self, event: AuditEvent) -> None:
        d = event.detail or {}
        self.id: uuid.UUID = event.id
        self.at: datetime = event.at
        self.method: str = str(d.get("method", ""))
        self.outcome: str = str(d.get("outcome", ""))
        self.address: str | None = d.get("address")
        self.user_agent: str | None = d.get("user_agent")
        reason = d.get("reason")
        self.reason: str | None = str(reason) if reason is not None else None


async def my_sign_ins(
    session: AsyncSession, principal: Principal, *, cursor: str | None, limit: int
) -> Page[SignIn]:
    """The caller's own sign-ins to this tenant, newest first (one index probe)."""
    if principal.client_id is not None:
        raise forbidden("An API client has no sign-in history of a person")
    check_limit(limit)
    query = select(AuditEvent).where(
        AuditEvent.tenant_id == principal.tenant_id,
        AuditEvent.record_type == RECORD_TYPE,
        AuditEvent.record_id == principal.user_id,
    )
    rows = (await session.execute(newest_first(query, AuditEvent.id, cursor, limit))).scalars()
    return cut(list(rows), limit, by_id).map(SignIn)
