"""Contact records → their JSON shapes (display name and salutation computed here, so a
row written behind the API's back still reads right)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import time
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.contacts import names, preferences, service
from rapport.core.contacts.records import Shown
from rapport.core.contacts.schemas import (
    AddressOut,
    ContactOut,
    EmailOut,
    PhoneOut,
    SendWindowOut,
)
from rapport.core.contacts.windows import DAY_NAMES
from rapport.core.fields.definitions import FieldDefinition
from rapport.tenancy.principal import Principal


def send_window_out(start: time | None, end: time | None,
                    days: list[int] | None) -> SendWindowOut | None:
    if start is None or end is None:
        return None
    return SendWindowOut(start.strftime("%H:%M"), end.strftime("%H:%M"),
                         [DAY_NAMES[d - 1] for d in (days or range(1, 8))])


def contact_out(
    record: Shown, fields: dict[str, Any], locale: str | None, default_locale: str | None
) -> ContactOut:
    c = record.contact
    values = record.snapshot()
    phone = record.phones[0].number if record.phones else None
    shown = names.display_name(values, c.email, phone)
    address_as = names.salutation(values, locale or c.language or default_locale, shown)
    return ContactOut(
        id=c.id,
        display_name=shown,
        salutation=address_as,
        honorific=c.honorific,
        given_name=c.given_name,
        patronymic=c.patronymic,
        family_name=c.family_name,
        preferred_name=c.preferred_name,
        email=c.email,
        emails=[EmailOut(e.address, e.primary, e.label) for e in record.emails],
        phones=[PhoneOut(p.number, p.primary, p.label) for p in record.phones],
        birthday=c.birthday,
        language=c.language,
        time_zone=c.time_zone,
        send_window=send_window_out(c.window_start, c.window_end, c.window_days),
        addresses=[AddressOut.of(a) for a in c.addresses or []],
        tags=list(record.tags),
        owner_id=c.owner_id,
        source=c.source,
        external_id=c.external_id,
        fields=fields,
        created_at=c.created_at,
        updated_at=c.updated_at,
    )


async def contacts_out(
    db: AsyncSession,
    principal: Principal,
    definitions: Sequence[FieldDefinition],
    page: Sequence[Shown],
    locale: str | None,
) -> list[ContactOut]:
    shown = await service.shown_fields(db, principal, definitions, [r.contact for r in page])
    default = (await preferences.defaults(db, principal)).default_locale
    return [contact_out(r, f, locale, default) for r, f in zip(page, shown, strict=True)]
