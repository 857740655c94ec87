"""Each contact's preferred time to be written to: an IANA time zone (else the tenant's,
else UTC) and a local window (``09:00``-``18:00``) on some ISO weekdays (1 = Monday). A
campaign sent "in each contact's window" queues each message with ``due_at``, the first
moment of the window at or after the campaign's ``send_at``."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from rapport.errors import invalid

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# "09:00-18:00", "09:00-18:00 mon-fri", "22:00-06:00 fri,sat": a window written as text.
WINDOW_TEXT = re.compile(r"^\s*(\d{1,2}:\d{2})\s*[-\u2013]\s*(\d{1,2}:\d{2})\s*(.*?)\s*$")


def window_parts(text: str, field: str) -> dict[str, object]:
    """A window written as text (the import's cell, the console's box) as the API's
    ``{start, end, days}``."""
    found = WINDOW_TEXT.match(text)
    if found is None:
        raise invalid(field, "must be a window such as 09:00-18:00 or 09:00-18:00 mon-fri")
    start, end, days = found.groups()
    named = [DAY_NAMES[d - 1] for d in parse_days(days, field)] if days else None
    return {"start": start.zfill(5), "end": end.zfill(5), "days": named}


def zone(name: str | None, fallback: str | None = None) -> ZoneInfo:
    """The zone of ``name``, else of ``fallback``, else UTC (a stored name that no longer
    exists falls back the same way)."""
    for candidate in (name, fallback):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def check_zone(name: str | None, field: str = "time_zone") -> str | None:
    """An IANA zone name this system knows (``Europe/Kyiv``), or 422 naming ``field``."""
    if name is None or not name.strip():
        return None
    name = name.strip()
    if name not in available_timezones():
        raise invalid(field, f"{name!r} is not an IANA time zone name (e.g. Europe/Kyiv)")
    return name


def parse_time(raw: str, field: str) -> time:
    try:
        found = time.fromisoformat(raw.strip())
    except ValueError:
        raise invalid(field, "must be a time of day such as 09:00") from None
    return found.replace(second=0, microsecond=0, tzinfo=None)


def parse_days(raw: list[str] | str, field: str) -> list[int]:
    """``["mon", "fri"]`` or ``"mon-fri"`` / ``"mon,wed,sat"`` → ISO weekdays."""
    given = raw if isinstance(raw, list) else [raw]
    items = [p for item in given for p in str(item).replace(" ", "").split(",") if p]
    days: set[int] = set()
    for item in items:
        low = item.strip().lower()
        if "-" in low:
            first, _, last = low.partition("-")
            if first[:3] not in DAY_NAMES or last[:3] not in DAY_NAMES:
                raise invalid(field, f"{item!r} is not a range of days such as mon-fri")
            a, b = DAY_NAMES.index(first[:3]), DAY_NAMES.index(last[:3])
            span = range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)]
            days.update(i + 1 for i in span)
        elif len(low) >= 3 and low[:3] in DAY_NAMES:
            days.add(DAY_NAMES.index(low[:3]) + 1)
        else:
            raise invalid(field, f"{item!r} is not a day: use mon, tue, wed, thu, fri, sat, sun")
    if not days:
        raise invalid(field, "name at least one day")
    return sorted(days)


def first_moment(at: datetime, where: ZoneInfo, start: time | None, end: time | None,
                 days: list[int] | None) -> datetime:
    """The first moment at or after ``at`` inside the window (UTC). A window whose end is
    not after its start runs over midnight (22:00-06:00); no window at all is ``at``."""
    if start is None and end is None and not days:
        return at.astimezone(UTC)
    begin, finish = start or time(0, 0), end or time(0, 0)
    local = at.astimezone(where)
    for offset in range(-1, 9):
        day = local.date() + timedelta(days=offset)
        if days and day.isoweekday() not in days:
            continue
        opens = datetime.combine(day, begin, where)
        closes_on = day if finish > begin else day + timedelta(days=1)
        closes = datetime.combine(closes_on, finish, where)
        if local < closes:
            return max(local, opens).astimezone(UTC)
    return at.astimezone(UTC)


def describe(start: time | None, end: time | None, days: list[int] | None) -> str:
    """``09:00-18:00 mon,tue,wed`` (as the import takes it)."""
    hours = f"{(start or time(0)).strftime('%H:%M')}-{(end or time(0)).strftime('%H:%M')}"
    return hours + (" " + ",".join(DAY_NAMES[d - 1] for d in days) if days else "")
