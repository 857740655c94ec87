"""What a recompute computes and how: the period, the currency, and each class's settings.

Every setting has a default; a tenant's own settings are the parameters of its last
completed recompute, so a setting sent once stays until it is sent again. Problems are
422s naming the parameter (``abc_b: must be greater than abc_a (0.8)``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from rapport.core.analytics.models import STEPS
from rapport.errors import invalid

UNITS = ("week", "month", "quarter")
_UNIT_DAYS = {"week": 7, "month": 31, "quarter": 92}
# The ranges accepted for each number: (low, high).
_RANGES: dict[str, tuple[float, float]] = {
    "period_days": (7, 3650),
    "rfm_bins": (2, 10),
    "abc_a": (0.01, 0.99),
    "abc_b": (0.02, 1.0),
    "xyz_x": (0.0, 100.0),
    "xyz_y": (0.0, 100.0),
    "clv_horizon_months": (1, 120),
    "clv_holdout_days": (7, 730),
    "clv_min_repeaters": (5, 1_000_000),
}
_WHOLE = ("period_days", "rfm_bins", "clv_horizon_months", "clv_holdout_days",
          "clv_min_repeaters")


@dataclass(frozen=True)
class Parameters:
    """A recompute's settings (see docs/analytics.md for each)."""

    # Transactions in one currency (amounts in different currencies are never added);
    # None: the currency of most of the tenant's transactions in the period.
    currency: str | None = None
    # The period ends at ``until`` (default: the end of today, UTC) and lasts period_days.
    until: str | None = None
    period_days: int = 365
    classes: tuple[str, ...] = STEPS
    rfm_bins: int = 5
    # ABC: A = the best customers making abc_a of the revenue, B up to abc_b, C the rest.
    abc_a: float = 0.8
    abc_b: float = 0.95
    # XYZ: variation of spending per xyz_period; X up to xyz_x, Y up to xyz_y, Z above.
    xyz_period: str = "month"
    xyz_x: float = 0.5
    xyz_y: float = 1.0
    clv_horizon_months: int = 12
    clv_holdout_days: int = 90
    # Fewer repeat customers than this: the simple average model instead of BG/NBD.
    clv_min_repeaters: int = 20

    def as_json(self) -> dict[str, Any]:
        values = asdict(self)
        values["classes"] = list(self.classes)
        return values

    @property
    def until_at(self) -> datetime:
        assert self.until is not None, "resolved parameters carry until"
        return datetime.fromisoformat(self.until)

    @property
    def since_at(self) -> datetime:
        return self.until_at - timedelta(days=self.period_days)


NAMES = tuple(f.name for f in fields(Parameters))


def _number(name: str, value: Any) -> float | int:
    low, high = _RANGES[name]
    whole = name in _WHOLE
    if isinstance(value, bool) or not isinstance(value, int | float) or (
        whole and not isinstance(value, int)
    ):
        raise invalid(name, "must be a whole number" if whole else "must be a number")
    if not low <= value <= high:
        raise invalid(name, f"must be from {low:g} to {high:g}")
    return value


def _until(value: Any) -> str:
    if not isinstance(value, str):
        raise invalid("until", "must be a date-time with a UTC offset")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise invalid("until", "must be a date-time with a UTC offset") from None
    if moment.tzinfo is None:
        raise invalid("until", "must carry a UTC offset")
    if not 1970 <= moment.year <= 2200:
        raise invalid("until", "must be a date from 1970 to 2200")
    return moment.astimezone(UTC).isoformat()


def _classes(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise invalid("classes", f"must be a non-empty list of: {', '.join(STEPS)}")
    for item in value:
        if item not in STEPS:
            raise invalid("classes", f"unknown class {item!r} (use {', '.join(STEPS)})")
    return tuple(s for s in STEPS if s in value)


def resolve(sent: dict[str, Any], saved: dict[str, Any] | None) -> Parameters:
    """``sent`` over the tenant's saved settings over the defaults, checked; ``until`` and
    ``classes`` are per run (not taken from the saved ones)."""
    for name in sent:
        if name not in NAMES:
            raise invalid(name, f"unknown parameter (use {', '.join(NAMES)})")
    kept = {k: v for k, v in (saved or {}).items()
            if k in NAMES and k not in ("until", "classes")}
    values: dict[str, Any] = {}
    for name, value in {**kept, **sent}.items():
        if name in _RANGES:
            values[name] = _number(name, value)
        elif name == "currency":
            if value is not None and (
                not isinstance(value, str) or len(value) != 3 or not value.isalpha()
            ):
                raise invalid("currency", "must be a three-letter currency code")
            values[name] = value.upper() if value else None
        elif name == "until":
            values[name] = None if value is None else _until(value)
        elif name == "classes":
            values[name] = _classes(value)
        elif name == "xyz_period":
            if value not in UNITS:
                raise invalid("xyz_period", f"must be one of: {', '.join(UNITS)}")
            values[name] = value
    parameters = Parameters(**values)
    if parameters.abc_b <= parameters.abc_a:
        raise invalid("abc_b", f"must be greater than abc_a ({parameters.abc_a:g})")
    if parameters.xyz_y <= parameters.xyz_x:
        raise invalid("xyz_y", f"must be greater than xyz_x ({parameters.xyz_x:g})")
    if parameters.period_days < 2 * _UNIT_DAYS[parameters.xyz_period]:
        raise invalid("period_days", f"must cover at least two {parameters.xyz_period}s "
                      "(XYZ compares spending between them)")
    if parameters.clv_holdout_days >= parameters.period_days:
        raise invalid("clv_holdout_days", "must be shorter than period_days")
    if parameters.until is None:
        tomorrow = datetime.now(UTC).date() + timedelta(days=1)
        parameters = replace(parameters, until=datetime(
            tomorrow.year, tomorrow.month, tomorrow.day, tzinfo=UTC).isoformat())
    return parameters


def of_job(values: dict[str, Any]) -> Parameters:
    """A job's stored parameters (checked when it was created)."""
    return Parameters(**{**values, "classes": tuple(values["classes"])})
