"""FHIR R4 search values (search.html §3.1.1.4): tokens ``[system]|[code]``, dates with a
prefix and the range their precision implies, references, strings. Pure functions: the
search module applies them to the resources as the client will see them."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

PREFIXES = ("eq", "ne", "gt", "lt", "ge", "le")
_DATE = re.compile(
    r"^(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2})(?:T(?P<t>\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)"
    r"(?P<z>Z|[+-]\d{2}:\d{2})?)?)?)?$"
)
Interval = tuple[datetime, datetime]  # half-open [low, high)
TICK = timedelta(microseconds=1)


class BadValue(ValueError):
    """A search value that does not parse: 400, whatever the handling preference."""


def _month_after(year: int, month: int) -> datetime:
    return datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)


def date_range(text: str) -> Interval:
    """The range a FHIR date/dateTime covers at its precision (no zone = UTC)."""
    m = _DATE.match(text)
    if m is None:
        raise BadValue(f"'{text}' is not a FHIR date (YYYY, YYYY-MM, YYYY-MM-DD or a dateTime)")
    try:
        year = int(m["y"])
        if m["m"] is None:
            return datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)
        month = int(m["m"])
        if m["d"] is None:
            return datetime(year, month, 1, tzinfo=UTC), _month_after(year, month)
        day = datetime(year, month, int(m["d"]), tzinfo=UTC)
        if m["t"] is None:
            return day, day + timedelta(days=1)
        clock = m["t"]
        stamp = datetime.fromisoformat(f"{m['y']}-{m['m']}-{m['d']}T{clock}{m['z'] or '+00:00'}")
    except ValueError as exc:
        raise BadValue(f"'{text}' is not a valid date") from exc
    step = timedelta(minutes=1) if len(clock) == 5 else (
        timedelta(seconds=1) if len(clock) == 8 else TICK)
    low = stamp.astimezone(UTC)
    return low, low + step


def value_range(value: Any) -> Interval | None:
    """The range of a resource's date-like element: a date, an instant, a Period."""
    if value is None:
        return None
    if isinstance(value, dict):  # Period: an open end reaches to the end of time
        start = value_range(value.get("start"))
        end = value_range(value.get("end"))
        return ((start[0] if start else datetime.min.replace(tzinfo=UTC)),
                (end[1] if end else datetime.max.replace(tzinfo=UTC)))
    if isinstance(value, datetime):
        point = value.astimezone(UTC)
        return point, point + TICK
    if isinstance(value, date):
        day = datetime(value.year, value.month, value.day, tzinfo=UTC)
        return day, day + timedelta(days=1)
    text = str(value)
    if "T" in text and len(text) > 19:  # an instant as the server writes it: a point
        point = datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)
        return point, point + TICK
    return date_range(text)


@dataclass(frozen=True)
class DateTest:
    prefix: str
    low: datetime
    high: datetime

    @classmethod
    def parse(cls, text: str) -> DateTest:
        prefix = text[:2] if text[:2] in PREFIXES else "eq"
        low, high = date_range(text[2:] if text[:2] in PREFIXES else text)
        return cls(prefix, low, high)

    def matches(self, target: Interval) -> bool:
        """§3.1.1.4.5: eq — the search range contains the target's; gt/lt — the range
        above/below the search value overlaps the target's; ge/le — either."""
        low, high = target
        eq = self.low <= low and high <= self.high
        gt, lt = high > self.high, low < self.low
        return {"eq": eq, "ne": not eq, "gt": gt, "lt": lt, "ge": gt or eq,
                "le": lt or eq}[self.prefix]


@dataclass(frozen=True)
class TokenTest:
    system: str | None  # None: any system; "": no system
    code: str | None  # None: any code in the system

    @classmethod
    def parse(cls, text: str) -> TokenTest:
        if not text:
            raise BadValue("an empty token")
        if "|" not in text:
            return cls(None, text)
        system, _, code = text.partition("|")
        if not code and not system:
            raise BadValue("a token needs a system or a code")
        return cls(system, code or None)

    def matches(self, pairs: Iterable[tuple[str | None, str | None]]) -> bool:
        for system, code in pairs:
            if self.system is not None and (system or "") != self.system:
                continue
            if self.code is None or code == self.code:
                return True
        return False


def reference_id(text: str, kind: str) -> str:
    """``Patient/X``, an absolute URL ending so, or a bare id: the id."""
    if "/" in text:
        parts = text.rstrip("/").split("/")
        if len(parts) < 2 or parts[-2] != kind:
            raise BadValue(f"'{text}' is not a reference to a {kind}")
        text = parts[-1]
    if not re.fullmatch(r"[A-Za-z0-9\-.]{1,64}", text):
        raise BadValue(f"'{text}' is not a resource id")
    return text


def split_values(text: str) -> list[str]:
    """A parameter's alternatives (OR), split at unescaped commas."""
    parts = re.split(r"(?<!\\),", text)
    return [p.replace("\\,", ",").replace("\\|", "|").replace("\\$", "$") for p in parts]


def fold(text: str) -> str:
    """Strings match case- and accent-insensitively (§3.1.1.4.13)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
