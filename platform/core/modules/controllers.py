"""HTTP doors of per-tenant modules."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, delete, get, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.modules import service
from rapport.core.modules.schemas import ModuleChange, ModuleList, ModuleOut
from rapport.errors import ALSO_ANSWERS
from rapport.hooks import PluginRegistry
from rapport.tenancy.principal import Principal

ModuleName = FromPath[str]


def _out(state: service.ModuleState) -> ModuleOut:
    info, manifest = state.info, state.info.manifest
    return ModuleOut(
        name=info.name,
        title=manifest.title if manifest else info.name,
        description=manifest.description if manifest else "",
        version=manifest.version if manifest else "",
        requires=list(manifest.requires) if manifest else [],
        permissions=list(manifest.permissions) if manifest else [],
        price_key=manifest.price_key if manifest else None,
        enabled=state.enabled,
        available=info.ok,
        error=info.error,
    )


class ModuleController(Controller):
    path = "/api/v1/modules"
    tags = ["modules"]

    @get("/")
    async def list_modules(
        self,
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        registry: NamedDependency[PluginRegistry],
    ) -> ModuleList:
        """Every installed module, whether this tenant enabled it, and any load error."""
        return ModuleList([_out(s) for s in await service.list_modules(db, principal, registry)])

    # 402: billing is on and the module is neither in the plan nor a purchased add-on.
    @put("/{name:str}", opt={ALSO_ANSWERS: (402,)})
    async def enable_module(
        self,
        name: ModuleName,
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        registry: NamedDependency[PluginRegistry],
        with_requirements: Annotated[bool, QueryParameter()] = False,
    ) -> ModuleChange:
        """Enable a module for this tenant (owners and admins). Idempotent."""
        changed = await service.enable(
            db, principal, registry, name, with_requirements=with_requirements
        )
        return ModuleChange(name, True, changed)

    @delete("/{name:str}", status_code=200)
    async def disable_module(
        self,
        name: ModuleName,
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        registry: NamedDependency[PluginRegistry],
    ) -> ModuleChange:
        """Disable a module; its data is kept and returns when it is enabled again."""
        changed = await service.disable(db, principal, registry, name)
        return ModuleChange(name, False, [name] if changed else [])

    @get("/{name:str}/settings")
    async def get_settings(
        self,
        name: ModuleName,
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        registry: NamedDependency[PluginRegistry],
    ) -> dict[str, Any]:
        """This tenant's settings of the module (defaults where never set)."""
        return await service.get_settings(db, principal, registry, name)

    @put("/{name:str}/settings")
    async def put_settings(
        self,
        name: ModuleName,
        data: JSONBody[dict[str, Any]],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        registry: NamedDependency[PluginRegistry],
    ) -> dict[str, Any]:
        """Replace the module's settings; validated against its schema (422 naming fields)."""
        return await service.put_settings(db, principal, registry, name, data)
