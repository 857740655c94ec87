"""A module's settings form, generated from its settings schema (a ``msgspec.Struct``): one
input per field — a number with its bounds, a checkbox, a text box, a choice — and the
posted form turned back into the JSON the API's ``PUT /modules/{name}/settings`` takes, so
the module service validates both the same way."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import msgspec.inspect as mi

from rapport.errors import FieldError, invalid_many


@dataclass(frozen=True)
class SettingField:
    name: str
    label: str  # a message id: the field's name in words ("Break glass minutes")
    kind: str  # number, checkbox, text, select
    value: Any
    low: float | None = None
    high: float | None = None
    step: str = "1"
    choices: tuple[str, ...] = ()
    optional: bool = False
    # A choice's words (message ids in the module's catalogs), as the module declares them
    # with ``Meta(extra={"labels": {value: words}})``; a choice without shows its value.
    choice_labels: Mapping[str, str] = field(default_factory=dict)


def _bounds(t: Any) -> tuple[float | None, float | None]:
    low = t.ge if t.ge is not None else (t.gt if t.gt is not None else None)
    high = t.le if t.le is not None else (t.lt if t.lt is not None else None)
    return low, high


def _one(name: str, t: Any, value: Any) -> SettingField | None:
    optional = False
    if isinstance(t, mi.UnionType):
        rest = [x for x in t.types if not isinstance(x, mi.NoneType)]
        if len(rest) != 1:
            return None
        t, optional = rest[0], True
    labels: dict[str, str] = {}
    if isinstance(t, mi.Metadata):  # Annotated[..., Meta(extra={"labels": ...})]
        labels = {str(k): str(v) for k, v in ((t.extra or {}).get("labels") or {}).items()}
        t = t.type
    label = name.replace("_", " ").capitalize()
    if isinstance(t, mi.BoolType):
        return SettingField(name, label, "checkbox", bool(value))
    if isinstance(t, mi.IntType | mi.FloatType):
        low, high = _bounds(t)
        step = "1" if isinstance(t, mi.IntType) else "any"
        return SettingField(name, label, "number", value, low, high, step, optional=optional)
    if isinstance(t, mi.LiteralType):
        return SettingField(name, label, "select", value,
                            choices=tuple(str(v) for v in t.values), optional=optional,
                            choice_labels=labels)
    if isinstance(t, mi.EnumType):
        return SettingField(name, label, "select", value,
                            choices=tuple(str(m.value) for m in t.cls), optional=optional,
                            choice_labels=labels)
    if isinstance(t, mi.StrType):
        return SettingField(name, label, "text", value or "", optional=optional)
    return None  # lists, nested objects: the API's JSON, not a form


def fields(schema: type | None, values: Mapping[str, Any]) -> list[SettingField]:
    """The form of ``schema`` filled with ``values`` (the tenant's effective settings)."""
    if schema is None:
        return []
    info = mi.type_info(schema)
    if not isinstance(info, mi.StructType):
        return []
    found = (_one(f.name, f.type, values.get(f.name)) for f in info.fields)
    return [f for f in found if f is not None]


def read(schema: type | None, form: Mapping[str, Any], current: Mapping[str, Any]
         ) -> dict[str, Any]:
    """The posted form as the settings document: numbers as numbers, an unticked checkbox
    as false; fields the form cannot show keep their current values. A number that is not
    one is refused here, naming the field; every other rule is the module service's."""
    data = dict(current)
    problems = []
    for f in fields(schema, current):
        raw = form.get(f.name)
        if f.kind == "checkbox":
            data[f.name] = raw is not None
            continue
        text = str(raw or "").strip()
        if not text and f.optional:
            data[f.name] = None
        elif f.kind == "number":
            try:
                data[f.name] = int(text) if f.step == "1" else float(text)
            except ValueError:
                problems.append(FieldError(f"settings.{f.name}", "must be a number"))
        else:
            data[f.name] = text
    if problems:
        raise invalid_many(problems)
    return data


__all__ = ["SettingField", "fields", "read"]
