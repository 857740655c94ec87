"""Settings → Sign-in security: whom the organization requires two-factor sign-in of (off,
owners and admins, everyone) — ``rapport.tenancy.two_factor_policy``, the service of
``PUT /api/v1/auth/policy``, its rules and its audit entry."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.console.admin.common import GUARDS, TABS
from rapport.console.forms import field_errors
from rapport.console.guards import redirect
from rapport.console.rendering import screen_response
from rapport.core.audit.service import record
from rapport.errors import RapportError, invalid
from rapport.hooks import Screen
from rapport.tenancy import totp
from rapport.tenancy.principal import Principal
from rapport.tenancy.two_factor_policy import Require, read_policy, set_policy

PATH = "/settings/security"


async def _page(request: Request, db: AsyncSession, principal: Principal, *,
                errors: dict[str, str] | None = None, status: int = 200) -> Response[str]:
    require, at = await read_policy(db, principal.tenant_id)
    context = {
        "tabs": TABS, "here": PATH, "require": require.value, "updated_at": at,
        "options": [r.value for r in Require], "errors": errors or {},
        "mine_on": await totp.is_on(db, principal.user_id),
        "saved": request.query_params.get("saved") == "1",
    }
    return screen_response(request, Screen("console/admin/security_policy.html",
                                           "Sign-in security", context, status=status))


@get(PATH, guards=GUARDS)
async def sign_in_policy_page(
    request: Request, principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
) -> Response[str]:
    return await _page(request, db, principal)


@post(PATH, guards=GUARDS, status_code=200)
async def save_sign_in_policy(
    request: Request, principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
) -> Response[str]:
    form = await request.form()
    chosen = str(form.get("require_2fa", ""))
    try:
        if chosen not in {r.value for r in Require}:
            raise invalid("require_2fa", "choose off, admins or everyone")
        require = Require(chosen)
        before = await set_policy(db, principal.tenant_id, require, by=principal.user_id,
                                  by_role=principal.role)
        await record(db, principal, "update", "two_factor_policy", principal.tenant_id,
                     changes={"require_2fa": [before.value, require.value]})
    except RapportError as exc:
        if exc.status not in (409, 422):
            raise
        errors = field_errors(exc)
        return await _page(request, db, principal,
                           errors={"require_2fa": errors.get("require_2fa")
                                   or errors.get("form", exc.detail)}, status=exc.status)
    return redirect(request, PATH + "?saved=1")


PAGES = [sign_in_policy_page, save_sign_in_policy]
