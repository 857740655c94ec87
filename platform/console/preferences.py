"""Which language a member reads the console in and which time zone their dates and times
are shown in (their own choice, else their tenant's), and the organizations the person
belongs to (for the tenant switcher)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import cache
from zoneinfo import available_timezones

from sqlalchemy import ForeignKey, String, select, text
from sqlalchemy.dialects.postgresql import UUID, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from rapport.console.i18n import LANGUAGES
from rapport.db.base import Base, TenantScoped, new_id
from rapport.db.session import enter_tenant
from rapport.errors import invalid
from rapport.tenancy.principal import Principal


class ConsolePreference(TenantScoped, Base):
    """A member's language and time zone (``user_id`` set) or the tenant's defaults
    (``user_id`` NULL); NULL: not chosen."""

    __tablename__ = "console_preferences"

    user_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="CASCADE")
    )
    locale: Mapped[str | None] = mapped_column(String(10))
    time_zone: Mapped[str | None] = mapped_column(String(64))


@dataclass(frozen=True)
class Chosen:
    """What the member and their tenant chose (None: not chosen)."""

    language: str | None = None
    tenant_language: str | None = None
    time_zone: str | None = None
    tenant_time_zone: str | None = None

    @property
    def zone(self) -> str:
        """The time zone shown: the member's, else the tenant's, else UTC."""
        return self.time_zone or self.tenant_time_zone or "UTC"


async def chosen(session: AsyncSession, actor: Principal) -> Chosen:
    rows = (
        await session.execute(
            select(ConsolePreference.user_id, ConsolePreference.locale,
                   ConsolePreference.time_zone).where(
                ConsolePreference.tenant_id == actor.tenant_id,
                (ConsolePreference.user_id == actor.user_id)
                | ConsolePreference.user_id.is_(None),
            )
        )
    ).all()
    mine = next((row for row in rows if row.user_id is not None), None)
    tenant = next((row for row in rows if row.user_id is None), None)
    return Chosen(mine.locale if mine else None, tenant.locale if tenant else None,
                  mine.time_zone if mine else None, tenant.time_zone if tenant else None)


async def languages(session: AsyncSession, actor: Principal) -> tuple[str | None, str | None]:
    """(the member's language, the tenant's default), either None when not chosen."""
    found = await chosen(session, actor)
    return found.language, found.tenant_language


@cache
def time_zones() -> tuple[str, ...]:
    """The IANA zones a member can choose (the system's tz database, or the tzdata wheel)."""
    return tuple(sorted(z for z in available_timezones() if "/" in z or z == "UTC"))


async def save_time_zone(
    session: AsyncSession, actor: Principal, zone: str | None, *, for_tenant: bool = False
) -> None:
    """Store a member's time zone, or (owners and admins) the tenant's default; ``None``
    goes back to the default."""
    if zone is not None and zone not in time_zones():
        raise invalid("time_zone", "must be a time zone such as Europe/Kyiv")
    if for_tenant:
        actor.require_manager()
    user_id = None if for_tenant else actor.user_id
    await session.execute(
        insert(ConsolePreference)
        .values(tenant_id=actor.tenant_id, id=new_id(), user_id=user_id, locale=None,
                time_zone=zone)
        .on_conflict_do_update(
            index_elements=["tenant_id", "user_id"], set_={"time_zone": zone}
        )
    )


async def save_language(
    session: AsyncSession, actor: Principal, locale: str, *, for_tenant: bool = False
) -> None:
    """Store a member's language, or (owners and admins) the tenant's default."""
    if locale not in LANGUAGES:
        raise invalid("language", f"must be one of {', '.join(LANGUAGES)}")
    if for_tenant:
        actor.require_manager()
    user_id = None if for_tenant else actor.user_id
    await session.execute(
        insert(ConsolePreference)
        .values(tenant_id=actor.tenant_id, id=new_id(), user_id=user_id, locale=locale)
        .on_conflict_do_update(
            index_elements=["tenant_id", "user_id"], set_={"locale": locale}
        )
    )


async def set_tenant_language(session: AsyncSession, tenant_id: uuid.UUID, locale: str) -> None:
    """A new organization's default language (sign-up, in the transaction that created it)."""
    await enter_tenant(session, tenant_id)
    await session.execute(
        insert(ConsolePreference).values(tenant_id=tenant_id, id=new_id(), user_id=None,
                                         locale=locale).on_conflict_do_nothing()
    )


async def my_tenants(session: AsyncSession) -> list[tuple[str, str]]:
    """(slug, name) of every organization the signed-in person belongs to (the session's
    ``rapport.user_id``; see migration console_0001)."""
    rows = await session.execute(text("SELECT slug, name FROM rapport_console_my_tenants()"))
    return [(slug, name) for slug, name in rows]
