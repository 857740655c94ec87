"""FHIR R4 search result parameters (search.html §3.1.1.5): ``_summary`` and ``_elements``
(which parts of each resource come back, marked ``SUBSETTED``), and ``_include`` /
``_revinclude`` (which related resources join the page). Pure functions over resources as
the client will see them; what a peer may read is decided in ``reads``."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from rapport_plugins.medical.fhir.mapping import MODELS, validated
from rapport_plugins.medical.fhir.params import BadValue
from rapport_plugins.medical.fhir.resources import KINDS, Kind, Param, Resource

SUMMARIES = ("true", "text", "data", "count", "false")
SUBSETTED = {"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue",
             "code": "SUBSETTED"}
# Always returned, whatever was asked (FHIR: ``id``, ``meta`` and mandatory elements).
ALWAYS = frozenset({"resourceType", "id", "meta"})


@dataclass(frozen=True)
class Link:
    """One ``_include`` / ``_revinclude``: resources of ``source`` point by ``param`` at
    resources of ``target``."""

    source: Kind
    param: Param

    @property
    def target(self) -> str:
        return self.param.target


@dataclass
class Shape:
    summary: str | None = None
    elements: frozenset[str] | None = None
    includes: list[Link] = field(default_factory=list)
    revincludes: list[Link] = field(default_factory=list)

    @property
    def count_only(self) -> bool:
        return self.summary == "count"


@cache
def _fields(kind: str) -> tuple[frozenset[str], frozenset[str]]:
    """(summary elements, mandatory elements) of a resource type, from its model."""
    summary: set[str] = set()
    mandatory: set[str] = set()
    for name, info in MODELS[kind].model_fields.items():
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        if not extra.get("element_property"):
            continue
        if extra.get("summary_element_property"):
            summary.add(name)
        if extra.get("element_required") or info.is_required():
            mandatory.add(name)
    return frozenset(summary), frozenset(mandatory)


def summary_value(text: str) -> str:
    if text not in SUMMARIES:
        raise BadValue("must be one of " + ", ".join(SUMMARIES))
    return text


def elements_value(kind: Kind, text: str) -> frozenset[str]:
    """The elements asked for; a name the resource type does not have is a 400."""
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise BadValue("name at least one element")
    known = MODELS[kind.name].model_fields
    unknown = [n for n in names if n not in known or n.startswith("fhir_") or "__" in n]
    if unknown:
        raise BadValue(f"{kind.name} has no element " + ", ".join(unknown))
    return frozenset(names)


def link_value(kind: Kind, text: str, *, reverse: bool) -> Link | None:
    """``Type:param[:target]``; None when this server does not support the link (an
    unknown type or parameter, or one that does not lead to/from ``kind``)."""
    parts = text.split(":")
    if len(parts) not in (2, 3):
        raise BadValue("must be Type:parameter or Type:parameter:TargetType")
    source = KINDS.get(parts[0])
    if source is None or (not reverse and source.name != kind.name):
        return None
    param = source.param(parts[1])
    if param is None or param.type != "reference":
        return None
    if len(parts) == 3 and parts[2] != param.target:
        return None
    if reverse and param.target != kind.name:
        return None
    return Link(source, param)


def shaped(resource: Resource, shape: Shape) -> Resource:
    """The resource cut down to what ``_summary``/``_elements`` asked for, tagged
    ``SUBSETTED`` when anything was left out (and still a valid resource)."""
    kind = resource["resourceType"]
    if kind not in KINDS or (shape.elements is None and shape.summary in (None, "false")):
        return resource
    summary, mandatory = _fields(kind)
    keep: frozenset[str]
    if shape.elements is not None:
        keep = shape.elements | mandatory | ALWAYS
    elif shape.summary == "true":
        keep = summary | mandatory | ALWAYS
    elif shape.summary == "text":
        keep = frozenset({"text"}) | mandatory | ALWAYS
    else:  # data: everything but the narrative
        keep = frozenset(resource) - {"text"}
    out = {k: v for k, v in resource.items() if k in keep}
    if set(out) != set(resource):
        meta = dict(out.get("meta") or {})
        meta["tag"] = [*meta.get("tag", []), SUBSETTED]
        out["meta"] = meta
    return validated(out)


def referenced(resources: list[Resource], link: Link) -> set[str]:
    """The ids of ``link.target`` resources the given resources point at."""
    return {ref.rsplit("/", 1)[-1] for r in resources for ref in link.param.values(r)
            if ref.rsplit("/", 1)[0].endswith(link.target)}


def pointing_at(candidates: list[Resource], link: Link, ids: set[str]) -> list[Resource]:
    """Those of ``candidates`` whose ``link.param`` points at one of ``ids``."""
    return [r for r in candidates if referenced([r], link) & ids]


def unique(resources: list[Resource], already: list[Resource]) -> list[Resource]:
    """Each resource once, leaving out those already on the page."""
    seen = {(r["resourceType"], r["id"]) for r in already}
    out: list[Resource] = []
    for r in resources:
        key = (r["resourceType"], r["id"])
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def read_shape(kind: Kind, pairs: list[tuple[str, str]]) -> Shape:
    """What a read asks of the resource's shape (``_summary``, ``_elements``)."""
    shape = Shape()
    for key, text in pairs:
        try:
            if key == "_summary":
                shape.summary = summary_value(text)
            elif key == "_elements":
                shape.elements = elements_value(kind, text)
        except BadValue as exc:
            raise BadValue(f"Invalid parameter {key}: {exc}") from exc
    if shape.count_only:
        raise BadValue("Invalid parameter _summary: count applies to searches only")
    return shape
