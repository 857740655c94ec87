"""Form posts of the dealership screens, checked against the API's own input structs (a form
refuses what the API refuses); an action runs in a savepoint, so one that fails halfway
leaves nothing behind when the page is shown again with its error."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, date, datetime, time
from typing import Any, TypeVar

import msgspec
from litestar import Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import FieldError, RapportError, invalid_many

T = TypeVar("T")
_AT = re.compile(r"at `\$\.?([\w.\[\]]*)`|missing required field `(\w+)`")
LISTS = ("alternative_colours", "options")


async def posted(request: Request) -> dict[str, Any]:
    form = await request.form()
    out: dict[str, Any] = {}
    for key in form:
        if key == "_csrf":
            continue
        values = [str(v).strip() for v in form.getall(key)]
        out[key] = [v for v in values if v] if key in LISTS else values[-1]
    return out


def end_of_day(value: str) -> str | None:
    """A date field as the aware end of that day (what a promise's due time means)."""
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return value  # the struct names the field
    return datetime.combine(day, time(23, 59, 59), UTC).isoformat()


def parse(data: Mapping[str, Any], into: type[T]) -> T:
    blank = {k: v for k, v in data.items() if v not in ("", None, [])}
    try:
        return msgspec.convert(blank, into, strict=False)
    except msgspec.ValidationError as exc:
        message = str(exc)
        found = _AT.search(message)
        field = ((found.group(1) or found.group(2)) if found else "form").split("[")[0]
        raise invalid_many([FieldError(field, message.split(" - at ")[0])]) from exc


def errors_of(exc: RapportError) -> dict[str, str]:
    return {e.field.split("[")[0]: e.message for e in exc.errors} or {"form": exc.detail}


async def attempt(db: AsyncSession, action: Callable[[], Awaitable[Any]]) -> Any:
    """Run ``action`` in a savepoint: a refusal undoes whatever it wrote before refusing."""
    async with db.begin_nested():
        return await action()


def go(request: Request, target: str) -> Response[str]:
    """Post/redirect/get; htmx follows it as a full page load."""
    if request.headers.get("hx-request") == "true":
        return Response("", status_code=200, headers={"HX-Redirect": target})
    return Response("", status_code=303, headers={"Location": target})


def minor(value: Any) -> int | None:
    """A money field typed in major units ("1 500,50") as minor units, or None if blank."""
    text = str(value or "").replace(" ", "").replace("\u00a0", "").replace(",", ".")
    if not text:
        return None
    try:
        return round(float(text) * 100)
    except ValueError:
        raise invalid_many([FieldError("amount", "must be a number")]) from None
