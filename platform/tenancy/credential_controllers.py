"""HTTP doors of a person's own credentials and sessions: change or reset the password,
confirm the e-mail address, list and end sessions."""

from __future__ import annotations

import uuid

from litestar import Controller, Request, Response, delete, get, post
from litestar.background_tasks import BackgroundTask
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.errors import ALSO_ANSWERS
from rapport.mail import deliver
from rapport.settings import Settings
from rapport.tenancy import credentials, sessions
from rapport.tenancy.controllers import PUBLIC, guard_request
from rapport.tenancy.principal import Principal
from rapport.tenancy.schemas import (
    NoticeOut,
    PasswordChangeIn,
    PasswordResetConfirmIn,
    PasswordResetIn,
    SessionList,
    SessionOut,
    VerifyEmailIn,
)
from rapport.tenancy.sso_policy import end_sessions_here, opened_by_sso
from rapport.tenancy.throttle import guard_public_action
from rapport.tenancy.tokens import SESSION_COOKIE, AccessClaims

RESET_NOTICE = "If this address has an account, a link to reset the password is on its way"


def _signed_out() -> Response[None]:
    """204, and the browser forgets its session cookie."""
    return Response(
        None, status_code=204, cookies=[Cookie(key=SESSION_COOKIE, value="", max_age=0, path="/")]
    )


class CredentialController(Controller):
    path = "/api/v1/auth"
    tags = ["account"]

    @post("/password", status_code=204, opt={ALSO_ANSWERS: (429,)})
    async def change_password(
        self,
        data: JSONBody[PasswordChangeIn],
        request: Request,
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> Response[None]:
        """Change your password (the current one is required). Every session of yours, in
        every organization, ends — this one too: log in again with the new password."""
        # Throttled per person, so a stolen token cannot guess the current password freely.
        await guard_public_action(
            request.app.state.sessionmaker, settings, action="password-change",
            address=f"user:{principal.user_id}",
        )
        await credentials.change_password(
            db, principal, current=data.current_password, new=data.new_password
        )
        return _signed_out()

    @post("/password-reset", opt={**PUBLIC, ALSO_ANSWERS: (429,)}, status_code=202)
    async def request_reset(
        self, data: JSONBody[PasswordResetIn], request: Request,
        settings: NamedDependency[Settings],
    ) -> Response[NoticeOut]:
        """E-mail a single-use link to choose a new password. The answer is the same whether
        or not the address has an account."""
        maker = request.app.state.sessionmaker
        await guard_request(request, settings, "password-reset")
        return Response(
            NoticeOut(RESET_NOTICE),
            status_code=202,
            background=BackgroundTask(credentials.send_reset_link, maker, settings, data.email),
        )

    @post(
        "/password-reset/confirm", opt={**PUBLIC, ALSO_ANSWERS: (404, 429)}, status_code=204
    )
    async def confirm_reset(
        self,
        data: JSONBody[PasswordResetConfirmIn],
        request: Request,
        public_db: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> None:
        """Choose a new password with the token from the e-mail (once, before it expires).
        Every session of the person ends."""
        await guard_request(request, settings, "password-reset-confirm")
        await credentials.reset_password(public_db, token=data.token, password=data.password)

    @post("/verify-email", opt={**PUBLIC, ALSO_ANSWERS: (404, 429)}, status_code=204)
    async def verify_email(
        self,
        data: JSONBody[VerifyEmailIn],
        request: Request,
        public_db: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> None:
        """Confirm your address with the token from the e-mail."""
        await guard_request(request, settings, "verify-email")
        await credentials.verify_email(public_db, token=data.token)

    @post("/verify-email/resend", status_code=202)
    async def resend_verification(
        self,
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> Response[NoticeOut]:
        """Send a new confirmation link to your address (nothing is sent when it is
        already confirmed)."""
        letter = await credentials.verification_letter(db, principal, settings)
        if letter is None:
            return Response(NoticeOut("Your address is already confirmed"), status_code=202)
        return Response(
            NoticeOut("A confirmation link is on its way"),
            status_code=202,
            background=BackgroundTask(deliver, settings, letter),
        )

    @get("/sessions")
    async def list_sessions(
        self, request: Request, principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> SessionList:
        """Your live sessions in this organization, newest first."""
        claims: AccessClaims = request.auth
        rows = await sessions.list_sessions(db, principal)
        return SessionList([
            SessionOut(r.id, r.created_at, r.expires_at, r.user_agent, r.address,
                       current=r.id == claims.session_id)
            for r in rows
        ])

    @delete("/sessions", status_code=204)
    async def sign_out_everywhere(
        self, request: Request, principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> Response[None]:
        """End every session of yours, in every organization you belong to (a lost
        laptop, a shared computer). Called from a session that single sign-on opened, it
        ends your sessions in this organization only: the organization's provider is no
        proof of you to your other organizations (sign in with your password for that)."""
        session_id = getattr(request.auth, "session_id", None)
        if session_id and await opened_by_sso(db, principal.tenant_id, session_id):
            await end_sessions_here(db, principal.tenant_id, principal.user_id)
        else:
            await sessions.revoke_everywhere(db, principal.user_id)
        return _signed_out()

    @delete("/sessions/{session_id:uuid}", status_code=204)
    async def end_session(
        self,
        session_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> None:
        """End one of your sessions in this organization."""
        await sessions.revoke_session(db, principal, session_id)
