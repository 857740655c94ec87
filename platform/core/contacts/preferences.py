"""A tenant's contact defaults: the region national phone numbers are read in, the
locale salutations use when a contact has no language of their own, the time zone of
contacts without one (their sending windows), and whether campaign messages to contacts
may be tracked (opens and clicks: the tenant's privacy switch)."""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.contacts import windows
from rapport.core.contacts.models import ContactSettings
from rapport.core.contacts.names import normal_locale
from rapport.errors import invalid
from rapport.tenancy.config_cache import TenantConfigCache, written
from rapport.tenancy.principal import Principal


@dataclass(frozen=True)
class Defaults:
    phone_region: str | None = None
    default_locale: str | None = None
    time_zone: str | None = None
    tracking: bool = True


_DEFAULTS: TenantConfigCache[Defaults] = TenantConfigCache("contact settings")


async def defaults(session: AsyncSession, actor: Principal) -> Defaults:
    """The tenant's defaults, from this process's copy while it is current."""

    async def load() -> Defaults:
        row = (
            await session.execute(
                select(ContactSettings.phone_region, ContactSettings.default_locale,
                       ContactSettings.time_zone, ContactSettings.tracking).where(
                    ContactSettings.tenant_id == actor.tenant_id
                )
            )
        ).first()
        return Defaults(*row) if row else Defaults()

    return await _DEFAULTS.get(session, actor.tenant_id, None, load)


def region_code(raw: str | None, field: str = "region") -> str | None:
    """An ISO 3166 region phonenumbers knows (``UA``, ``GB``), or None."""
    if raw is None or not raw.strip():
        return None
    code = raw.strip().upper()
    if code not in phonenumbers.SUPPORTED_REGIONS:
        raise invalid(field, "must be a two-letter country code, e.g. UA or GB")
    return code


async def save(
    session: AsyncSession, actor: Principal, phone_region: str | None,
    default_locale: str | None, time_zone: str | None = None, tracking: bool = True,
) -> Defaults:
    actor.require_manager()
    zone = windows.check_zone(time_zone)
    region = region_code(phone_region, "phone_region")
    locale = None
    if default_locale:
        locale = normal_locale(default_locale)
        if locale is None:
            raise invalid("default_locale", "must be a language tag such as uk, en or en-GB")
    values = {"phone_region": region, "default_locale": locale, "time_zone": zone,
              "tracking": tracking}
    written(session)
    await session.execute(
        insert(ContactSettings)
        .values(tenant_id=actor.tenant_id, **values)
        .on_conflict_do_update(index_elements=["tenant_id"], set_=values)
    )
    return Defaults(region, locale, zone, tracking)
