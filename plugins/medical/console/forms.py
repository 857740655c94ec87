"""Form posts of the medical screens, checked against the API's own input structs (so a
form refuses what the API refuses) and answered the way the console answers forms."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from typing import Any, TypeVar

import msgspec
from litestar import Request, Response

from rapport.sdk import FieldError, RapportError, invalid_many

T = TypeVar("T")
_AT = re.compile(r"at `\$\.?([\w.\[\]]*)`|missing required field `(\w+)`")


async def posted(request: Request) -> dict[str, Any]:
    """The form, with repeated fields (section checkboxes) as lists."""
    form = await request.form()
    out: dict[str, Any] = {}
    for key in form:
        if key == "_csrf":
            continue
        values = form.getall(key)
        out[key] = values if key == "sections" else str(values[-1]).strip()
    return out


def end_of_day(value: str) -> str | None:
    """A date field (``2030-01-31``) as the aware end of that day the API expects."""
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
    return {e.field: e.message for e in exc.errors} or {"form": exc.detail}


def go(request: Request, target: str) -> Response[str]:
    """Post/redirect/get; htmx follows it as a full page load."""
    if request.headers.get("hx-request") == "true":
        return Response("", status_code=200, headers={"HX-Redirect": target})
    return Response("", status_code=303, headers={"Location": target})
