"""Date-time query parameters hold to the document: a number is not a date-time.

Litestar converts query values in msgspec's lax mode, where ``until=1700000000`` (or
``-2.2e-311``) becomes a Unix time; the OpenAPI document promises an RFC 3339 date-time,
and a client sending a number has almost surely made a mistake worth naming. Before a
handler runs, each query parameter it declares as a date-time is checked once for a bare
number and refused with the 422 every other invalid parameter gets. The names are worked
out once per handler, so a request pays a dictionary lookup.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, get_args

from litestar import Request
from litestar.exceptions import ValidationException

_NUMBER = re.compile(
    r"\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*|\s*[+-]?(?:inf(?:inity)?|nan)\s*",
    re.IGNORECASE,
)
# Route handler -> the query names of its date-time parameters.
_MOMENTS: dict[object, tuple[str, ...]] = {}


def _is_moment(annotation: Any) -> bool:
    return annotation is datetime or datetime in get_args(annotation)


def moment_parameters(handler: Any) -> tuple[str, ...]:
    """The query names under which ``handler`` reads a date-time."""
    if handler in _MOMENTS:
        return _MOMENTS[handler]
    names = []
    for name, field in handler.parsed_fn_signature.parameters.items():
        if name != "data" and _is_moment(field.annotation):
            names.append(getattr(field.kwarg_definition, "query", None) or name)
    _MOMENTS[handler] = found = tuple(names)
    return found


async def refuse_numbers_as_moments(request: Request[Any, Any, Any]) -> None:
    """App-level ``before_request``: a bare number in a date-time query parameter is a 422."""
    for key in moment_parameters(request.route_handler):
        for value in request.query_params.getall(key, ()):
            if _NUMBER.fullmatch(value):
                raise ValidationException("Validation failed", extra=[{
                    "message": "must be an RFC 3339 date-time such as 2026-01-31T09:00:00Z, "
                               "not a number", "key": key, "source": "query"}])
