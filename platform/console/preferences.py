"""Which language a member reads the console in (their own choice, else their tenant's),
and the organizations the person belongs to (for the tenant switcher)."""

from __future__ import annotations

import uuid

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
    """A member's language (``user_id`` set) or the tenant's default (``user_id`` NULL)."""

    __tablename__ = "console_preferences"

    user_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="CASCADE")
    )
    locale: Mapped[str] = mapped_column(String(10))


async def languages(session: AsyncSession, actor: Principal) -> tuple[str | None, str | None]:
    """(the member's language, the tenant's default), either None when not chosen."""
    rows = (
        await session.execute(
            select(ConsolePreference.user_id, ConsolePreference.locale).where(
                ConsolePreference.tenant_id == actor.tenant_id,
                (ConsolePreference.user_id == actor.user_id)
                | ConsolePreference.user_id.is_(None),
            )
        )
    ).all()
    mine = next((locale for user, locale in rows if user is not None), None)
    tenant = next((locale for user, locale in rows if user is None), None)
    return mine, tenant


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
