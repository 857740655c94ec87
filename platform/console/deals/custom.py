"""Custom deal fields on the deal's page and in its forms.

A form shows one input per editable field (``fields.<full key>``: a text box, a number, a
date, a choice; yes/no as a choice so "not said" stays possible); the posted text is
turned into the value the API's ``fields`` takes, and the field kernel's own checks decide
(a refusal names ``fields.<full key>``, shown beside its input). Money, multi-choice,
reference and date-time fields are shown on the page and edited through the API.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from typing import Any

from rapport.core.fields.definitions import FieldDefinition, FieldType

PREFIX = "fields."
EDITABLE = frozenset({
    FieldType.TEXT, FieldType.LONG_TEXT, FieldType.INTEGER, FieldType.DECIMAL,
    FieldType.DATE, FieldType.ENUM, FieldType.EMAIL, FieldType.PHONE, FieldType.URL,
    FieldType.BOOLEAN,
})
INPUT_TYPES = {FieldType.INTEGER: "number", FieldType.DATE: "date", FieldType.EMAIL: "email",
               FieldType.URL: "url", FieldType.PHONE: "tel"}
YES, NO = "true", "false"


def editable(definitions: Sequence[FieldDefinition]) -> list[FieldDefinition]:
    return [d for d in definitions
            if d.type in EDITABLE and not d.read_only and d.computed is None]


def inputs(
    definitions: Sequence[FieldDefinition], values: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """What the form template draws per field: its name, label, kind, current text."""
    out = []
    for d in editable(definitions):
        value = values.get(d.full_key)
        if d.type == FieldType.BOOLEAN:
            text = "" if value is None else (YES if value in (True, YES) else NO)
        else:
            text = "" if value is None else str(value)
        kind = ("choice" if d.type in (FieldType.ENUM, FieldType.BOOLEAN)
                else "long" if d.type == FieldType.LONG_TEXT else "text")
        options = ([(o, o) for o in d.options] if d.type == FieldType.ENUM
                   else [(YES, "Yes"), (NO, "No")] if d.type == FieldType.BOOLEAN else [])
        out.append({"name": PREFIX + d.full_key, "label": d.label, "kind": kind,
                    "type": INPUT_TYPES.get(d.type, "text"), "value": text,
                    "options": options, "required": d.required,
                    "translate_options": d.type == FieldType.BOOLEAN})
    return out


def _typed(d: FieldDefinition, raw: str) -> Any:
    if d.type == FieldType.INTEGER:
        with contextlib.suppress(ValueError):  # else the field's own rule answers
            return int(raw)
    if d.type == FieldType.BOOLEAN and raw in (YES, NO):
        return raw == YES
    return raw


def posted(
    form: Mapping[str, Any], definitions: Sequence[FieldDefinition], *, editing: bool
) -> dict[str, Any]:
    """The ``fields`` body a form posted: on a new deal only what was filled in; on an edit
    every field of the form (emptied: ``None``, which clears it)."""
    out: dict[str, Any] = {}
    for d in editable(definitions):
        name = PREFIX + d.full_key
        if name not in form:
            continue
        raw = str(form[name]).strip()
        if raw:
            out[d.full_key] = _typed(d, raw)
        elif editing:
            out[d.full_key] = None
    return out


def form_values(form: Mapping[str, Any]) -> dict[str, str]:
    """The posted texts of the custom inputs, to show a refused form again as typed."""
    return {k.removeprefix(PREFIX): str(v) for k, v in form.items() if k.startswith(PREFIX)}


def shown(definitions: Sequence[FieldDefinition], values: Mapping[str, Any]) -> list[
        tuple[str, Any]]:
    """(label, value) of every field the deal has a value of, for its page."""
    out = []
    for d in definitions:
        value = values.get(d.full_key)
        if value in (None, "", []):
            continue
        if isinstance(value, list):
            value = ", ".join(map(str, value))
        elif isinstance(value, dict) and "amount" in value:
            value = f"{value['amount']} {value.get('currency', '')}".strip()
        elif isinstance(value, dict):
            value = value.get("id", "")
        out.append((d.label, value))
    return out
