"""Contact-list filter fields a plugin (or a kernel area) contributes, as data.

A :class:`ContactFilter` adds a field to the contact list's own grammar
(``GET /api/v1/contacts?filter=analytics.abc:eq:A``), which segments' ``filter`` nodes,
saved views and exports read too. It declares its name, its labels, the type of its
values, the operators it takes and where its values live: ``rows``, one ``SELECT`` of two
columns — ``contact_id`` and ``value`` — for the tenant. The kernel parses the filter,
checks the value against the type and turns it into one condition over the list's
``contacts.id`` (``contact_id IN (SELECT contact_id FROM rows WHERE value <op> …)``), so
every contributed field behaves like every other: the same operators mean the same thing,
the same refusals name the same parts.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# A handler ``opt`` key: its ``filter`` parameter is the contact list's grammar, so the API
# document lists the contributed fields there (rapport.web.contract.document).
CONTACT_FILTER_OPT = "contact_filter_grammar"
NAME = re.compile(r"[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*")
# Value types and the operators each can take (a contributor may offer fewer).
CHOICE, INTEGER, DECIMAL, TEXT, REFERENCE = "choice", "integer", "decimal", "text", "reference"
_SAME = ("eq", "ne", "in", "is_empty")
OPERATORS: dict[str, tuple[str, ...]] = {
    CHOICE: _SAME,
    TEXT: _SAME,
    REFERENCE: _SAME,
    INTEGER: ("eq", "ne", "lt", "lte", "gt", "gte", "in", "is_empty"),
    DECIMAL: ("eq", "ne", "lt", "lte", "gt", "gte", "in", "is_empty"),
}


@dataclass(frozen=True)
class ContactFilter:
    """One field of the contact list's ``filter=field:op:value`` grammar.

    :param name: ``<plugin>.<name>`` (``retail.tier``); a kernel area uses its own name
        before the dot (``analytics.abc``).
    :param labels: the field's name by language (``{"en": …, "uk": …, "ru": …}``) for the
        console's filter picker; ``en`` is required and used for any language not given.
    :param value_type: ``choice`` (one of ``choices``), ``integer``, ``decimal``, ``text``
        or ``reference`` (a UUID) — what the ``value`` column holds and what the filter's
        value must read as.
    :param rows: ``tenant_id -> Select`` of ``contact_id`` and ``value`` for the tenant, e.g.
        ``select(Row.contact_id, Row.abc.label("value")).where(Row.tenant_id == tenant_id)``.
        Name the tenant in it (RLS is the second lock, not the first) and keep it an indexed
        read. A contact may have several rows (several values: ``eq`` is "has this one").
    :param ops: the operators offered, a subset of those of the type (default: all of them).
        ``ne`` is "has no such value" (a contact without any value is included, as for
        every list field), ``is_empty:true`` "has no value at all".
    :param choices: the values a ``choice`` field takes, in the order the console offers them.
    :param description: one sentence for the API document and the console.
    """

    name: str
    labels: dict[str, str]
    value_type: str
    rows: Callable[[uuid.UUID], Any]
    ops: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    description: str = field(default="")

    @property
    def operators(self) -> tuple[str, ...]:
        return self.ops or OPERATORS.get(self.value_type, ())

    def label(self, language: str) -> str:
        return self.labels.get(language) or self.labels["en"]

    def check(self, owner: str) -> None:
        """Raise ``ValueError`` unless the declaration is well formed and ``owner``'s."""
        if not NAME.fullmatch(self.name):
            raise ValueError(f"contact filter {self.name!r}: <owner>.<name>, lowercase")
        if self.name.split(".")[0] != owner:
            raise ValueError(f"contact filter {self.name!r} must start with {owner}.")
        if "en" not in self.labels:
            raise ValueError(f"contact filter {self.name!r} needs an 'en' label")
        if self.value_type not in OPERATORS:
            raise ValueError(f"contact filter {self.name!r}: value_type must be one of "
                             + ", ".join(OPERATORS))
        wrong = [op for op in self.ops if op not in OPERATORS[self.value_type]]
        if wrong:
            raise ValueError(f"contact filter {self.name!r}: {', '.join(wrong)} do not apply "
                             f"to {self.value_type} (use {', '.join(OPERATORS[self.value_type])})")
        if (self.value_type == CHOICE) != bool(self.choices):
            raise ValueError(f"contact filter {self.name!r}: choices go with value_type "
                             "choice, and it needs them")
