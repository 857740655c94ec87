"""Schema components: one name each, and as strict as the server.

A request struct that refuses unknown fields (``forbid_unknown_fields=True``) says
``additionalProperties: false``; one that ignores them says nothing — the document claims
what msgspec does. A component is named after its struct; a plugin's structs carry the
plugin's name in front (``MedicalPatientIn``), so installing a plugin never renames a
kernel component or another plugin's. Two kernel structs with one name take distinct
names with ``__schema_name__``. ``openapi_example`` on a struct is its example.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Iterator
from dataclasses import fields, is_dataclass
from typing import Any

import msgspec.inspect
from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin
from litestar.openapi.spec import OpenAPIType, Reference, Schema
from litestar.typing import FieldDefinition

from rapport.hooks import PluginRegistry


def _camel(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.replace("-", "_").split("_"))


class PluginPackages:
    """Which installed plugin a type belongs to, by the module it is defined in."""

    def __init__(self, registry: PluginRegistry) -> None:
        self.sources = sorted(
            ((info.source.rpartition(".")[0] or info.source, info.source, info.name)
             for info in registry.loaded() if not info.builtin),
            key=lambda s: (-len(s[1]), s[2]),
        )

    def owner(self, module: str) -> str | None:
        exact = [name for _, source, name in self.sources if module == source]
        if exact:
            return exact[0]
        inside = [
            (package, name) for package, _, name in self.sources
            if module == package or module.startswith(package + ".")
        ]
        inside.sort(key=lambda x: (-len(x[0]), len(x[1]), x[1]))
        return inside[0][1] if inside else None


class StructComponents(StructSchemaPlugin):
    """msgspec structs as Litestar documents them, plus their name, strictness and example."""

    def __init__(self, registry: PluginRegistry) -> None:
        self.packages = PluginPackages(registry)

    def name_of(self, struct: type) -> str:
        name = getattr(struct, "__schema_name__", None) or struct.__name__
        plugin = self.packages.owner(struct.__module__)
        if plugin is None:
            return name
        prefix = _camel(plugin)
        return name if name.startswith(prefix) else prefix + name

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: Any) -> Schema:
        schema = super().to_openapi_schema(field_definition, schema_creator)
        struct = field_definition.type_
        schema.title = self.name_of(struct)
        if struct.__struct_config__.forbid_unknown_fields:
            schema.additional_properties = False
        if struct.__doc__ and not schema.description:
            schema.description = inspect.cleandoc(struct.__doc__)
        for prop in (schema.properties or {}).values():
            _into_object_branch(prop)
        _zero_bounds(struct, schema)
        example = getattr(struct, "openapi_example", None)
        if example is not None:
            schema.examples = [example]
        return schema


def _into_object_branch(prop: Any) -> None:
    """An optional field's ``additionalProperties`` (``rapport.fieldtypes.documented``)
    onto its object branch: Litestar puts a field's schema keywords beside the ``oneOf``."""
    if not isinstance(prop, Schema) or not prop.one_of or prop.additional_properties is None:
        return
    for branch in prop.one_of:
        if isinstance(branch, Schema) and branch.type == OpenAPIType.OBJECT:
            branch.additional_properties = prop.additional_properties
            prop.additional_properties = None


_BOUNDS = {"ge": "minimum", "gt": "exclusive_minimum", "le": "maximum", "lt": "exclusive_maximum"}


def _zero_bounds(struct: type, schema: Schema) -> None:
    """Bounds of zero on optional numbers (``Annotated[int, Meta(ge=0)] | None``), which
    Litestar drops because it tests them for truth (litestar-org/litestar#4650): the
    document then said a probability of -5 was welcome while the server answered 422."""
    for field in msgspec.inspect.type_info(struct).fields:  # type: ignore[attr-defined]
        kind = field.type
        if isinstance(kind, msgspec.inspect.Metadata):
            kind = kind.type
        if not isinstance(kind, msgspec.inspect.UnionType):
            continue
        present = [t for t in kind.types if not isinstance(t, msgspec.inspect.NoneType)]
        if len(present) != 1:
            continue
        number = present[0].type if isinstance(present[0], msgspec.inspect.Metadata) \
            else present[0]
        prop = (schema.properties or {}).get(field.encode_name)
        if not isinstance(number, msgspec.inspect.IntType | msgspec.inspect.FloatType) \
                or not isinstance(prop, Schema):
            continue
        for bound, keyword in _BOUNDS.items():
            if getattr(number, bound) == 0 and getattr(prop, keyword) is None:
                setattr(prop, keyword, 0)


def references(node: Any) -> Iterator[Reference]:
    """Every ``Reference`` in a part of the document (walked through its dataclasses)."""
    if isinstance(node, Reference):
        yield node
    elif is_dataclass(node) and not isinstance(node, type):
        for f in fields(node):
            yield from references(getattr(node, f.name))
    elif isinstance(node, dict):
        for value in node.values():
            yield from references(value)
    elif isinstance(node, list | tuple):
        for value in node:
            yield from references(value)


def name_by_title(schemas: dict[str, Schema], document: Iterable[Any]) -> dict[str, Schema]:
    """Components keyed by their titles (Litestar keys colliding names by module path);
    a title claimed twice keeps Litestar's keys, and the conformance tests fail."""
    titles = [s.title for s in schemas.values()]
    rename = {
        key: schema.title
        for key, schema in schemas.items()
        if schema.title and titles.count(schema.title) == 1 and key != schema.title
    }
    if rename:
        for part in document:
            for ref in references(part):
                key = ref.ref.rsplit("/", 1)[-1]
                if key in rename:
                    ref.ref = f"#/components/schemas/{rename[key]}"
    named = {rename.get(key, key): schema for key, schema in schemas.items()}
    return dict(sorted(named.items()))
