"""HTTP doors of transactions: record (idempotent on ``external_id``), read, list."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, JSONBody, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.pagination import MAX_CURSOR, MAX_LIMIT
from rapport.core.transactions import listing, service
from rapport.core.transactions.schemas import TransactionIn, TransactionList, TransactionOut
from rapport.hooks import TenantHooks
from rapport.tenancy.principal import Principal


class TransactionController(Controller):
    path = "/api/v1/transactions"
    tags = ["transactions"]

    @post(
        "/",
        status_code=201,
        responses={
            200: ResponseSpec(
                TransactionOut,
                description="The same external_id and values were recorded before: the "
                "stored transaction, nothing new stored or emitted",
            )
        },
    )
    async def record_transaction(
        self,
        data: JSONBody[TransactionIn],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        hooks: NamedDependency[TenantHooks],
    ) -> Response[TransactionOut]:
        """Record a purchase or order. 201 when stored now; 200 with the stored one when
        this ``external_id`` was sent before with the same values; 409 naming the fields
        when the values differ."""
        recorded = await service.record_transaction(db, principal, data.values(), hooks)
        return Response(
            TransactionOut.of(recorded.transaction), status_code=201 if recorded.created else 200
        )

    @get("/")
    async def list_transactions(
        self,
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        contact_id: Annotated[uuid.UUID | None, QueryParameter()] = None,
        channel: Annotated[str | None, QueryParameter(max_length=40)] = None,
        kind: Annotated[Literal["purchase", "order"] | None, QueryParameter()] = None,
        since: Annotated[
            datetime | None, QueryParameter(description="inclusive, with a UTC offset")
        ] = None,
        until: Annotated[
            datetime | None, QueryParameter(description="exclusive, with a UTC offset")
        ] = None,
        cursor: Annotated[str | None, QueryParameter(max_length=MAX_CURSOR)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = 50,
    ) -> TransactionList:
        """Newest first by when they happened; pass ``next_cursor`` back as ``cursor``."""
        filters = listing.TransactionFilters(contact_id, channel, kind, since, until)
        page = await listing.list_transactions(db, principal, filters, cursor=cursor,
                                               limit=limit)
        return TransactionList([TransactionOut.of(t) for t in page.items], page.next_cursor)

    @get("/{transaction_id:uuid}")
    async def get_transaction(
        self,
        transaction_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> TransactionOut:
        return TransactionOut.of(await service.get_transaction(db, principal, transaction_id))
