"""A FHIR search over the resources a peer may read: parse the query against the
resource type's parameters (refusing unknown ones under ``Prefer: handling=strict``,
leaving them out of the ``self`` link otherwise), filter, sort, and page with links."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any
from urllib.parse import urlencode

from rapport_plugins.medical.fhir import params as values
from rapport_plugins.medical.fhir import results
from rapport_plugins.medical.fhir.resources import RESULT_PARAMS, Kind, Param, Resource

DEFAULT_COUNT = 50
MAX_COUNT = 200
STRING_MODIFIERS = ("", "exact", "contains")


class Refused(ValueError):
    """A search the server will not run: 400 with an OperationOutcome."""


@dataclass
class Query:
    kind: Kind
    tests: list[tuple[Param, str, list[Any]]] = field(default_factory=list)
    used: list[tuple[str, str]] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    count: int = DEFAULT_COUNT
    offset: int = 0
    sort: list[tuple[str, bool]] = field(default_factory=list)  # (param, descending)
    shape: results.Shape = field(default_factory=results.Shape)

    def patients(self) -> set[str] | None:
        """The patient ids a ``patient``/``subject`` filter narrows to (None: any)."""
        found: set[str] | None = None
        for param, _, tests in self.tests:
            if param.name in ("patient", "subject"):
                ids = set(tests)
                found = ids if found is None else found & ids
        return found


def _number(name: str, text: str, low: int, high: int) -> int:
    if not text.isdigit() or not low <= int(text) <= high:
        raise values.BadValue(f"{name} must be a whole number from {low} to {high}")
    return int(text)


def _tests(param: Param, modifier: str, text: str) -> list[Any]:
    alternatives = values.split_values(text)
    if param.type == "token":
        return [values.TokenTest.parse(v) for v in alternatives]
    if param.type == "date":
        return [values.DateTest.parse(v) for v in alternatives]
    if param.type == "reference":
        return [values.reference_id(v, param.target) for v in alternatives]
    return [v if modifier == "exact" else values.fold(v) for v in alternatives]


def _supported(param: Param, modifier: str) -> bool:
    if not modifier:
        return True
    if param.type == "string":
        return modifier in STRING_MODIFIERS
    return param.type == "reference" and modifier == param.target


def parse(kind: Kind, pairs: Sequence[tuple[str, str]], *, strict: bool) -> Query:
    """The query; ``Refused`` for an unknown parameter or modifier under strict
    handling, ``BadValue`` for a value that does not parse (either way a 400)."""
    query = Query(kind)
    for key, text in pairs:
        name, _, modifier = key.partition(":")
        try:
            if name == "_count":
                query.count = _number("_count", text, 0, MAX_COUNT)
            elif name == "_offset":
                query.offset = _number("_offset", text, 0, 1_000_000)
            elif name == "_sort":
                query.sort = [_sort_key(kind, k) for k in text.split(",") if k]
            elif key == "_summary":
                query.shape.summary = results.summary_value(text)
            elif key == "_elements":
                query.shape.elements = results.elements_value(kind, text)
            elif key in ("_include", "_revinclude"):
                reverse = key == "_revinclude"
                link = results.link_value(kind, text, reverse=reverse)
                if link is None:
                    query.ignored.append(f"{key}={text}")
                    continue
                (query.shape.revincludes if reverse else query.shape.includes).append(link)
            elif name in RESULT_PARAMS:
                # _format and _pretty shape the answer, not the result set: the controller
                # answers them (406 for anything but JSON), so they neither filter nor link.
                continue
            else:
                param = kind.param(name)
                if param is None or not _supported(param, modifier):
                    query.ignored.append(key)
                    continue
                query.tests.append((param, modifier, _tests(param, modifier, text)))
        except values.BadValue as exc:
            raise values.BadValue(f"Invalid search parameter {key}: {exc}") from exc
        if name not in ("_count", "_offset", "_format", "_pretty"):
            query.used.append((key, text))
    if query.shape.count_only:
        query.count = 0  # the total only, as ``_count=0``
    if strict and query.ignored:
        raise Refused("Unknown or unsupported search parameters or modifiers: "
                      + ", ".join(query.ignored))
    return query


def _sort_key(kind: Kind, text: str) -> tuple[str, bool]:
    name = text.removeprefix("-")
    if name == "date" and kind.sort_date:
        name = kind.sort_date
    param = kind.param(name)
    if param is None or param.type not in ("date", "token"):
        raise values.BadValue(f"cannot sort by '{name}'")
    return name, text.startswith("-")


def _matches(resource: Resource, param: Param, modifier: str, tests: list[Any]) -> bool:
    found = list(param.values(resource))
    if param.type == "token":
        return any(t.matches(found) for t in tests)
    if param.type == "date":
        ranges = [r for r in (values.value_range(v) for v in found) if r]
        return any(t.matches(r) for t in tests for r in ranges)
    if param.type == "reference":
        ids = {ref.rsplit("/", 1)[-1] for ref in found
               if ref.rsplit("/", 1)[0].endswith(param.target)}
        return any(t in ids for t in tests)
    if modifier == "exact":
        return any(t == v for t in tests for v in found)
    folded = [values.fold(v) for v in found]
    if modifier == "contains":
        return any(t in v for t in tests for v in folded)
    return any(v.startswith(t) for t in tests for v in folded)


def run(query: Query, resources: list[Resource]) -> tuple[int, list[Resource]]:
    """(total matches, this page of them)."""
    hits = [r for r in resources
            if all(_matches(r, p, m, t) for p, m, t in query.tests)]
    for name, descending in reversed(query.sort):
        param = query.kind.param(name)
        assert param is not None
        hits.sort(key=partial(_order, param), reverse=descending)
    return len(hits), hits[query.offset:query.offset + query.count]


def _order(param: Param, resource: Resource) -> tuple[int, Any]:
    found = list(param.values(resource))
    if not found:
        return (0, datetime.min.replace(tzinfo=UTC))
    if param.type == "date":
        ranges = [r for r in (values.value_range(v) for v in found) if r]
        return (1, min(r[0] for r in ranges)) if ranges else (0, datetime.min.replace(tzinfo=UTC))
    return (1, str(found[0][1] if isinstance(found[0], tuple) else found[0]))


def links(base: str, query: Query, total: int) -> list[dict[str, str]]:
    """``self`` (only the parameters applied), and ``first``/``previous``/``next``."""
    url = f"{base}/{query.kind.name}"

    def page(offset: int) -> str:
        return url + "?" + urlencode([*query.used, ("_count", str(query.count)),
                                      ("_offset", str(offset))])

    out = [{"relation": "self", "url": page(query.offset)},
           {"relation": "first", "url": page(0)}]
    if query.offset > 0:
        out.append({"relation": "previous",
                    "url": page(max(0, query.offset - max(query.count, 1)))})
    if query.count and query.offset + query.count < total:
        out.append({"relation": "next", "url": page(query.offset + query.count)})
    return out
