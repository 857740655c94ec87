"""Members and roles: the list (pending invitations marked), invite by e-mail, send a new
invitation, change a role, remove — through ``rapport.tenancy.members``, so the API's rules
hold: only owners touch owners, the last owner stays."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, Response, get, post
from litestar.background_tasks import BackgroundTask
from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.console.admin import teams
from rapport.console.admin.common import GUARDS, TABS, back, is_htmx
from rapport.console.forms import field_errors
from rapport.console.guards import redirect
from rapport.console.i18n import N_
from rapport.console.rendering import screen_response
from rapport.errors import RapportError
from rapport.hooks import Fragment, PluginRegistry, Screen
from rapport.mail import Mail, deliver
from rapport.settings import Settings
from rapport.tenancy import members
from rapport.tenancy.models import Role
from rapport.tenancy.principal import Principal

PATH = "/settings/members"
KERNEL_ROLES = {
    Role.OWNER: N_("Owner"), Role.ADMIN: N_("Admin"),
    Role.MEMBER: N_("Member"), Role.VIEWER: N_("Viewer"),
}
NOTICES = {
    "invited": N_("Invitation sent to %(email)s."),
    "resent": N_("A new invitation is on its way to %(email)s."),
    "role": N_("%(email)s is now %(role)s."),
    "removed": N_("%(email)s was removed."),
}


def roles(registry: PluginRegistry, principal: Principal) -> list[tuple[str, str]]:
    """(name, label) of every role a member may get here: the kernel's, then those of the
    enabled plugins. Admins are not offered the owner role (the service refuses it too)."""
    found = [(str(r), label) for r, label in KERNEL_ROLES.items()
             if r != Role.OWNER or principal.role == Role.OWNER]
    found += [(d.name, d.label) for _, d in registry.declared("rapport_roles", principal.modules)]
    return found


def _extra(registry: PluginRegistry, principal: Principal) -> frozenset[str]:
    return frozenset(d.name for _, d in registry.declared("rapport_roles", principal.modules))


async def _context(db: AsyncSession, principal: Principal, registry: PluginRegistry,
                   **extra: Any) -> dict[str, Any]:
    offered = roles(registry, principal)
    labels = {**{str(r): label for r, label in KERNEL_ROLES.items()}, **dict(offered)}
    return {
        "tabs": TABS, "here": PATH, "roles": offered, "labels": labels,
        "members": await members.list_members(db, principal),
        "values": {"email": "", "full_name": "", "role": "member"}, "errors": {},
        "notice": None, **extra,
    }


async def _answer(
    request: Request, db: AsyncSession, principal: Principal, registry: PluginRegistry, *,
    letter: Mail | None = None, settings: Settings | None = None, **extra: Any,
) -> Response[str]:
    """The members section again (htmx), or the page (a plain post)."""
    if not is_htmx(request):
        response = back(request, PATH) if not extra.get("errors") else screen_response(
            request, Screen("console/admin/members.html", "Members",
                            await _context(db, principal, registry, **extra), status=422))
    else:
        context = await _context(db, principal, registry, **extra)
        response = screen_response(request, Fragment("console/admin/members_section.html",
                                                     context))
    if letter is not None and settings is not None:
        response.background = BackgroundTask(deliver, settings, letter)
    return response


@get("/settings", guards=GUARDS)
async def settings_home(request: Request) -> Response[str]:
    return redirect(request, PATH, status=302)


@get(PATH, guards=GUARDS)
async def members_page(
    principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
    registry: NamedDependency[PluginRegistry],
) -> Screen:
    return Screen("console/admin/members.html", "Members",
                  await _context(db, principal, registry))


@post(PATH, guards=GUARDS, status_code=200)
async def invite(
    request: Request, principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
    registry: NamedDependency[PluginRegistry], settings: NamedDependency[Settings],
) -> Response[str]:
    form = await request.form()
    values = {k: str(form.get(k, "")).strip() for k in ("email", "full_name", "role")}
    try:
        added = await members.add_member(
            db, principal, email=values["email"], full_name=values["full_name"],
            role=values["role"], extra_roles=_extra(registry, principal),
            invitation_ttl=settings.invitation_ttl, base_url=settings.base_url,
        )
    except RapportError as exc:
        if exc.status not in (403, 409, 422):
            raise
        errors = field_errors(exc)
        if exc.status == 409:
            errors = {"email": exc.detail}
        return await _answer(request, db, principal, registry, values=values, errors=errors)
    notice = (NOTICES["invited"], {"email": added.member.user.email})
    return await _answer(request, db, principal, registry, letter=added.letter,
                         settings=settings, notice=notice)


async def _act(request: Request, db: AsyncSession, principal: Principal,
               registry: PluginRegistry, member_id: uuid.UUID, action: Any,
               notice: str, **more: Any) -> Response[str]:
    member = await members.get_member(db, principal, member_id)  # 404 outside the tenant
    try:
        result = await action()
    except RapportError as exc:
        if exc.status not in (403, 409, 422):
            raise
        return await _answer(request, db, principal, registry,
                             row_error=(member_id, field_errors(exc)))
    letter = result if isinstance(result, Mail) else None
    return await _answer(request, db, principal, registry, letter=letter,
                         settings=more.pop("settings", None),
                         notice=(NOTICES[notice], {"email": member.user.email, **more}))


@post(PATH + "/{member_id:uuid}/invitation", guards=GUARDS, status_code=200)
async def resend(
    request: Request, member_id: FromPath[uuid.UUID], principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession], registry: NamedDependency[PluginRegistry],
    settings: NamedDependency[Settings],
) -> Response[str]:
    async def action() -> Mail:
        return await members.resend_invitation(
            db, principal, member_id, invitation_ttl=settings.invitation_ttl,
            base_url=settings.base_url)
    return await _act(request, db, principal, registry, member_id, action, "resent",
                      settings=settings)


@post(PATH + "/{member_id:uuid}/role", guards=GUARDS, status_code=200)
async def change_role(
    request: Request, member_id: FromPath[uuid.UUID], principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession], registry: NamedDependency[PluginRegistry],
) -> Response[str]:
    role = str((await request.form()).get("role", ""))
    labels = dict(roles(registry, principal)) | {str(r): n for r, n in KERNEL_ROLES.items()}

    async def action() -> Any:
        return await members.change_role(db, principal, member_id, role,
                                         _extra(registry, principal))
    return await _act(request, db, principal, registry, member_id, action, "role",
                      role=labels.get(role, role))


@post(PATH + "/{member_id:uuid}/remove", guards=GUARDS, status_code=200)
async def remove(
    request: Request, member_id: FromPath[uuid.UUID], principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession], registry: NamedDependency[PluginRegistry],
) -> Response[str]:
    async def action() -> None:
        await members.remove_member(db, principal, member_id)
    return await _act(request, db, principal, registry, member_id, action, "removed")


# Teams live under Members (/settings/members/teams): the same tab, a page of their own.
PAGES = [settings_home, members_page, invite, resend, change_role, remove, *teams.PAGES]
