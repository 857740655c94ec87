"""HTTP doors of sharing grants.

``sharing_rules`` (``Mapping[str, SharingRule]``: the rules of the plugins the tenant has
enabled) is a request dependency the plugin manager provides.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Annotated

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter, SkipValidation
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.pagination import MAX_CURSOR, MAX_LIMIT
from rapport.core.sharing import service
from rapport.core.sharing.rules import SharingRule
from rapport.core.sharing.schemas import Direction, GrantIn, GrantList, GrantOut
from rapport.db.rls import RECORD_TYPE_PATTERN
from rapport.tenancy.principal import Principal

# Rules are validated frozen dataclasses already: pass them through untouched.
Rules = SkipValidation[Mapping[str, SharingRule]]


class SharingGrantController(Controller):
    path = "/api/v1/sharing/grants"
    tags = ["sharing"]

    @post("/", status_code=201)
    async def create_grant(
        self,
        data: JSONBody[GrantIn],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        sharing_rules: NamedDependency[Rules],
    ) -> GrantOut:
        """Let another organization read sections of one of your records, until
        ``expires_at``. Needs a role in the rule's ``write_roles``, or owner/admin."""
        view = await service.create_grant(
            db,
            principal,
            sharing_rules,
            grantee_tenant=data.grantee_tenant,
            record_type=data.record_type,
            record_id=data.record_id,
            sections=data.sections,
            purpose=data.purpose,
            expires_at=data.expires_at,
            starts_at=data.starts_at,
            evidence=data.evidence,
        )
        return GrantOut.of(view)

    @get("/")
    async def list_grants(
        self,
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        sharing_rules: NamedDependency[Rules],
        direction: FromQuery[Direction | None] = None,
        active: FromQuery[bool | None] = None,
        record_type: Annotated[
            str | None, QueryParameter(pattern=RECORD_TYPE_PATTERN.pattern, max_length=100)
        ] = None,
        record_id: FromQuery[uuid.UUID | None] = None,
        cursor: Annotated[str | None, QueryParameter(max_length=MAX_CURSOR)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = 50,
    ) -> GrantList:
        """Grants your organization gave (``outgoing``) or received (``incoming``), newest
        first; ``active=true`` keeps those admitting reads right now."""
        page = await service.list_grants(
            db,
            principal,
            sharing_rules,
            direction=direction,
            active=active,
            record_type=record_type,
            record_id=record_id,
            cursor=cursor,
            limit=limit,
        )
        return GrantList([GrantOut.of(v) for v in page.items], page.next_cursor)

    @get("/{grant_id:uuid}")
    async def get_grant(
        self,
        grant_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        sharing_rules: NamedDependency[Rules],
    ) -> GrantOut:
        return GrantOut.of(await service.get_grant(db, principal, sharing_rules, grant_id))

    @post("/{grant_id:uuid}/revoke", status_code=200)
    async def revoke_grant(
        self,
        grant_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        sharing_rules: NamedDependency[Rules],
    ) -> GrantOut:
        """End the grant now (grantor only); the grantee's next request sees nothing."""
        return GrantOut.of(await service.revoke_grant(db, principal, sharing_rules, grant_id))
