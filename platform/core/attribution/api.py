"""``GET /api/v1/attribution``: credit for the period's purchases per channel and campaign."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.attribution.report import Credit, Model, attribution
from rapport.tenancy.principal import Principal


class CreditOut(msgspec.Struct):
    key: str
    currency: str
    credit: Decimal
    revenue: Decimal

    @classmethod
    def of(cls, c: Credit) -> CreditOut:
        return cls(c.key, c.currency, c.credit, c.revenue)


class AttributionOut(msgspec.Struct):
    model: str
    window_days: int
    purchases: int
    attributed: int
    channels: list[CreditOut]
    campaigns: list[CreditOut]


class AttributionController(Controller):
    path = "/api/v1/attribution"
    tags = ["attribution"]

    @get("/")
    async def get_attribution(
        self, principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
        from_: Annotated[datetime, QueryParameter(name="from")],
        to: Annotated[datetime, QueryParameter()],
        model: Annotated[Model, QueryParameter()] = "last_touch",
        window: Annotated[int, QueryParameter(ge=1, le=365,
                                              description="look-back window in days")] = 30,
    ) -> AttributionOut:
        """Each purchase in [from, to) shares one unit of credit among the contact's touches
        in the window before it (docs/communication.md, Attribution); ``credit`` is the
        number of purchases credited, ``revenue`` their amount, per currency. A period that
        ends before it starts is a 422 on ``to``."""
        found = await attribution(db, principal.tenant_id, from_, to, model, window)
        return AttributionOut(model, window, found.purchases, found.attributed,
                              [CreditOut.of(c) for c in found.channels],
                              [CreditOut.of(c) for c in found.campaigns])
