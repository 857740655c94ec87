"""Where an import's steps run — one transaction for everything (atomic), or a
transaction per step on one connection, with more connections writing batches side by
side — and how it reports progress."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rapport.db.session import tenant_session


class Steps(Protocol):
    """Where each step of an import runs: ``atomic`` when all share one transaction;
    ``extra`` are more connections that write batches side by side with this one."""

    # Read-only, so that an implementation may narrow them (a tuple of its own kind).
    @property
    def atomic(self) -> bool: ...

    @property
    def extra(self) -> Sequence[Steps]: ...

    def step(self) -> AbstractAsyncContextManager[AsyncSession]: ...


class OneTransaction:
    """Every step in the caller's transaction: the import is atomic (API, ``--atomic``)."""

    atomic = True
    extra: Sequence[Steps] = ()

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @asynccontextmanager
    async def step(self) -> AsyncIterator[AsyncSession]:
        yield self.session


class TransactionPerStep:
    """Each step commits on its own, in a transaction from ``maker``'s pool — any
    connection, even a transaction-mode PgBouncer's (no step relies on session state).
    ``extra``: other ``TransactionPerStep``s, each on a connection of its own, that write
    every other batch (read from the same staged rows)."""

    atomic = False

    def __init__(
        self,
        maker: async_sessionmaker[AsyncSession],
        tenant_id: uuid.UUID,
        user_id: uuid.UUID,
        extra: Sequence[TransactionPerStep] = (),
    ) -> None:
        self.maker, self.tenant_id, self.user_id = maker, tenant_id, user_id
        self.extra = tuple(extra)

    @asynccontextmanager
    async def step(self) -> AsyncIterator[AsyncSession]:
        async with tenant_session(self.maker, self.tenant_id, self.user_id) as session:
            yield session


class Progress(Protocol):
    def begin(self, phase: str, total: int | None) -> None: ...

    def advance(self, rows: int) -> None: ...


class NoProgress:
    def begin(self, phase: str, total: int | None) -> None:
        return None

    def advance(self, rows: int) -> None:
        return None
