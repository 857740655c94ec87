"""Sign up an organization and its first owner (the service behind ``POST /api/v1/signup``)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.background_tasks import BackgroundTask
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.console.chrome import chrome_of
from rapport.console.forms import field_errors, parse
from rapport.console.guards import check_form_token, form_token, redirect
from rapport.console.preferences import set_tenant_language
from rapport.console.rendering import screen_response
from rapport.errors import RapportError
from rapport.hooks import Screen
from rapport.mail import deliver
from rapport.settings import Settings
from rapport.tenancy.controllers import guard_request
from rapport.tenancy.schemas import SignupIn
from rapport.tenancy.signup import sign_up as sign_up_service

PUBLIC = {"exclude_from_auth": True}
FIELDS = ("organization.name", "organization.slug", "admin.full_name", "admin.email")


def _screen(
    request: Request, values: dict[str, Any], errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response[str]:
    token, cookie = form_token(request)
    chrome_of(request).csrf = token
    screen = Screen(
        "console/account/sign_up.html", "Create your organization",
        {"values": values, "errors": errors or {}}, status=status,
    )
    return screen_response(request, screen, cookies=[cookie] if cookie else [])


@get("/sign-up", opt=PUBLIC)
async def sign_up_page(request: Request) -> Response[str]:
    return _screen(request, dict.fromkeys(FIELDS, ""))


@post("/sign-up", opt=PUBLIC, status_code=200)
async def sign_up(
    request: Request, public_db: NamedDependency[AsyncSession],
    settings: NamedDependency[Settings],
) -> Response[str]:
    form = await check_form_token(request)
    values = {key: str(form.get(key, "")).strip() for key in FIELDS}
    try:
        data = parse({**values, "admin.password": form.get("admin.password", "")}, SignupIn)
        await guard_request(request, settings, "signup")
        result = await sign_up_service(
            public_db, org_name=data.organization.name, slug=data.organization.slug,
            email=data.admin.email, password=data.admin.password,
            full_name=data.admin.full_name, base_url=settings.base_url,
            invitation_ttl=settings.invitation_ttl,
            verification_ttl=settings.email_verification_ttl,
        )
        # The organization reads the console in the language it was signed up in.
        await set_tenant_language(public_db, result.tenant.id, chrome_of(request).lang.code)
    except RapportError as exc:
        if exc.status not in (409, 422, 429):
            raise
        errors = field_errors(exc)
        if exc.status == 409:
            errors = {"organization.slug": exc.detail}
        return _screen(request, values, errors, status=exc.status)
    response = redirect(request, f"/sign-in?tenant={result.tenant.slug}&welcome=1")
    response.background = BackgroundTask(deliver, settings, result.letter)
    return response
