"""Request-scoped dependencies: the principal, one transaction per request, and the
plugin declarations this tenant can see."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

from litestar import Request
from litestar._kwargs.cleanup import DependencyCleanupGroup
from litestar._kwargs.dependencies import resolve_dependency
from litestar._kwargs.kwargs_model import KwargsModel
from litestar.connection import ASGIConnection
from litestar.di import Provide
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.fields.definitions import FieldDefinition
from rapport.db.direct import DriverTransaction
from rapport.db.session import tenant_session
from rapport.hooks import PluginRegistry, TenantHooks
from rapport.settings import Settings
from rapport.tenancy.principal import Principal
from rapport.web.request_session import request_session


async def provide_principal(request: Request) -> Principal:
    return request.user


async def provide_db(request: Request) -> AsyncIterator[AsyncSession]:
    """The tenant's transaction — the one authentication began (``rapport.web.
    request_session``), as an ORM session joined to it: committed when the handler
    returns, rolled back on error. A handler that never runs a statement through it sends
    nothing for it."""
    principal: Principal = request.user
    holder = request_session(request.scope)
    session = None if holder is None else holder.session
    if holder is not None and session is not None:
        try:
            yield session
        except BaseException:
            await holder.close()
            raise
        await holder.commit()
        return
    async with tenant_session(
        request.app.state.sessionmaker, principal.tenant_id, principal.user_id
    ) as session:
        yield session


async def provide_reads(request: Request) -> DriverTransaction:
    """The tenant's transaction for a handler that only reads, through prebuilt statements
    (``rapport.db.direct``: ``fetch_one``, ``fetch_all``, ``fetch_named``): no ORM session
    is made for it (its construction and ``db``'s commit step were a visible share of the
    shortest requests, the retail till's card scan among them). Nothing is committed: what
    is left open is rolled back once the answer is sent (``rapport.web.request_session``)
    — a handler that writes asks for ``db``."""
    principal: Principal = request.user
    holder = request_session(request.scope)
    if holder is None:
        raise RuntimeError("the request's transaction is kept by the app's route middleware")
    return await holder.begin(principal.tenant_id, principal.user_id)


async def provide_public_db(request: Request) -> AsyncIterator[AsyncSession]:
    """A transaction with no tenant yet (sign-up, invitation acceptance)."""
    async with tenant_session(request.app.state.sessionmaker, None) as session:
        yield session


def provide_settings(request: Request) -> Settings:
    return request.app.state.settings


def provide_registry(request: Request) -> PluginRegistry:
    return request.app.state.registry


def provide_hooks(request: Request) -> TenantHooks:
    """The hooks of kernel areas and of the plugins this tenant enabled."""
    registry: PluginRegistry = request.app.state.registry
    return registry.for_tenant(request.user.modules)


def provide_room(request: Request) -> Any:
    """The plan's limits (``rapport.core.billing.gate.room_check``) for areas billing
    counts; in self-hosted mode a call sends no statement."""
    from rapport.core.billing.gate import room_check

    return room_check(request.app.state.registry)


def _declared(request: Request, hook: str) -> list[Any]:
    registry: PluginRegistry = request.app.state.registry
    return [item for _, item in registry.declared(hook, request.user.modules)]


def provide_plugin_fields(request: Request) -> Sequence[FieldDefinition]:
    """Fields of kernel areas and enabled plugins; a disabled plugin's stay hidden."""
    return _declared(request, "rapport_fields")


def provide_contact_filters(request: Request) -> Mapping[str, Any]:
    """Contact-list filter fields of kernel areas and enabled plugins, by name."""
    return {f.name: f for f in _declared(request, "rapport_contact_filters")}


def provide_workflow_definitions(request: Request) -> Mapping[str, Any]:
    from rapport.core.workflows import workflow_registry

    return workflow_registry(_declared(request, "rapport_workflows"))


def provide_sharing_rules(request: Request) -> Mapping[str, Any]:
    from rapport.core.sharing import sharing_registry

    return sharing_registry(_declared(request, "rapport_sharing_rules"))


DEPENDENCIES = {
    "principal": Provide(provide_principal),
    "db": Provide(provide_db),
    "reads": Provide(provide_reads),
    "public_db": Provide(provide_public_db),
    "settings": Provide(provide_settings, sync_to_thread=False),
    "registry": Provide(provide_registry, sync_to_thread=False),
    "hooks": Provide(provide_hooks, sync_to_thread=False),
    "plugin_fields": Provide(provide_plugin_fields, sync_to_thread=False),
    "contact_filters": Provide(provide_contact_filters, sync_to_thread=False),
    "room": Provide(provide_room, sync_to_thread=False),
    "workflow_definitions": Provide(provide_workflow_definitions, sync_to_thread=False),
    "sharing_rules": Provide(provide_sharing_rules, sync_to_thread=False),
}


async def _resolve_in_order(
    self: KwargsModel, connection: ASGIConnection, kwargs: dict[str, Any]
) -> DependencyCleanupGroup:
    """Litestar resolves a handler's independent dependencies side by side in an anyio task
    group: one task each (four or five on the contact page), per request. Ours never wait
    on I/O of their own — the principal is loaded by authentication, ``db`` hands over the
    transaction it began, the rest read the app's state — so the tasks bought nothing and
    cost a measurable share of every request's CPU. Same batches, same order of effects,
    one after another."""
    cleanup_group = DependencyCleanupGroup()
    for batch in self.dependency_batches:
        for dependency in batch:
            await resolve_dependency(dependency, connection, kwargs, cleanup_group)
    return cleanup_group


KwargsModel.resolve_dependencies = _resolve_in_order  # type: ignore[method-assign]
