"""HTTP door of a person's own sign-in history in this tenant (``GET /me/sign-ins``)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.pagination import MAX_CURSOR, MAX_LIMIT
from rapport.errors import ALSO_ANSWERS
from rapport.tenancy import sign_ins
from rapport.tenancy.principal import Principal


class SignInOut(msgspec.Struct):
    id: uuid.UUID
    at: datetime
    # password, sso, totp, recovery_code (client_credentials is a client's, never a person's)
    method: str
    # success, refused, or challenge (the first factor passed, a second step was asked)
    outcome: str
    address: str | None
    user_agent: str | None
    # Why a refusal was refused ("password", ...); null on success.
    reason: str | None

    @classmethod
    def of(cls, s: sign_ins.SignIn) -> SignInOut:
        return cls(s.id, s.at, s.method, s.outcome, s.address, s.user_agent, s.reason)


class SignInList(msgspec.Struct):
    items: list[SignInOut]
    next_cursor: str | None


class SignInController(Controller):
    path = "/api/v1/me/sign-ins"
    tags = ["account"]

    @get("/", opt={ALSO_ANSWERS: (403,)})
    async def my_sign_ins(
        self,
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        cursor: Annotated[str | None, QueryParameter(max_length=MAX_CURSOR)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = 50,
    ) -> SignInList:
        """Your recent sign-ins to this organization, newest first: when, how, whether they
        got through, from which address and browser. Refused attempts with your address are
        listed too. Pass ``next_cursor`` back as ``cursor`` for the next page. An API client
        is refused (403): it has no sign-ins of a person."""
        page = await sign_ins.my_sign_ins(db, principal, cursor=cursor, limit=limit)
        return SignInList([SignInOut.of(s) for s in page.items], page.next_cursor)
