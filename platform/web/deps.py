"""Request-scoped dependencies: the principal and one transaction per request."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

from litestar import Request
from litestar.di import Provide
from rapport.core.fields.definitions import FieldDefinition
from rapport.db.session import tenant_session
from rapport.settings import Settings
from rapport.tenancy.principal import Principal
from sqlalchemy.ext.asyncio import AsyncSession


async def provide_principal(request: Request) -> Principal:
    return request.user


async def provide_db(request: Request) -> AsyncIterator[AsyncSession]:
    """The tenant's transaction: committed when the handler returns, rolled back on error."""
    principal: Principal = request.user
    async with tenant_session(
        request.app.state.sessionmaker, principal.tenant_id, principal.user_id
    ) as session:
        yield session


async def provide_public_db(request: Request) -> AsyncIterator[AsyncSession]:
    """A transaction with no tenant yet (sign-up, invitation acceptance)."""
    async with tenant_session(request.app.state.sessionmaker, None) as session:
        yield session


def provide_plugin_fields(request: Request) -> Sequence[FieldDefinition]:
    """Field definitions of the plugins visible to this request's tenant.

    The plugin manager sets ``app.state.plugin_fields`` (or replaces this provider with a
    per-tenant one); without plugins there are none.
    """
    fields: Sequence[FieldDefinition] = getattr(request.app.state, "plugin_fields", ())
    return fields


def provide_settings(request: Request) -> Settings:
    return request.app.state.settings


DEPENDENCIES = {
    "principal": Provide(provide_principal),
    "db": Provide(provide_db),
    "public_db": Provide(provide_public_db),
    "settings": Provide(provide_settings, sync_to_thread=False),
    "plugin_fields": Provide(provide_plugin_fields, sync_to_thread=False),
}
