"""Import records: start, checkpoint, finish, fail; find an unfinished one to resume; read
them back. Every look-up is scoped by the acting principal's tenant."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, TypeAlias

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.imports.models import COMPLETED, FAILED, RUNNING, UNFINISHED, ContactImport
from rapport.core.pagination import Page, by_id, check_limit, cut, newest_first
from rapport.errors import not_found
from rapport.tenancy.principal import Principal

# Errors kept on the record (and answered by the API); the count is always complete.
KEPT_ERRORS = 100


class CheckpointLost(RuntimeError):
    """Another run moved this import's checkpoint: two runs of one import never interleave."""


async def start(session: AsyncSession, actor: Principal, **values: Any) -> ContactImport:
    record = ContactImport(tenant_id=actor.tenant_id, created_by=actor.user_id, **values)
    session.add(record)
    await session.flush()
    return record


async def unfinished(
    session: AsyncSession, actor: Principal, sha256: str
) -> ContactImport | None:
    """The latest import of this file that stopped before its end."""
    found = await session.execute(
        select(ContactImport)
        .where(
            ContactImport.tenant_id == actor.tenant_id,
            ContactImport.sha256 == sha256,
            ContactImport.dry_run.is_(False),
            ContactImport.status.in_(UNFINISHED),
        )
        .order_by(ContactImport.id.desc())
        .limit(1)
    )
    return found.scalar_one_or_none()


async def checkpoint(
    session: AsyncSession,
    actor: Principal,
    import_id: uuid.UUID,
    *,
    expected: int,
    processed: int,
    created: int,
    updated: int,
) -> None:
    """Advance the checkpoint in the batch's own transaction (it commits with the rows)."""
    moved = await session.execute(
        update(ContactImport)
        .where(
            ContactImport.tenant_id == actor.tenant_id,
            ContactImport.id == import_id,
            ContactImport.processed_rows == expected,
        )
        .values(
            processed_rows=processed,
            created_count=ContactImport.created_count + created,
            updated_count=ContactImport.updated_count + updated,
            updated_at=datetime.now(UTC),
        )
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        raise CheckpointLost(f"import {import_id} was advanced by another run")


async def resume(session: AsyncSession, actor: Principal, import_id: uuid.UUID) -> None:
    await finish(session, actor, import_id, RUNNING)


async def finish(
    session: AsyncSession, actor: Principal, import_id: uuid.UUID, status: str = COMPLETED,
    failure: str | None = None,
) -> None:
    await session.execute(
        update(ContactImport)
        .where(ContactImport.tenant_id == actor.tenant_id, ContactImport.id == import_id)
        .values(status=status, failure=failure, updated_at=datetime.now(UTC),
                finished_at=datetime.now(UTC) if status == COMPLETED else None)
        .execution_options(synchronize_session=False)
    )


async def fail(
    session: AsyncSession, actor: Principal, import_id: uuid.UUID, reason: str
) -> None:
    await finish(session, actor, import_id, FAILED, reason[:2000])


async def get(session: AsyncSession, actor: Principal, import_id: uuid.UUID) -> ContactImport:
    found = await session.execute(
        select(ContactImport)
        .where(ContactImport.tenant_id == actor.tenant_id, ContactImport.id == import_id)
        # The runner advances records with UPDATE statements; read what is stored now.
        .execution_options(populate_existing=True)
    )
    record = found.scalar_one_or_none()
    if record is None:
        raise not_found("Import")
    return record


ImportPage: TypeAlias = Page[ContactImport]


async def page(
    session: AsyncSession, actor: Principal, *, cursor: str | None, limit: int
) -> ImportPage:
    """Newest first, by the primary key (tenant, time-ordered id)."""
    check_limit(limit)
    query = select(ContactImport).where(ContactImport.tenant_id == actor.tenant_id)
    query = newest_first(query, ContactImport.id, cursor, limit)
    rows = list((await session.execute(query)).scalars())
    return cut(rows, limit, by_id)
