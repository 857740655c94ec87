"""Validation and normal form of one value per field type.

Each checker returns the value as stored in the record's ``fields`` JSON, or ``None`` when
the value is empty (the key is then removed), and raises ``ValueRuleError`` with the rule
the value broke. The stored forms are what the SQL expressions in ``expressions.py`` and
the index functions of migration 0002 read back.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from rapport.core.fields.currencies import MINOR_UNITS
from rapport.core.fields.definitions import FieldDefinition, FieldType

MAX_TEXT = 1_000
MAX_LONG_TEXT = 20_000
MAX_URL = 2_048
INT_MIN, INT_MAX = -(2**63), 2**63 - 1  # what fits a bigint, so sums stay exact in SQL
MAX_INTEGER_DIGITS = 18
MAX_FRACTION_DIGITS = 10
# The same shapes the SQL safe-cast functions accept (migration 0002).
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATETIME_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}(:?\d{2})?)$"
)


class ValueRuleError(ValueError):
    """The rule a value broke, phrased for the person who sent it."""


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueRuleError("must be a string")
    if "\x00" in value:
        # PostgreSQL text and jsonb cannot hold NUL.
        raise ValueRuleError("must not contain NUL characters")
    return value


def _text(limit: int) -> Callable[[FieldDefinition, Any], str | None]:
    def check(_: FieldDefinition, value: Any) -> str | None:
        value = _string(value).strip()
        if len(value) > limit:
            raise ValueRuleError(f"must be at most {limit} characters")
        return value or None

    return check


def _integer(_: FieldDefinition, value: Any) -> int:
    # bool is an int in Python; true is not a shoe size.
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueRuleError("must be an integer")
    if not INT_MIN <= value <= INT_MAX:
        raise ValueRuleError("must fit in 64 bits")
    return value


def parse_decimal(value: Any) -> Decimal:
    """A finite decimal from a JSON number or a numeric string, within the stored precision."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueRuleError("must be a number or a numeric string")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ValueRuleError("must be a number or a numeric string") from exc
    if not number.is_finite():
        raise ValueRuleError("must be a finite number")
    _, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)  # finite, checked above
    fraction = max(0, -exponent)
    whole = max(0, len(digits) + exponent)
    if whole > MAX_INTEGER_DIGITS or fraction > MAX_FRACTION_DIGITS:
        raise ValueRuleError(
            f"must have at most {MAX_INTEGER_DIGITS} digits before and "
            f"{MAX_FRACTION_DIGITS} after the decimal point"
        )
    return number


def decimal_text(number: Decimal) -> str:
    # Fixed-point, never exponent notation: the SQL safe cast accepts only that shape.
    text = format(number, "f")
    return "0" if text in ("-0", "+0") else text


def _decimal(_: FieldDefinition, value: Any) -> str:
    # Stored as a string: a JSON number would come back to Python as a float.
    return decimal_text(parse_decimal(value))


