"""Profile values as clients send them → their normal form, or a 422 naming the field.

Emails are normalised (email_validator), phones stored as E.164 (``phonenumbers``, with a
default region for numbers written nationally), tags lower-cased, languages as BCP 47 tags.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, TypeVar

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.contacts import windows
from rapport.core.contacts.names import normal_locale
from rapport.errors import invalid
from rapport.tenancy.models import Membership

NAMES = ("honorific", "given_name", "patronymic", "family_name", "preferred_name")
SCALARS = (*NAMES, "birthday", "language", "time_zone", "owner_id", "source", "external_id")
# The preferred sending window, given as one value and kept in three columns.
WINDOW = ("window_start", "window_end", "window_days")
EARLIEST_BIRTHDAY = date(1900, 1, 1)
ADDRESS_PARTS = ("line1", "line2", "city", "region", "postal_code", "country")


@dataclass(frozen=True)
class EmailValue:
    address: str
    primary: bool = False
    label: str | None = None

    @property
    def key(self) -> str:
        return self.address.lower()


@dataclass(frozen=True)
class PhoneValue:
    number: str
    primary: bool = False
    label: str | None = None

    @property
    def key(self) -> str:
        return self.number


V = TypeVar("V", EmailValue, PhoneValue)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    value = " ".join(str(value).split())
    return value or None


def clean_scalars(changes: Mapping[str, Any]) -> dict[str, Any]:
    """The scalar profile values among ``changes`` in normal form (``None`` clears)."""
    out: dict[str, Any] = {}
    for key in SCALARS:
        if key not in changes:
            continue
        value = changes[key]
        if key == "birthday":
            if value is not None and not EARLIEST_BIRTHDAY <= value <= datetime.now(UTC).date():
                raise invalid("birthday", "must be a date between 1900-01-01 and today")
        elif key == "language":
            value = _text(value)
            if value is not None:
                value = normal_locale(value)
                if value is None:
                    raise invalid("language", "must be a language tag such as uk, en or en-GB")
        elif key == "time_zone":
            value = windows.check_zone(value)
        elif key != "owner_id":
            value = _text(value)
        out[key] = value
    if "send_window" in changes:
        out.update(clean_window(changes["send_window"]))
    return out


def clean_window(value: Any) -> dict[str, Any]:
    """``{start, end, days}`` (an object or a mapping) → the three window columns; None
    clears them."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return dict.fromkeys(WINDOW)
    if isinstance(value, str):
        value = windows.window_parts(value, "send_window")
    get = value.get if isinstance(value, Mapping) else lambda k: getattr(value, k, None)
    start = windows.parse_time(str(get("start") or ""), "send_window.start")
    end = windows.parse_time(str(get("end") or ""), "send_window.end")
    if start == end:
        raise invalid("send_window.end", "the window must not be empty (end equals start)")
    days = get("days")
    return {"window_start": start, "window_end": end,
            "window_days": windows.parse_days(list(days), "send_window.days") if days else None}


def clean_email(raw: str, field: str) -> str:
    try:
        return validate_email(raw.strip(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise invalid(field, f"must be an email address ({exc})") from exc


def one_primary(items: Sequence[V]) -> list[V]:
    """Without repeats (the first wins), exactly one primary — the first marked, else the
    first — listed first."""
    unique: dict[str, V] = {}
    for item in items:
        unique.setdefault(item.key, item)
    kept = list(unique.values())
    if not kept:
        return []
    chosen = next((i for i, item in enumerate(kept) if item.primary), 0)
    ordered = [dataclasses.replace(kept[chosen], primary=True)]
    for i, item in enumerate(kept):
        if i != chosen:
            ordered.append(dataclasses.replace(item, primary=False))
    return ordered


def clean_emails(raw: Sequence[Any]) -> list[EmailValue]:
    out = []
    for i, item in enumerate(raw):
        if isinstance(item, str):
            out.append(EmailValue(clean_email(item, f"emails[{i}]")))
        else:
            address = clean_email(item.address, f"emails[{i}].address")
            out.append(EmailValue(address, item.primary, _text(item.label)))
    return one_primary(out)


def compose_emails(
    current: Sequence[EmailValue], changes: Mapping[str, Any]
) -> list[EmailValue] | None:
    """The new address list when ``emails`` or ``email`` (the primary) is sent, else None.

    ``email`` names the primary: an address already listed becomes primary, a new one is
    added as primary; ``null`` removes the primary address (the next one takes its place).
    """
    if "emails" not in changes and "email" not in changes:
        return None
    base = clean_emails(changes.get("emails") or []) if "emails" in changes else list(current)
    if "email" not in changes:
        return base
    if changes["email"] is None:
        return base if "emails" in changes else one_primary([e for e in base if not e.primary])
    primary = EmailValue(clean_email(changes["email"], "email"), True)
    listed = next((e for e in base if e.key == primary.key), None)
    if listed is not None:
        primary = dataclasses.replace(listed, primary=True)
    others = [dataclasses.replace(e, primary=False) for e in base if e.key != primary.key]
    return [primary, *others]


def parse_phone(raw: str, region: str | None, field: str) -> str:
    rule = (
        "must be a valid phone number: international form (+380 67 123 4567), or national "
        "form with a phone region set"
    )
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise invalid(field, rule) from exc
    if not phonenumbers.is_valid_number(number):
        raise invalid(field, rule)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def clean_phones(raw: Sequence[Any], region: str | None) -> list[PhoneValue]:
    out = []
    for i, item in enumerate(raw):
        if isinstance(item, str):
            out.append(PhoneValue(parse_phone(item, region, f"phones[{i}]")))
        else:
            number = parse_phone(item.number, region, f"phones[{i}].number")
            out.append(PhoneValue(number, item.primary, _text(item.label)))
    return one_primary(out)


def clean_tags(raw: Sequence[str]) -> list[str]:
    out: list[str] = []
    for i, tag in enumerate(raw):
        clean = " ".join(tag.split()).lower()[:60]  # lower-casing may lengthen a few letters
        if not clean:
            raise invalid(f"tags[{i}]", "must not be empty")
        if clean not in out:
            out.append(clean)
    return out


def clean_addresses(raw: Sequence[Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for i, item in enumerate(raw):
        parts = {p: _text(getattr(item, p)) for p in ADDRESS_PARTS}
        if parts["country"]:
            parts["country"] = parts["country"].upper()
        if not any(parts.values()):
            raise invalid(f"addresses[{i}]", "must have at least one part")
        address = {"kind": item.kind, **parts}
        if address not in out:
            out.append(address)
    return out


async def check_owner(session: AsyncSession, tenant_id: uuid.UUID, owner_id: uuid.UUID) -> None:
    """The owner must be a member (by user id) of the tenant."""
    found = await session.execute(
        select(Membership.id).where(
            Membership.tenant_id == tenant_id, Membership.user_id == owner_id
        )
    )
    if found.first() is None:
        raise invalid("owner_id", "must be the user id of a member of this organization")
