"""Segment conditions a plugin (or a kernel area) contributes, as data.

A :class:`SegmentCondition` names a node kind of the segment definition grammar
(``{"retail.tier": {"tier": "Gold"}}``), the type its value must convert to (its JSON schema
is derived from that type and published), and a builder that turns a checked value into one
SQL condition over the outer statement's ``contacts.id`` for the tenant. The segment compiler
places it inside the segment's one statement, like its own ``purchases`` probes.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import msgspec

NAME = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?")


@dataclass(frozen=True)
class ConditionQuery:
    """What a condition's builder gets: the tenant (name it in every subquery — RLS is the
    second lock, not the first), the outer statement's ``contacts.id`` column, and the value
    already converted to the condition's ``value_type``."""

    tenant_id: uuid.UUID
    contact_id: Any
    value: Any


@dataclass(frozen=True)
class SegmentCondition:
    """One node kind of the segment grammar.

    :param name: the node's key; a plugin's names start with its own name and a dot
        (``retail.tier``); kernel areas use plain names (``analytics``).
    :param title: a short human name (the console's builder shows it).
    :param value_type: what the node's value converts to with ``msgspec.convert`` — a
        ``msgspec.Struct`` (``forbid_unknown_fields=True`` recommended), a ``Literal``, a
        constrained ``Annotated`` type …; a value that does not convert is a 422 naming the
        node. Its JSON schema is :attr:`schema`.
    :param build: ``ConditionQuery -> ColumnElement[bool]``: e.g. ``query.contact_id.in_(
        select(Member.contact_id).where(Member.tenant_id == query.tenant_id, …))``. It may
        raise :class:`ValueError` with a message for a value that converts but makes no
        sense (the message is shown on the node's path).
    :param description: one sentence for the builder and the API documentation.
    """

    name: str
    title: str
    value_type: Any
    build: Callable[[ConditionQuery], Any]
    description: str = ""

    @property
    def schema(self) -> dict[str, Any]:
        """The JSON schema of the value (from ``value_type``)."""
        schema: dict[str, Any] = msgspec.json.schema(self.value_type)
        return schema

    def check(self, owner: str) -> None:
        """Raise ``ValueError`` unless the name is well formed and ``owner``'s to use."""
        if not NAME.fullmatch(self.name):
            raise ValueError(f"segment condition {self.name!r}: lowercase letters, digits, "
                             "'_', at most one dot")
        if "." in self.name and self.name.split(".")[0] != owner:
            raise ValueError(f"segment condition {self.name!r} must start with {owner}.")
        if "." not in self.name and self.name != owner:
            raise ValueError(f"segment condition {self.name!r}: a plugin names its conditions "
                             f"{owner}.<name>")
