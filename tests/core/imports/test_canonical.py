"""The import's fast email and phone checks give exactly what the API's give: the same
normal forms, the same search terms, the same errors."""

from __future__ import annotations

import random

import phonenumbers
import pytest

from rapport.core.contacts import values as v
from rapport.core.contacts.search import terms as t
from rapport.core.imports import canonical
from rapport.errors import RapportError

ADDRESSES = [
    "T.Shevchenko@Example.COM", "olena.koval@ukr.net", "a+tag@sub.mail.example.org",
    "A_B-c@Sub.Example.org", "Postmaster@example.com", "abuse@Example.com",
    "a..b@example.com", ".a@example.com", "a.@example.com", "a@-example.com",
    "a@example-.com", "a@example", "a@localhost", "a@x.invalid", "a@x.test", "a@x.local",
    "a@x.onion", "ü@example.com", "a@bücher.de", "a@xn--bcher-kva.de", "a@XN--BCHER-KVA.de",
    "x" * 65 + "@example.com", "x" * 64 + "@example.com",
    "a@" + ".".join(["abcdefghij" * 6] * 4) + ".com", "a@" + "b" * 64 + ".com",
    '"quoted"@example.com', "a@b@example.com", "a@[192.0.2.1]", "a@example.com.",
    " a@example.com ", "a@exa_mple.com", "a b@example.com", "@example.com", "a@", "",
    "a@123.com", "a@1.2.3.4", "a@e.c", "Имя@пример.укр", "a@ex--ample.com",
    "a@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 63 + "." + "e" * 57 + ".com",
]


def _outcome(clean, raw, *args):
    try:
        return ("ok", clean(raw, *args))
    except RapportError as exc:
        return ("error", [(e.field, e.message) for e in exc.errors], exc.detail)


@pytest.mark.parametrize("raw", ADDRESSES)
def test_an_address_is_cleaned_as_the_api_cleans_it(raw):
    assert _outcome(canonical.clean_email, raw, "emails[0]") == _outcome(
        v.clean_email, raw, "emails[0]")
    # Twice: the second answer comes from the per-domain cache.
    assert _outcome(canonical.clean_email, raw, "email") == _outcome(v.clean_email, raw, "email")


@pytest.mark.parametrize("changes", [
    {"email": "A@Example.com"},
    {"emails": ["b@example.com", "A@example.com"]},
    {"email": "a@example.com", "emails": ["b@example.com", "A@Example.com"]},
    {"email": "c@example.com", "emails": ["b@example.com", "b@Example.com"]},
    {"email": "a@example.com", "emails": ["bad@", "b@example.com"]},
    {"email": "bad", "emails": ["b@example.com"]},
])
def test_a_rows_addresses_compose_as_the_apis(changes):
    def run(compose):
        try:
            return compose()
        except RapportError as exc:
            return [(e.field, e.message) for e in exc.errors]

    assert run(lambda: canonical.compose_emails(changes)) == run(
        lambda: v.compose_emails([], changes))


def _numbers():
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE):
            number = phonenumbers.example_number_for_type(region, kind)
            if number is None:
                continue
            national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
            yield region, national
            yield None, phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            yield None, phonenumbers.format_number(
                number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def test_phones_parse_and_index_as_the_apis_for_every_region():
    cases = [*_numbers(), ("UA", "050 1234567"), ("UA", "+380 67 123 45 67"),
             ("UA", "12"), (None, "050 1234567"), ("UA", "not a number"), ("GB", "+44 20")]
    for region, raw in cases:
        api = _outcome(v.parse_phone, raw, region, "phones[0]")
        try:
            e164, national = canonical.parse_phone(raw, region, "phones[0]")
        except RapportError as exc:
            assert api == ("error", [(e.field, e.message) for e in exc.errors], exc.detail)
            continue
        assert api == ("ok", e164), raw
        assert t.phone_terms(e164, national) == t.phone_terms(e164), (region, raw)


def test_plain_domains_are_asked_once_and_others_take_the_apis_path():
    assert canonical._domain("Example.COM") == "example.com"
    assert canonical._domain("xn--bcher-kva.de") is None  # shown as bücher.de
    assert canonical._domain("localhost") is None  # refused: the API's error is given


def _fast_cases(rng):
    """(default region, number): random digits after every country code; every region's
    example numbers written internationally, nationally (with and without spaces, with
    the country code but no "+", with an international prefix), and near them."""
    for code in sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE):
        for _ in range(12):
            digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 14)))
            yield rng.choice(["UA", None, "001"]), f"+{code}{digits}"
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in (phonenumbers.PhoneNumberType.MOBILE,
                     phonenumbers.PhoneNumberType.FIXED_LINE):
            number = phonenumbers.example_number_for_type(region, kind)
            if number is None:
                continue
            e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            national = phonenumbers.format_number(
                number, phonenumbers.PhoneNumberFormat.NATIONAL)
            digits = "".join(ch for ch in national if ch.isdigit())
            yield None, e164
            yield region, digits
            yield region, e164[1:]
            yield region, "00" + e164[1:]
            yield "UA", digits
            for _ in range(2):
                cut = rng.randint(1, len(digits) - 2)
                tail = "".join(rng.choice("0123456789") for _ in range(cut + rng.randint(-1, 1)))
                near = digits[:-cut] + tail
                yield region, near if len(near) < 4 else f"{near[:3]} {near[3:]}"
                yield rng.choice([region, None]), e164[:-cut] + tail


def test_plain_digits_read_as_the_library_reads_them_everywhere():
    """The fast steps for "+digits" and national digits (parse and validity) against
    ``phonenumbers``: the same E.164 form or the same refusal."""
    valid = total = 0
    for region, raw in _fast_cases(random.Random(12)):
        api = _outcome(v.parse_phone, raw, region, "phones[0]")
        try:
            found = ("ok", canonical.parse_phone(raw, region, "phones[0]")[0])
        except RapportError as exc:
            found = ("error", [(e.field, e.message) for e in exc.errors], exc.detail)
        assert found == api, (raw, region)
        valid += api[0] == "ok"
        total += 1
    assert total // 5 < valid < total - total // 5  # both answers are well represented
