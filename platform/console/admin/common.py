"""What the settings pages share: the managers-only guard, the tabs, and answering a form
post as a fragment (htmx) or a redirect (a plain form)."""

from __future__ import annotations

from litestar import Request, Response
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from rapport.console.guards import redirect
from rapport.console.i18n import N_
from rapport.errors import forbidden
from rapport.tenancy.principal import Principal

TABS = (
    ("/settings/members", N_("Members")),
    ("/settings/modules", N_("Modules")),
    ("/settings/fields", N_("Custom fields")),
    ("/settings/pipelines", N_("Pipelines and stages")),
    ("/settings/audit", N_("Audit log")),
    ("/settings/security", N_("Sign-in security")),
    ("/settings/api-clients", N_("API clients")),
)


async def managers_only(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """Handler guard: settings are for owners and admins (the API's rule for every action
    here), so a member or viewer gets 403 before anything is read. A coroutine: a plain
    function guard would run in Litestar's thread pool (``rapport.web.plugins``)."""
    principal: Principal | None = connection.scope.get("user")
    if principal is None or not principal.can_manage:
        raise forbidden("Only owners and admins can do this")


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def back(request: Request, path: str) -> Response[str]:
    """After a plain form post: the page again (post/redirect/get)."""
    return redirect(request, path)


GUARDS = [managers_only]
