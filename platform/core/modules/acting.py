"""Who acts for a member outside a request (the CLI, imports): the same principal a
request's authentication builds, with the tenant's modules and the kernel role they give."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.modules.enabled import enabled_modules
from rapport.hooks import PluginRegistry
from rapport.tenancy.models import Membership, Role, Tenant, User
from rapport.tenancy.principal import Principal

KERNEL_ROLES = frozenset(r.value for r in Role)


def kernel_role_of(role: str, modules: frozenset[str], registry: PluginRegistry) -> str:
    """A plugin role acts as its declared kernel role while its plugin is enabled; a role
    whose plugin was switched off is read-only."""
    if role in KERNEL_ROLES:
        return role
    for _, definition in registry.declared("rapport_roles", modules):
        if definition.name == role:
            return str(definition.kernel_role)
    return Role.VIEWER


async def acting_member(
    session: AsyncSession,
    registry: PluginRegistry,
    tenant: Tenant,
    membership: Membership,
    user: User,
) -> Principal:
    """``user`` acting in ``tenant`` as ``membership``, with the modules enabled now."""
    modules = await enabled_modules(session, tenant.id)
    kernel_role = kernel_role_of(membership.role, modules, registry)
    return Principal.member(user, tenant, membership, modules, kernel_role)