def _money(_: FieldDefinition, value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or set(value) != {"amount", "currency"}:
        raise ValueRuleError('must be {"amount": "12.50", "currency": "EUR"}')
    currency = value["currency"]
    if not isinstance(currency, str) or currency.upper() not in MINOR_UNITS:
        raise ValueRuleError("currency must be an ISO 4217 code such as EUR or USD")
    currency = currency.upper()
    amount = parse_decimal(value["amount"])
    minor = MINOR_UNITS[currency]
    exponent = amount.as_tuple().exponent
    assert isinstance(exponent, int)
    if -exponent > minor and amount != amount.quantize(Decimal(1).scaleb(-minor)):
        raise ValueRuleError(f"amount has more than {minor} decimal places for {currency}")
    return {"amount": decimal_text(amount.quantize(Decimal(1).scaleb(-minor))),
            "currency": currency}


def _boolean(_: FieldDefinition, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueRuleError("must be true or false")
    return value


def parse_date(value: Any) -> date:
    if not isinstance(value, str) or not DATE_RE.match(value):
        raise ValueRuleError("must be a date as YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValueRuleError("must be a real calendar date") from exc


def _date(_: FieldDefinition, value: Any) -> str:
    return parse_date(value).isoformat()


def parse_datetime(value: Any) -> datetime:
    if not isinstance(value, str) or not DATETIME_RE.match(value):
        raise ValueRuleError(
            "must be an ISO 8601 date-time with a UTC offset, e.g. 2024-05-01T09:30:00+02:00"
        )
    try:
        return datetime.fromisoformat(value).astimezone(UTC)
    except ValueError as exc:
        raise ValueRuleError("must be a real date and time") from exc


def _datetime(_: FieldDefinition, value: Any) -> str:
    return parse_datetime(value).isoformat().replace("+00:00", "Z")


def _enum(d: FieldDefinition, value: Any) -> str:
    if not isinstance(value, str) or value not in d.options:
        raise ValueRuleError("must be one of: " + ", ".join(d.options))
    return value


def _multi_enum(d: FieldDefinition, value: Any) -> list[str] | None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueRuleError("must be a list of strings")
    unknown = [v for v in value if v not in d.options]
    if unknown:
        raise ValueRuleError(
            f"{', '.join(unknown)} not among the options: " + ", ".join(d.options)
        )
    chosen = set(value)
    # Options order, no repeats: equal selections compare equal in SQL.
    return [o for o in d.options if o in chosen] or None


def _email(_: FieldDefinition, value: Any) -> str | None:
    if not _string(value).strip():
        return None
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValueRuleError(f"must be an email address ({exc})") from exc


def _phone(_: FieldDefinition, value: Any) -> str | None:
    if not _string(value).strip():
        return None
    rule = "must be a valid phone number in international form, e.g. +44 20 7946 0958"
    try:
        # No default region: a tenant-wide region would make one string mean two numbers.
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException as exc:
        raise ValueRuleError(rule) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueRuleError(rule)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _url(_: FieldDefinition, value: Any) -> str | None:
    value = _string(value).strip()
    if not value:
        return None
    if len(value) > MAX_URL:
        raise ValueRuleError(f"must be at most {MAX_URL} characters")
    try:
        parts = urlsplit(value)
    except ValueError as exc:
        raise ValueRuleError("must be an http or https URL") from exc
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or " " in value:
        raise ValueRuleError("must be an http or https URL")
    return value


def reference_targets(d: FieldDefinition) -> tuple[str, ...]:
    """Entities a reference may point to: its options, or only its own entity by default."""
    return d.options or (d.entity,)


def _reference(d: FieldDefinition, value: Any) -> dict[str, str]:
    targets = reference_targets(d)
    if not isinstance(value, dict) or set(value) != {"type", "id"}:
        raise ValueRuleError(f'must be {{"type": "{targets[0]}", "id": "<uuid>"}}')
    if value["type"] not in targets:
        raise ValueRuleError("type must be one of: " + ", ".join(targets))
    try:
        record_id = uuid.UUID(str(value["id"]))
    except ValueError as exc:
        raise ValueRuleError("id must be a UUID") from exc
    return {"type": value["type"], "id": str(record_id)}


CHECKERS: dict[FieldType, Callable[[FieldDefinition, Any], Any]] = {
    FieldType.TEXT: _text(MAX_TEXT),
    FieldType.LONG_TEXT: _text(MAX_LONG_TEXT),
    FieldType.INTEGER: _integer,
    FieldType.DECIMAL: _decimal,
    FieldType.MONEY: _money,
    FieldType.BOOLEAN: _boolean,
    FieldType.DATE: _date,
    FieldType.DATETIME: _datetime,
    FieldType.ENUM: _enum,
    FieldType.MULTI_ENUM: _multi_enum,
    FieldType.EMAIL: _email,
    FieldType.PHONE: _phone,
    FieldType.URL: _url,
    FieldType.REFERENCE: _reference,
}


def normalise(d: FieldDefinition, value: Any) -> Any:
    """The stored form of ``value`` for field ``d``; ``None`` clears the field."""
    if value is None:
        return None
    return CHECKERS[d.type](d, value)
