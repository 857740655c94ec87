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
# A nationally written number: ASCII digits, single spaces between groups.
_NATIONAL = re.compile(r"[0-9]+(?: [0-9]+)*\Z")
_NOT_STRIPPED = (pu.ValidationResult.TOO_SHORT, pu.ValidationResult.IS_POSSIBLE_LOCAL_ONLY,
                 pu.ValidationResult.INVALID_LENGTH)
# The number descriptions ``_number_type_helper`` tries after the general one; any match
# makes the number's type known, i.e. the number valid, so the most common come first.
# (Mobile is tried only when its pattern differs from fixed line's, as there.)
_TYPES = ("fixed_line", "premium_rate", "toll_free", "shared_cost", "voip",
          "personal_number", "pager", "uan", "voicemail")
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
    names = [*([] if metadata.same_mobile_and_fixed_line_pattern else ["mobile"]), *_TYPES]
    types = tuple(d for name in names if (d := _desc(getattr(metadata, name))) is not None)
    return _desc(metadata.general_desc), types


def _is_valid(country_code: int, nsn: str) -> bool | None:
    """``phonenumbers.is_valid_number`` of the number with this country code and national
    significant number; None when the library must decide."""
    checks = _validity(country_code)
    if checks is None:
        return None
    general, types = checks
    if general is None or not _matches(nsn, general):
        return False
    return any(_matches(nsn, desc) for desc in types)


def _national_part(
    country_code: int, national: str, metadata: Any
) -> tuple[int, str] | None:
    """The end of ``phonenumbers.parse`` once the country code is known: the national
    prefix stripped when what is left still has a possible length; None where it would
    raise. The national significant number it gives is ``national`` itself (the Italian
    leading zeros it records are the ones ``national`` starts with)."""
    if len(national) < pu._MIN_LENGTH_FOR_NSN:
        return None
    if metadata is not None:
        _, potential, _ = pu._maybe_strip_national_prefix_carrier_code(national, metadata)
        if pu._test_number_length(potential, metadata) not in _NOT_STRIPPED:
            national = potential
    if not pu._MIN_LENGTH_FOR_NSN <= len(national) <= pu._MAX_LENGTH_FOR_NSN:
        return None
    return country_code, national


def _parse_international(digits: str, region: str | None) -> tuple[int, str] | None:
    """``phonenumbers.parse("+" + digits, region)`` for ASCII digits, following its steps
    for that shape, as (country code, national significant number); None wherever it
    would raise or take another branch (the caller then asks the library)."""
    country_code, national = pu._extract_country_code(digits)
    if country_code == 0:
        return None
    number_region = pu.region_code_for_country_code(country_code)
    if region is not None and number_region == region:
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(region.upper(), None)
    else:
        metadata = phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(
            country_code, number_region)
    return _national_part(country_code, national, metadata)


@functools.cache
def _home(region: str) -> tuple[Any, Callable[[str], Any], str] | None:
    """A supported default region's metadata, international prefix and country code."""
    if region not in pu.SUPPORTED_REGIONS:
        return None
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region.upper(), None)
    if metadata is None:
        return None
    prefix = metadata.international_prefix or "NonMatch"
    return metadata, re.compile(prefix).match, str(metadata.country_code)


def _parse_national(digits: str, region: str | None) -> tuple[int, str] | None:
    """``phonenumbers.parse(number, region)`` for a number of ASCII digits (and spaces)
    written nationally: no international prefix, not starting with the region's own
    country code (the library's branches for those are left to it)."""
    home = _home(region) if region is not None else None
    if home is None:
        return None
    metadata, international, code = home
    if international(digits) or digits.startswith(code):
        return None
    return _national_part(metadata.country_code, digits, metadata)


def _fast_parts(raw: str) -> tuple[bool, str] | None:
    plain = _PLUS_DIGITS.match(raw)
    if plain is not None:
        return True, plain.group(1)
    if _NATIONAL.match(raw):
        digits = raw.replace(" ", "")
        # Fewer than three digits with spaces is "not a number" to the library.
        return (False, digits) if len(digits) >= 3 else None
    return None


def parse_phone(raw: str, region: str | None, field: str) -> tuple[str, str]:
    """(E.164 form, national number) of a valid number; an invalid one gets the API's
    error from ``contacts.values.parse_phone``."""
    shape = _fast_parts(raw)
    if shape is not None:
        international, digits = shape
        parts = (_parse_international if international else _parse_national)(digits, region)
        if parts is not None:
            country_code, nsn = parts
            valid = _is_valid(country_code, nsn)
            if valid:
                # format_number(E164) is "+", the country code and the national
                # significant number.
                return f"+{country_code}{nsn}", str(int(nsn))
            if valid is False:
                v.parse_phone(raw, region, field)  # raises the API's error
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
