"""A segment's definition, checked and compiled to one SQL condition over ``contacts``.

A definition is a JSON tree of nodes, each an object with exactly one key:

- ``{"all": [node, …]}`` / ``{"any": [node, …]}`` / ``{"not": node}`` — and, or, not;
- ``{"filter": "field:op:value"}`` — the contact list's own filter grammar: core columns,
  ``tags``, ``organization``, ``custom.<field>`` (parsed by the contact list's code:
  ``contacts.listing`` and ``fields.filters``, not a copy);
- ``{"purchases": {…}}`` — transactions: ``within_days``, ``min_count`` (default 1),
  ``max_count``, ``min_sum`` with ``currency``, ``product`` (a line's product),
  ``category`` (a line's category; with ``product``, the same line has both);
- ``{"interactions": {…}}`` — ``kind``, ``channel``, ``within_days``, ``min_count``
  (default 1);
- ``{"consent": {"channel", "topic"}}`` — may be contacted on the channel about the topic
  now, by the kernel's consent rules (``consent.decision.may_contact_condition``, the rules
  of ``may_contact`` that sending paths ask); ``{"consent": {}}``: not do-not-contact;
- ``{"member_of": {"relationship": id} | {"kind": k} | {"organization": id}}`` — a member
  of a relationship (a group, a family …), of any relationship of a kind, or of an
  organization;
- ``{"segment": "<id>"}`` — the contacts of another saved segment of the tenant (a dynamic
  one's definition inlined — a reference back to a segment on the way is a circular
  reference —, a static one's snapshot);
- ``{"<name>": value}`` — a condition a plugin or kernel area contributes through the
  ``rapport_segment_conditions`` hook (``retail.tier``, ``education.outcome``, …): its
  value converted to the declared type, its SQL from the declared builder.

Each behaviour node is a ``contacts.id IN (SELECT contact_id … GROUP BY … HAVING …)``
probe of its table's tenant-led ``(tenant_id, contact_id, …)`` index, with the tenant
named explicitly (RLS stays the second lock). Problems raise 422 naming the node's path,
e.g. ``definition.all[1].purchases.min_sum``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import msgspec
from sqlalchemy import and_, false, func, not_, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from rapport.core.consent.decision import may_contact_condition
from rapport.core.contacts import listing
from rapport.core.contacts.models import Contact
from rapport.core.contacts.relationships.models import KINDS as RELATIONSHIP_KINDS
from rapport.core.contacts.relationships.models import Relationship, RelationshipMember
from rapport.core.fields.definitions import FieldDefinition
from rapport.core.fields.filters import MAX_FILTER_LENGTH, Target, parse_filter
from rapport.core.interactions.models import Interaction, Kind
from rapport.core.segments.models import STATIC, SegmentMember
from rapport.core.transactions.models import Transaction, TransactionLine
from rapport.errors import RapportError, invalid
from rapport.hooks.filters import ContactFilter
from rapport.hooks.segments import ConditionQuery, SegmentCondition

ROOT = "definition"
MAX_DEPTH = 8
MAX_NODES = 100
MAX_DAYS = 36_500
MAX_COUNT = 1_000_000
_BRANCHES = ("all", "any")
NODE_KINDS = ("all", "any", "not", "filter", "purchases", "interactions", "consent",
              "member_of", "segment")
_PURCHASE_KEYS = ("within_days", "min_count", "max_count", "min_sum", "currency", "product",
                  "category")
_INTERACTION_KEYS = ("kind", "channel", "within_days", "min_count")
_CONSENT_KEYS = ("channel", "topic")
_MEMBER_KEYS = ("relationship", "kind", "organization", "role")


class Saved(msgspec.Struct, frozen=True):
    """A saved segment as a reference to it compiles: a dynamic one by its definition, a
    static one by its snapshot."""

    kind: str
    definition: Any


class _Compiler:
    def __init__(
        self,
        tenant_id: uuid.UUID,
        definitions: Sequence[FieldDefinition],
        segments: Mapping[uuid.UUID, Saved],
        current: uuid.UUID | None,
        conditions: Mapping[str, SegmentCondition],
        filters: Mapping[str, ContactFilter],
    ) -> None:
        self.tenant_id = tenant_id
        self.definitions = definitions
        self.segments = segments
        self.conditions = conditions
        self.filters = filters
        # The segments being expanded, outermost first (the one being written first).
        self.stack: list[uuid.UUID] = [] if current is None else [current]
        self._targets: Mapping[str, Target] | None = None
        self.nodes = 0

    @property
    def targets(self) -> Mapping[str, Target]:
        if self._targets is None:
            self._targets = listing.query_targets(self.tenant_id, self.definitions)
        return self._targets

    def node(self, node: Any, path: str, depth: int) -> ColumnElement[bool]:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise invalid(ROOT, f"at most {MAX_NODES} conditions")
        if depth > MAX_DEPTH:
            raise invalid(path, f"nested deeper than {MAX_DEPTH} levels")
        if not isinstance(node, dict) or len(node) != 1:
            raise invalid(path, f"must be an object with one of: {', '.join(NODE_KINDS)}")
        ((kind, body),) = node.items()
        where = f"{path}.{kind}"
        if kind in _BRANCHES:
            if not isinstance(body, list) or not body:
                raise invalid(where, "must be a non-empty list of conditions")
            parts = [self.node(n, f"{where}[{i}]", depth + 1) for i, n in enumerate(body)]
            return and_(true(), *parts) if kind == "all" else or_(false(), *parts)
        if kind == "not":
            return not_(self.node(body, where, depth + 1))
        if kind == "filter":
            return self.filter(body, where)
        if kind == "purchases":
            return self.purchases(_object(body, where, _PURCHASE_KEYS), where)
        if kind == "interactions":
            return self.interactions(_object(body, where, _INTERACTION_KEYS), where)
        if kind == "consent":
            return self.consent(_object(body, where, _CONSENT_KEYS), where)
        if kind == "member_of":
            return self.member_of(_object(body, where, _MEMBER_KEYS), where)
        if kind == "segment":
            return self.segment(body, where, depth)
        if kind in self.conditions:
            return self.contributed(self.conditions[kind], body, where)
        known = ", ".join([*NODE_KINDS, *sorted(self.conditions)])
        raise invalid(path, f"unknown condition {kind!r} (use {known})")

    def contributed(
        self, condition: SegmentCondition, body: Any, where: str
    ) -> ColumnElement[bool]:
        try:
            value = msgspec.convert(body, condition.value_type)
        except msgspec.ValidationError as error:
            raise invalid(where, str(error)) from None
        try:
            built: ColumnElement[bool] = condition.build(
                ConditionQuery(self.tenant_id, Contact.id, value)
            )
        except ValueError as error:
            raise invalid(where, str(error)) from None
        return built

    def consent(self, body: dict[str, Any], where: str) -> ColumnElement[bool]:
        channel = body.get("channel")
        topic = body.get("topic")
        try:
            return may_contact_condition(self.tenant_id, Contact.id, channel, topic)
        except RapportError as error:
            field = error.errors[0].field if error.errors else "channel"
            message = error.errors[0].message if error.errors else error.detail
            raise invalid(f"{where}.{field}", message) from None

    def member_of(self, body: dict[str, Any], where: str) -> ColumnElement[bool]:
        if "organization" in body:
            if len(body) != 1:
                raise invalid(where, "organization takes no other key")
            organization = _uuid(body["organization"], f"{where}.organization")
            # The contact list's own organization filter (one way to read the link).
            return self.filter(f"organization:eq:{organization}", f"{where}.organization")
        if not body:
            raise invalid(where, "needs relationship, kind or organization")
        conditions = [RelationshipMember.tenant_id == self.tenant_id]
        if "relationship" in body:
            conditions.append(RelationshipMember.relationship_id
                              == _uuid(body["relationship"], f"{where}.relationship"))
        if "kind" in body:
            kind = _text(body["kind"], f"{where}.kind", 20)
            if kind not in RELATIONSHIP_KINDS:
                raise invalid(f"{where}.kind",
                              f"unknown kind {kind!r} (use {', '.join(RELATIONSHIP_KINDS)})")
            conditions.append(RelationshipMember.relationship_id.in_(
                select(Relationship.id).where(Relationship.tenant_id == self.tenant_id,
                                              Relationship.kind == kind)
            ))
        if "role" in body:
            conditions.append(RelationshipMember.role == _text(body["role"], f"{where}.role",
                                                               100))
        return Contact.id.in_(select(RelationshipMember.contact_id).where(*conditions))

    def filter(self, raw: Any, where: str) -> ColumnElement[bool]:
        if not isinstance(raw, str) or not raw:
            raise invalid(where, "must be a string field:op:value")
        if len(raw) > MAX_FILTER_LENGTH:
            raise invalid(where, f"at most {MAX_FILTER_LENGTH} characters")
        try:
            # Tags, organizations and contributed fields are read by the contact list's own
            # splitter; the rest by the field kernel's parser, over the list's targets.
            rest, linked = listing._split_filters(self.tenant_id, [raw], self.filters)
            if linked:
                return linked[0]
            return parse_filter(rest[0], self.targets, self.definitions)
        except RapportError as error:
            message = error.errors[0].message if error.errors else error.detail
            raise invalid(where, message) from None

    def segment(self, raw: Any, where: str, depth: int) -> ColumnElement[bool]:
        try:
            segment_id = uuid.UUID(raw) if isinstance(raw, str) else None
        except ValueError:
            segment_id = None
        if segment_id is None:
            raise invalid(where, "must be a segment id")
        if segment_id in self.stack:
            raise invalid(where, f"circular reference: segment {segment_id} refers back to "
                          "itself")
        if segment_id not in self.segments:
            raise invalid(where, f"no such segment {segment_id}")
        saved = self.segments[segment_id]
        if saved.kind == STATIC:
            return Contact.id.in_(
                select(SegmentMember.contact_id).where(
                    SegmentMember.tenant_id == self.tenant_id,
                    SegmentMember.segment_id == segment_id,
                )
            )
        self.stack.append(segment_id)
        try:
            return self.node(saved.definition, where, depth + 1)
        finally:
            self.stack.pop()

    def purchases(self, body: dict[str, Any], where: str) -> ColumnElement[bool]:
        conditions = [
            Transaction.tenant_id == self.tenant_id,
            Transaction.contact_id.is_not(None),
        ]
        if "within_days" in body:
            days = _int(body["within_days"], f"{where}.within_days", 1, MAX_DAYS)
            conditions.append(Transaction.occurred_at >= func.now() - timedelta(days=days))
        line_conditions = [
            getattr(TransactionLine, key) == _text(body[key], f"{where}.{key}", 200)
            for key in ("product", "category") if key in body
        ]
        if line_conditions:
            conditions.append(
                Transaction.id.in_(
                    select(TransactionLine.transaction_id).where(
                        TransactionLine.tenant_id == self.tenant_id, *line_conditions,
                    )
                )
            )
        having = self.counts(body, where, func.count(), beside="min_sum" in body)
        if "min_sum" in body:
            if "currency" not in body:
                raise invalid(f"{where}.currency", "min_sum needs the currency it is in")
            amount = _amount(body["min_sum"], f"{where}.min_sum")
            having.append(func.sum(Transaction.amount) >= amount)
        if "currency" in body:
            currency = _text(body["currency"], f"{where}.currency", 3)
            if len(currency) != 3 or not currency.isalpha():
                raise invalid(f"{where}.currency", "must be a three-letter currency code")
            conditions.append(Transaction.currency == currency.upper())
        return Contact.id.in_(
            select(Transaction.contact_id).where(*conditions)
            .group_by(Transaction.contact_id).having(and_(true(), *having))
        )

    def interactions(self, body: dict[str, Any], where: str) -> ColumnElement[bool]:
        conditions = [Interaction.tenant_id == self.tenant_id]
        if "kind" in body:
            kind = _text(body["kind"], f"{where}.kind", 20)
            if kind not in set(Kind):
                raise invalid(f"{where}.kind",
                              f"unknown kind {kind!r} (use {', '.join(Kind)})")
            conditions.append(Interaction.kind == kind)
        if "channel" in body:
            conditions.append(
                Interaction.channel == _text(body["channel"], f"{where}.channel", 40)
            )
        if "within_days" in body:
            days = _int(body["within_days"], f"{where}.within_days", 1, MAX_DAYS)
            conditions.append(Interaction.occurred_at >= func.now() - timedelta(days=days))
        having = self.counts(body, where, func.count())
        return Contact.id.in_(
            select(Interaction.contact_id).where(*conditions)
            .group_by(Interaction.contact_id).having(and_(true(), *having))
        )

    @staticmethod
    def counts(
        body: dict[str, Any], where: str, count: ColumnElement[int], beside: bool = False
    ) -> list[ColumnElement[bool]]:
        """``min_count`` (default 1: at least one) and ``max_count``.

        A group has at least one row, so ``count(*) >= 1`` is written only when it is the
        node's one aggregate condition: beside another (``min_sum`` — ``beside`` —, or
        ``max_count``) it says nothing, and each HAVING clause makes the planner guess a
        third of the groups (an unknown aggregate's default selectivity), which at 1M
        contacts turned the hand-written statement's merge anti join into a nested loop
        (docs/benchmarks.md, segments at the full size). Alone it stays: without it the
        planner guesses all of a big tenant's buyers, too many for a hashed ``NOT IN``, and
        a ``not`` node (``lapsed``) would probe the subquery's result once per contact."""
        low = _int(body.get("min_count", 1), f"{where}.min_count", 1, MAX_COUNT)
        implied = low == 1 and (beside or "max_count" in body)
        having = [] if implied else [count >= low]
        if "max_count" in body:
            high = _int(body["max_count"], f"{where}.max_count", low, MAX_COUNT)
            having.append(count <= high)
        return having


def _object(body: Any, where: str, keys: Sequence[str]) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise invalid(where, f"must be an object with any of: {', '.join(keys)}")
    for key in body:
        if key not in keys:
            raise invalid(f"{where}.{key}", f"unknown key (use {', '.join(keys)})")
    return body


def _uuid(value: Any, where: str) -> uuid.UUID:
    try:
        return uuid.UUID(value) if isinstance(value, str) else uuid.UUID(int=-1)
    except ValueError:
        raise invalid(where, "must be an id") from None


def _int(value: Any, where: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise invalid(where, f"must be a whole number from {low} to {high}")
    return value


def _text(value: Any, where: str, longest: int) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > longest:
        raise invalid(where, f"must be a non-empty string of at most {longest} characters")
    if "\x00" in value:
        raise invalid(where, "must not contain NUL characters")
    return value.strip()


def _amount(value: Any, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise invalid(where, "must be a number (or a decimal string)")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise invalid(where, "must be a number (or a decimal string)") from None
    if not amount.is_finite() or amount < 0 or amount > Decimal("1e15"):
        raise invalid(where, "must be a non-negative amount")
    return amount


def compile_definition(
    tenant_id: uuid.UUID,
    definitions: Sequence[FieldDefinition],
    definition: Any,
    segments: Mapping[uuid.UUID, Saved] | None = None,
    current: uuid.UUID | None = None,
    conditions: Mapping[str, SegmentCondition] | None = None,
    filters: Mapping[str, ContactFilter] | None = None,
) -> ColumnElement[bool]:
    """The definition as one condition over ``contacts`` (422 naming the problem).

    ``segments``: the tenant's saved segments by id, for ``segment`` nodes; ``current``:
    the id of the segment ``definition`` belongs to, if saved (a reference to it is
    circular); ``conditions``: the contributed conditions the tenant may use, by name;
    ``filters``: the contributed contact-list filter fields (``filter`` nodes), by name."""
    return _Compiler(
        tenant_id, definitions, segments or {}, current, conditions or {}, filters or {}
    ).node(definition, ROOT, 1)
