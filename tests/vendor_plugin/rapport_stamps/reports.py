"""A second plugin that requires ``stamps``: enabling it needs stamps enabled first."""

from __future__ import annotations

from typing import Any

from litestar import get
from litestar.di import NamedDependency
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import PluginManifest, Principal, hookimpl
from rapport_stamps.models import StampCard


@get("/summary")
async def summary(
    principal: NamedDependency[Principal], db: NamedDependency[AsyncSession]
) -> dict[str, int]:
    """Cards and stamps given out in this tenant."""
    cards, stamps = (
        await db.execute(
            select(func.count(), func.coalesce(func.sum(StampCard.stamps), 0)).where(
                StampCard.tenant_id == principal.tenant_id
            )
        )
    ).one()
    return {"cards": int(cards), "stamps": int(stamps)}


@hookimpl
def rapport_manifest() -> PluginManifest:
    return PluginManifest(
        name="stamps_reports",
        title="Stamp reports",
        version="1.0",
        description="How many stamps the shop gave out.",
        requires=("stamps",),
        price_key="price_stamps_reports",
    )


@hookimpl
def rapport_routes() -> list[Any]:
    return [summary]
