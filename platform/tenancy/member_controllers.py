"""HTTP doors of membership: list, invite, resend an invitation, change role, remove."""

from __future__ import annotations

import uuid

from litestar import Controller, Response, delete, get, patch, post
from litestar.background_tasks import BackgroundTask
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.billing.gate import require_room
from rapport.core.billing.seats import follow_members
from rapport.errors import ALSO_ANSWERS
from rapport.hooks import PluginRegistry
from rapport.mail import deliver
from rapport.settings import Settings
from rapport.tenancy import members
from rapport.tenancy.controllers import plugin_roles
from rapport.tenancy.principal import Principal
from rapport.tenancy.schemas import MemberIn, MemberList, MemberOut, MemberPatch, NoticeOut


def member_out(m: members.Member) -> MemberOut:
    return MemberOut(
        id=m.membership.id,
        user_id=m.user.id,
        email=m.user.email,
        full_name=m.display_name,
        role=m.membership.role,
        pending=m.pending,
        created_at=m.membership.created_at,
    )


class MemberController(Controller):
    path = "/api/v1/members"
    tags = ["members"]

    @get("/")
    async def list_members(
        self, principal: NamedDependency[Principal], db: NamedDependency[AsyncSession]
    ) -> MemberList:
        """Everyone in this tenant with their role."""
        return MemberList([member_out(m) for m in await members.list_members(db, principal)])

    # 402: past the plan's member limit (billing on).
    @post("/", status_code=201, opt={ALSO_ANSWERS: (402,)})
    async def add_member(
        self,
        data: JSONBody[MemberIn],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        registry: NamedDependency[PluginRegistry],
    ) -> Response[MemberOut]:
        """Invite a person by e-mail. They become a member when they accept through the link
        sent to their address; until then the member is ``pending``. The answer is the same
        whether or not the address already has an account. Owners and admins only."""
        added = await members.add_member(
            db,
            principal,
            extra_roles=plugin_roles(registry, principal),
            email=data.email,
            full_name=data.full_name,
            role=data.role,
            invitation_ttl=settings.invitation_ttl,
            base_url=settings.base_url,
        )
        # Past the plan's member limit: 402 naming it, and the invitation rolls back.
        await require_room(db, principal.tenant_id, registry, "members", adding=0)
        await follow_members(db, principal.tenant_id)  # a per-seat plan's quantity
        return Response(
            member_out(added.member),
            status_code=201,
            background=BackgroundTask(deliver, settings, added.letter),
        )

    @post("/{member_id:uuid}/invitation", status_code=202)
    async def resend_invitation(
        self,
        member_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> Response[NoticeOut]:
        """Send a pending member a new invitation link; the previous link stops working."""
        letter = await members.resend_invitation(
            db, principal, member_id,
            invitation_ttl=settings.invitation_ttl, base_url=settings.base_url,
        )
        return Response(
            NoticeOut("A new invitation is on its way"),
            status_code=202,
            background=BackgroundTask(deliver, settings, letter),
        )

    @patch("/{member_id:uuid}")
    async def change_role(
        self,
        member_id: FromPath[uuid.UUID],
        data: JSONBody[MemberPatch],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        registry: NamedDependency[PluginRegistry],
    ) -> MemberOut:
        """Change a member's role. The last owner cannot be demoted."""
        roles = plugin_roles(registry, principal)
        return member_out(await members.change_role(db, principal, member_id, data.role, roles))

    @delete("/{member_id:uuid}", status_code=204)
    async def remove_member(
        self,
        member_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> None:
        """Remove a member from this tenant: their sessions here end at once; their account
        and their memberships elsewhere are untouched."""
        await members.remove_member(db, principal, member_id)
        await follow_members(db, principal.tenant_id)  # a per-seat plan's quantity
