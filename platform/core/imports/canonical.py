"""The API's email and phone rules (``contacts.values``), with the work an import repeats
a million times done once: an address with a plain ASCII local part and domain is the
local part plus the validator's answer for its domain, asked once per domain; a phone
number is parsed once, giving both its E.164 form and the national number its search
terms need. Anything else goes through ``contacts.values`` itself, so results and error
messages are the API's (tests compare the two on many inputs).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import re
from collections.abc import Mapping, Sequence
from typing import Any

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from email_validator.rfc_constants import CASE_INSENSITIVE_MAILBOX_NAMES, EMAIL_MAX_LENGTH

from rapport.core.contacts import values as v

_PLAIN_LOCAL = re.compile(r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*\Z")
_PLAIN_DOMAIN = re.compile(r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+\Z")
_CASE_INSENSITIVE = frozenset(CASE_INSENSITIVE_MAILBOX_NAMES)


@functools.lru_cache(maxsize=16_384)
def _domain(domain: str) -> str | None:
    """The validator's normal form of ``domain`` when it is just the lower-cased name."""
    try:
        found = validate_email("a@" + domain, check_deliverability=False)
    except EmailNotValidError:
        return None
    lowered = domain.lower()
    return lowered if found.domain == lowered and found.ascii_domain == lowered else None


def clean_email(raw: str, field: str) -> str:
    """``contacts.values.clean_email``. A dot-atom of letters, digits, ``_+-`` needs no
    Unicode normalization and keeps its case (unless it is a role name such as
    ``Postmaster``); with a plain domain and the length in bounds the address is valid
    exactly when its domain is."""
    address = raw.strip()
    local, at, domain = address.rpartition("@")
    if (at and len(address) <= EMAIL_MAX_LENGTH and _PLAIN_LOCAL.match(local)
            and local.lower() not in _CASE_INSENSITIVE and _PLAIN_DOMAIN.match(domain)):
        known = _domain(domain)
        if known is not None:
            return local + "@" + known
    return v.clean_email(raw, field)


def compose_emails(changes: Mapping[str, Any]) -> list[v.EmailValue] | None:
    """``contacts.values.compose_emails([], changes)`` for a row's ``email``/``emails``."""
    if "emails" not in changes and "email" not in changes:
        return None
    base: list[v.EmailValue] = []
    if "emails" in changes:
        base = v.one_primary([v.EmailValue(clean_email(item, f"emails[{i}]"))
                              for i, item in enumerate(changes["emails"] or [])])
    if "email" not in changes:
        return base
    primary = v.EmailValue(clean_email(changes["email"], "email"), True)
    listed = next((e for e in base if e.key == primary.key), None)
    if listed is not None:
        primary = dataclasses.replace(listed, primary=True)
    others = [dataclasses.replace(e, primary=False) for e in base if e.key != primary.key]
    return [primary, *others]


def parse_phone(raw: str, region: str | None, field: str) -> tuple[str, str]:
    """(E.164 form, national number) of a valid number; an invalid one gets the API's
    error from ``contacts.values.parse_phone``."""
    # A number that does not parse or is not valid falls through to the API's check,
    # which raises the error the API would give.
    with contextlib.suppress(phonenumbers.NumberParseException):
        number = phonenumbers.parse(raw, region)
        if phonenumbers.is_valid_number(number):
            e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            return e164, str(number.national_number)
    v.parse_phone(raw, region, field)  # raises the API's error
    raise AssertionError(f"{field}: parse_phone accepted a number parsing refused")


def clean_phones(raw: Sequence[str], region: str | None) -> tuple[list[v.PhoneValue],
                                                                  dict[str, str]]:
    """``contacts.values.clean_phones`` of plain strings, and each number's national
    number (E.164 → national)."""
    parsed = [parse_phone(item, region, f"phones[{i}]") for i, item in enumerate(raw)]
    return v.one_primary([v.PhoneValue(e164) for e164, _ in parsed]), dict(parsed)
