"""What the operator's commands share: one transaction to work in (``run_operator``), and
for the per-tenant ones (``rapport api-clients``, ``rapport sso``) the ``--tenant SLUG``
option and that tenant's transaction (``run_for_tenant``)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import click

from rapport.errors import RapportError

T = TypeVar("T")
TENANT = click.option("--tenant", "slug", required=True, help="The tenant's slug.")


def run_operator(work: Callable[[Any, Any], Awaitable[T]]) -> T:
    """``work(session, settings)`` in one transaction with no tenant set yet (the operator's
    commands: ``rapport api-clients``, ``rapport sso``, ``rapport two-factor``); bad
    settings or a refusal is a click error naming it."""
    from rapport.db.session import make_engine, make_sessionmaker, tenant_session
    from rapport.runtime import resolve_database
    from rapport.settings import Settings, SettingsError

    async def go() -> T:
        settings = Settings.from_env()
        settings.check()
        engine = make_engine(resolve_database(settings).app_url, pool_size=1, max_overflow=0)
        try:
            async with tenant_session(make_sessionmaker(engine), None) as session:
                return await work(session, settings)
        finally:
            await engine.dispose()

    try:
        return asyncio.run(go())
    except (RapportError, SettingsError) as exc:
        detail = "; ".join(f"{e.field}: {e.message}" for e in getattr(exc, "errors", []))
        raise click.ClickException(detail or getattr(exc, "detail", None) or str(exc)) from exc


def run_for_tenant(slug: str, work: Callable[[Any, Any, uuid.UUID], Awaitable[T]]) -> T:
    """``work(session, settings, tenant_id)`` in one transaction of the tenant named by
    ``slug``; an unknown slug, bad settings or a refusal is a click error naming it."""
    from sqlalchemy import select

    from rapport.db.session import enter_tenant
    from rapport.tenancy.models import Tenant

    async def in_tenant(session: Any, settings: Any) -> T:
        tenant_id = (await session.execute(
            select(Tenant.id).where(Tenant.slug == slug))).scalar_one_or_none()
        if tenant_id is None:
            raise click.ClickException(f"no tenant with the slug {slug!r}")
        await enter_tenant(session, tenant_id)
        return await work(session, settings, tenant_id)

    return run_operator(in_tenant)
