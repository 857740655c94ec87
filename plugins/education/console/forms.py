"""Form posts of the education screens, checked against the API's own input structs (a form
refuses what the API refuses), with each field's problem in words the catalogs translate
rather than the struct's English ("Invalid RFC3339 encoded date")."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, TypeVar

import msgspec
from litestar import Request, Response

from rapport.sdk import FieldError, RapportError, invalid_many

T = TypeVar("T")
_AT = re.compile(r"at `\$\.?([\w.\[\]]*)`|missing required field `(\w+)`")
# The struct's wording → the form's; the first that matches names the problem.
_RULES = (
    ("missing required field", "This field is required"),
    ("date", "Enter a date"),
    ("UUID", "Choose one of the options"),
    ("enum", "Choose one of the options"),
    ("Expected `int`", "Enter a whole number in the allowed range"),
    ("Expected `float`", "Enter a number in the allowed range"),
    ("length", "Too short or too long"),
    ("regex", "Contains characters that are not allowed"),
)


def friendly(message: str) -> str:
    return next((words for key, words in _RULES if key in message),
                "This value is not valid")


async def posted(request: Request, lists: tuple[str, ...] = ()) -> dict[str, Any]:
    """The form; the ``lists`` fields (checkboxes) as lists."""
    form = await request.form()
    out: dict[str, Any] = {}
    for key in form:
        if key == "_csrf":
            continue
        values = [str(v).strip() for v in form.getall(key)]
        out[key] = [v for v in values if v] if key in lists else values[-1]
    return out


def parse(data: Mapping[str, Any], into: type[T]) -> T:
    blank = {k: v for k, v in data.items() if v not in ("", None, [])}
    try:
        return msgspec.convert(blank, into, strict=False)
    except msgspec.ValidationError as exc:
        message = str(exc)
        found = _AT.search(message)
        field = ((found.group(1) or found.group(2)) if found else "form").split("[")[0]
        raise invalid_many([FieldError(field.split(".")[0], friendly(message))]) from exc


def errors_of(exc: RapportError) -> dict[str, str]:
    return {e.field.split("[")[0]: e.message for e in exc.errors} or {"form": exc.detail}


def go(request: Request, target: str) -> Response[str]:
    """Post/redirect/get; htmx follows it as a full page load."""
    if request.headers.get("hx-request") == "true":
        return Response("", status_code=200, headers={"HX-Redirect": target})
    return Response("", status_code=303, headers={"Location": target})
