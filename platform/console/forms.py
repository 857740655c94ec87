"""Form posts checked against the API's own input structs, so a form refuses exactly what
the API refuses; errors come back keyed by the form field at fault."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, TypeVar

import msgspec

from rapport.errors import FieldError, RapportError, invalid_many

T = TypeVar("T")
_AT = re.compile(r"at `\$\.?([\w.\[\]]*)`")


def parse(data: Mapping[str, Any], into: type[T]) -> T:
    """``data`` (nested by dots in the field names, ``admin.email``) as ``into``, or a 422
    naming the field."""
    nested: dict[str, Any] = {}
    for key, value in data.items():
        *parents, leaf = key.split(".")
        target = nested
        for parent in parents:
            target = target.setdefault(parent, {})
        target[leaf] = value.strip() if isinstance(value, str) and "password" not in leaf else value
    try:
        return msgspec.convert(nested, into, strict=False)
    except msgspec.ValidationError as exc:
        message = str(exc)
        found = _AT.search(message)
        field = found.group(1) if found else "form"
        raise invalid_many([FieldError(field, message.split(" - at ")[0])]) from exc


def field_errors(exc: RapportError) -> dict[str, str]:
    """``{field: message}`` of a refusal; a refusal naming no field goes under ``form``."""
    errors = {e.field: e.message for e in exc.errors}
    return errors or {"form": exc.detail}
