"""The API's email and phone rules (``contacts.values``), with the work an import repeats
a million times done once: an address with a plain ASCII local part and domain is the
local part plus the validator's answer for its domain, asked once per domain; a phone
number is parsed once, giving both its E.164 form and the national number its search
terms need. Anything else goes through ``contacts.values`` itself, so results and error
messages are the API's (tests compare the two on many inputs).

Phones: a number written as ``+`` and digits alone (what most files hold) is read by the
steps ``phonenumbers.parse`` takes for exactly that shape, and its validity is decided by
the same metadata patterns ``is_valid_number`` tries, compiled once per country code —
about a quarter of the library's time, with the same answer (tests compare the two on
every region's numbers and on random digits). Any other shape, any number whose country
code has several regions, and anything the fast steps would refuse goes through
``phonenumbers`` itself.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from email_validator.rfc_constants import CASE_INSENSITIVE_MAILBOX_NAMES, EMAIL_MAX_LENGTH
from phonenumbers import phonenumberutil as pu

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
    normal = _other_address(address)
    return normal if normal is not None else v.clean_email(raw, field)


@functools.lru_cache(maxsize=16_384)
def _other_address(address: str) -> str | None:
    """The validator's normal form of any other (stripped) address, asked once per
    address; None when it is refused (the caller then gets the API's error)."""
    try:
        return validate_email(address, check_deliverability=False).normalized
    except EmailNotValidError:
        return None


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


_PLUS_DIGITS = re.compile(r"\+([0-9]{3,17})\Z")
_NOT_STRIPPED = (pu.ValidationResult.TOO_SHORT, pu.ValidationResult.IS_POSSIBLE_LOCAL_ONLY,
                 pu.ValidationResult.INVALID_LENGTH)
# The number descriptions ``_number_type_helper`` tries after the general one; any match
# makes the number's type known, i.e. the number valid. (Mobile is tried only when its
# pattern differs from fixed line's, as there.)
_TYPES = ("premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager",
          "uan", "voicemail", "fixed_line")
_Desc = tuple[frozenset[int], Callable[[str], Any]]


def _desc(desc: Any) -> _Desc | None:
    """A number description as (possible lengths, full match), or None if it matches no
    number (``_is_number_matching_desc``: no description, no pattern)."""
    if desc is None or not desc.national_number_pattern:
        return None
    return frozenset(desc.possible_length), re.compile(desc.national_number_pattern).fullmatch


def _matches(nsn: str, desc: _Desc) -> bool:
    lengths, match = desc
    return (not lengths or len(nsn) in lengths) and match(nsn) is not None


@functools.cache
def _validity(country_code: int) -> tuple[_Desc | None, tuple[_Desc, ...]] | None:
    """The general description and the type descriptions ``is_valid_number`` tries for a
    country code with exactly one region; None when the library must decide (several
    regions share the code, or it has no metadata)."""
    regions = pu.COUNTRY_CODE_TO_REGION_CODE.get(country_code)
    if regions is None or len(regions) != 1:
        return None
    region = regions[0]
    metadata = phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(
        country_code, region.upper())
    if metadata is None or (region != phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY
                            and metadata.country_code != country_code):
        return None
    names = [*_TYPES, *([] if metadata.same_mobile_and_fixed_line_pattern else ["mobile"])]
    types = tuple(d for name in names if (d := _desc(getattr(metadata, name))) is not None)
    return _desc(metadata.general_desc), types


def _is_valid(number: phonenumbers.PhoneNumber) -> bool:
    """``phonenumbers.is_valid_number``."""
    checks = _validity(number.country_code)
    if checks is None:
        return bool(phonenumbers.is_valid_number(number))
    general, types = checks
    nsn = pu.national_significant_number(number)
    if general is None or not _matches(nsn, general):
        return False
    return any(_matches(nsn, desc) for desc in types)


def _parse_international(digits: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    """``phonenumbers.parse("+" + digits, region)`` for ASCII digits, following its steps
    for that shape; None wherever it would raise or take another branch (the caller then
    asks the library)."""
    country_code, national = pu._extract_country_code(digits)
    if country_code == 0 or len(national) < pu._MIN_LENGTH_FOR_NSN:
        return None
    number_region = pu.region_code_for_country_code(country_code)
    if region is not None and number_region == region:
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(region.upper(), None)
    else:
        metadata = phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(
            country_code, number_region)
    if metadata is not None:
        _, potential, _ = pu._maybe_strip_national_prefix_carrier_code(national, metadata)
        if pu._test_number_length(potential, metadata) not in _NOT_STRIPPED:
            national = potential
    if not pu._MIN_LENGTH_FOR_NSN <= len(national) <= pu._MAX_LENGTH_FOR_NSN:
        return None
    number = phonenumbers.PhoneNumber(country_code=country_code)
    pu._set_italian_leading_zeros_for_phone_number(national, number)
    number.national_number = int(national)
    return number


def _parse(raw: str, region: str | None) -> phonenumbers.PhoneNumber:
    # "+" and digits: the default region plays no part (the country code is written).
    plain = _PLUS_DIGITS.match(raw)
    if plain is not None:
        number = _parse_international(plain.group(1), region)
        if number is not None:
            return number
    return phonenumbers.parse(raw, region)


def parse_phone(raw: str, region: str | None, field: str) -> tuple[str, str]:
    """(E.164 form, national number) of a valid number; an invalid one gets the API's
    error from ``contacts.values.parse_phone``."""
    # A number that does not parse or is not valid falls through to the API's check,
    # which raises the error the API would give.
    with contextlib.suppress(phonenumbers.NumberParseException):
        number = _parse(raw, region)
        if _is_valid(number):
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
