"""Money at the edge and in the database: exact decimals with an ISO 4217 currency.

Amounts are stored as NUMERIC(18, 4) — never floats — and travel in JSON as strings with
the currency's minor units ("12.50", "1000" for JPY, "1.250" for BHD). Clients send either
form (``DecimalIn``, documented as ``oneOf``): a plain decimal string, exactly what the
server writes (``DECIMAL_PATTERN``: no exponent, sign, spaces or separators — those are
refused), or a JSON number, read as the IEEE double nearly every JSON library makes of it
and taken at its shortest text ("12.5"), exact up to 15 significant digits; a number
needing more is refused (send it as a string).
"""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Annotated, Any, Protocol

import msgspec

from rapport.core.fields.currencies import MINOR_UNITS
from rapport.errors import invalid
from rapport.fieldtypes import documented

# NUMERIC(18, 4): 14 digits before the point, 4 after.
SCALE = 4
LIMIT = Decimal(10) ** (18 - SCALE)
MAX_LINES = 500
# NUMERIC(18, 4) and never negative: what every decimal field of a deal, a transaction
# and their lines accepts as text (a quantity must also be above 0, an amount have no
# more decimals than its currency: the service says so with a 422 naming the field).
DECIMAL_PATTERN = r"^[0-9]{1,14}(\.[0-9]{1,4})?$"  # ASCII: Python reads \d as any digit
FLOAT_DIGITS = 15  # significant digits an IEEE double keeps exactly
_TEXT = Annotated[str, msgspec.Meta(pattern=DECIMAL_PATTERN)]
_STRING = {"type": "string", "pattern": DECIMAL_PATTERN, "examples": ["12.50"]}
_NUMBER = {"type": "number", "minimum": 0, "exclusiveMaximum": 10**14,
           "description": f"exact up to {FLOAT_DIGITS} significant digits"}
_SAYS = ("A decimal: a string of at most 14 digits and 4 decimals, no exponent or sign "
         "(what the server answers, e.g. \"12.50\"), or a JSON number")

if TYPE_CHECKING:
    DecimalIn = Decimal
    OptionalDecimalIn = Decimal | None
else:
    DecimalIn = Annotated[_TEXT | int | float, documented(_SAYS, one_of=[_STRING, _NUMBER])]
    OptionalDecimalIn = Annotated[
        _TEXT | int | float | None,
        documented(_SAYS, one_of=[_STRING, _NUMBER, {"type": "null"}]),
    ]


def exact(value: Any) -> Any:
    """A ``DecimalIn`` as the ``Decimal`` it means; anything else (None, UNSET) as is."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return value
    if isinstance(value, float):
        number = Decimal(repr(value))
        if len(number.normalize().as_tuple().digits) > FLOAT_DIGITS:
            raise ValueError(
                f"a JSON number is exact up to {FLOAT_DIGITS} significant digits; "
                "send this one as a string"
            )
        return number
    return Decimal(value)


def exact_fields(struct: Any, *names: str) -> None:
    """In a struct's ``__post_init__``: each named ``DecimalIn`` field as a ``Decimal``."""
    for name in names:
        setattr(struct, name, exact(getattr(struct, name)))


def currency_code(field: str, value: str) -> str:
    """An active ISO 4217 code, upper-cased; 422 naming ``field`` otherwise."""
    code = value.strip().upper()
    if code not in MINOR_UNITS:
        raise invalid(field, "must be an ISO 4217 currency code such as EUR or USD")
    return code


def _decimal_places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _bounded(field: str, value: Decimal, places: int, *, positive: bool = False) -> Decimal:
    if not value.is_finite():
        raise invalid(field, "must be a finite number")
    if value < 0 or (positive and value == 0):
        raise invalid(field, "must be greater than 0" if positive else "must not be negative")
    if value >= LIMIT:
        raise invalid(field, f"must be less than {LIMIT:f}")
    if _decimal_places(value) > places:
        raise invalid(field, f"must have at most {places} decimal places")
    return value


def amount(field: str, value: Decimal, currency: str) -> Decimal:
    """A non-negative amount with no more decimals than ``currency`` has minor units."""
    return _bounded(field, value, MINOR_UNITS[currency])


def quantity(field: str, value: Decimal) -> Decimal:
    return _bounded(field, value, SCALE, positive=True)


def unit_price(field: str, value: Decimal) -> Decimal:
    # Unit prices may be finer than the currency (fuel at 1.2349 a litre); totals are not.
    return _bounded(field, value, SCALE)


def round_to_currency(value: Decimal, currency: str) -> Decimal:
    # Commercial rounding (half up), as on a till receipt.
    return value.quantize(Decimal(1).scaleb(-MINOR_UNITS[currency]), rounding=ROUND_HALF_UP)


def as_text(value: Decimal, currency: str | None) -> str:
    """``value`` as JSON carries it: exactly the currency's minor units."""
    if currency is None or currency not in MINOR_UNITS:
        return plain(value)
    return f"{round_to_currency(value, currency):f}"


def plain(value: Decimal) -> str:
    """A quantity or unit price without trailing zeros ("2", "0.125"), never exponent form."""
    normal = value.normalize()
    return f"{normal:f}" if normal != 0 else "0"


def price_text(value: Decimal, currency: str) -> str:
    """A unit price: at least the currency's minor units, more when it has them."""
    places = max(MINOR_UNITS.get(currency, 2), _decimal_places(value))
    return f"{value.quantize(Decimal(1).scaleb(-places)):f}"


def line_amount(quantity: Decimal, unit_price: Decimal, currency: str) -> Decimal:
    with decimal.localcontext() as ctx:
        ctx.prec = 60  # both factors have up to 18 digits; keep the product exact
        return round_to_currency(quantity * unit_price, currency)


@dataclass(frozen=True)
class Line:
    """One priced line: what, how many, at what unit price; ``amount`` is their product."""

    product: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    category: str | None = None


def price_lines(
    field: str, lines: Sequence[tuple[str, Decimal, Decimal]], currency: str
) -> list[Line]:
    """Validate ``(product, quantity, unit_price)`` triples and price each line.

    Each line total is rounded to the currency; the document total is the sum of the
    rounded lines, so it always equals what the lines show.
    """
    if len(lines) > MAX_LINES:
        raise invalid(field, f"at most {MAX_LINES} lines")
    priced: list[Line] = []
    for i, (product, qty, price) in enumerate(lines):
        where = f"{field}[{i}]"
        name = product.strip()
        if not name:
            raise invalid(f"{where}.product", "must not be blank")
        qty = quantity(f"{where}.quantity", qty)
        price = unit_price(f"{where}.unit_price", price)
        total = line_amount(qty, price, currency)
        if total >= LIMIT:
            raise invalid(f"{where}.quantity", "the line total is too large")
        priced.append(Line(name, qty, price, total))
    return priced


class Priced(Protocol):
    """Anything with a line amount: a priced :class:`Line` or a stored deal line."""

    @property
    def amount(self) -> Decimal: ...


def total(field: str, lines: Sequence[Priced]) -> Decimal:
    result = sum((line.amount for line in lines), Decimal(0))
    if result >= LIMIT:
        raise invalid(field, "the sum of the lines is too large")
    return result
