"""The document Litestar builds, made to keep the contract's promises (see the package)."""

from __future__ import annotations

import re
from typing import Any

from litestar import Litestar
from litestar._openapi.plugin import OpenAPIPlugin
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.spec import (
    Link,
    OpenAPI,
    OpenAPIResponse,
    Operation,
    PathItem,
    Reference,
    Schema,
    Tag,
)
from litestar.routes import HTTPRoute

from rapport.errors import ALSO_ANSWERS, ERRORS_ALSO_AS_JSON
from rapport.fieldtypes import SHAPES
from rapport.hooks import PluginRegistry
from rapport.hooks.filters import CONTACT_FILTER_OPT
from rapport.web.contract import errors, names
from rapport.web.contract.components import StructComponents, name_by_title
from rapport.web.plugins import PLUGIN_OPT

PUBLIC_OPT = "exclude_from_auth"
_METHODS = ("get", "put", "post", "delete", "patch")
_PARAM = re.compile(r"{(\w+)}")


def describe(
    operation: Operation, handler: HTTPRouteHandler, method: str, route: HTTPRoute
) -> None:
    """Names, words, who may call, and every error ``operation`` answers."""
    plugin = handler.opt.get(PLUGIN_OPT)
    if plugin:
        operation.tags = [plugin]
    words = names.path_words(route.path_components)[0]
    operation.summary = handler.summary or names.summary(handler, words)
    operation.description = handler.description or names.description(handler, operation.summary)
    public = bool(handler.opt.get(PUBLIC_OPT))
    if public:
        operation.security = []
    own = {str(status) for status in (handler.responses or {})}
    kept: dict[str, Any] = {}
    for status, answer in (operation.responses or {}).items():
        if status.startswith("2"):
            if status == "204" and isinstance(answer, OpenAPIResponse):
                answer.content = None
            kept[status] = answer
        elif status in own:
            kept[status] = answer
    has_body = operation.request_body is not None
    for code in errors.statuses(
        method=method,
        public=public,
        has_body=has_body,
        has_parameters=bool(operation.parameters),
        item_path=bool(route.path_parameters),
        plugin=bool(plugin),
        also=tuple(handler.opt.get(ALSO_ANSWERS, ())),
    ):
        kept.setdefault(str(code), errors.response(code))
    if handler.opt.get(ERRORS_ALSO_AS_JSON):
        _also_as_json(kept, own)
    operation.responses = dict(sorted(kept.items()))


def _also_as_json(responses: dict[str, Any], own: set[str]) -> None:
    """The route's own problem documents also under ``application/json`` (the caller's
    Accept chooses), and its own 401 with the WWW-Authenticate header every 401 lists."""
    for status in own:
        answer = responses.get(status)
        if not isinstance(answer, OpenAPIResponse) or not answer.content:
            continue
        problem = answer.content.get(errors.PROBLEM_MEDIA_TYPE)
        if problem is not None:
            answer.content = {"application/json": problem, **answer.content}
        if status == "401" and not answer.headers:
            answer.headers = errors.response(401).headers


def contact_filter_fields(registry: PluginRegistry) -> str:
    """The contributed fields of the contact list's grammar, as the ``filter`` parameter's
    description goes on: name, operators, values, and whose (a plugin's only where the
    tenant enabled it)."""
    lines = []
    for owner, item in sorted(registry.declared("rapport_contact_filters"),
                              key=lambda pair: pair[1].name):
        values = ", ".join(item.choices) if item.choices else item.value_type
        text = f" — {item.description}" if item.description else ""
        lines.append(f"- ``{item.name}`` ({item.label('en')}; {owner}): operators "
                     f"{', '.join(item.operators)}; values {values}{text}")
    if not lines:
        return ""
    return "\n\nContributed fields (kernel areas always; a plugin's where the tenant " \
        "enabled it):\n" + "\n".join(lines)


def _describe_filter(operation: Operation, extra: str) -> None:
    for parameter in operation.parameters or ():
        if getattr(parameter, "name", None) == "filter" and extra:
            parameter.description = (parameter.description or "") + extra


def tags(registry: PluginRegistry, used: set[str]) -> list[Tag]:
    """A tag per area and plugin in use, described by its manifest where it has one."""
    manifests = {i.name: i.manifest for i in registry.loaded() if i.manifest is not None}
    found = []
    for name in sorted(used):
        manifest = manifests.get(name)
        text = (manifest.description or manifest.title) if manifest else None
        found.append(Tag(name=name, description=text or None))
    return found


def links(paths: dict[str, PathItem], schemas: dict[str, Any]) -> None:
    """OpenAPI links from each create to what can be done with what it made: a ``POST`` on
    ``P`` answering 201 with an ``id`` links to the ``GET``, ``PATCH`` and ``DELETE`` of
    ``P/{x_id}``, that id in the path — how clients and schemathesis's stateful phase
    follow a record from its creation."""
    for path, item in paths.items():
        created = item.post.responses.get("201") if item.post and item.post.responses else None
        if not isinstance(created, OpenAPIResponse) or not created.content:
            continue
        media = created.content.get("application/json")
        schema = media.schema if media else None
        if isinstance(schema, Reference):
            schema = schemas.get(schema.ref.rsplit("/", 1)[-1])
        if not isinstance(schema, Schema) or "id" not in (schema.properties or {}):
            continue
        found: dict[str, Link] = {}
        for target, target_item in paths.items():
            head, _, last = target.rpartition("/")
            if head != path or not (last.startswith("{") and last.endswith("}")):
                continue
            for method in ("get", "patch", "delete"):
                operation = getattr(target_item, method)
                if operation is None or not operation.operation_id:
                    continue
                found[operation.operation_id] = Link(
                    operation_id=operation.operation_id,
                    parameters={
                        **{name: f"$request.path.{name}" for name in _PARAM.findall(path)},
                        last[1:-1]: "$response.body#/id",
                    },
                    description=f"{method.upper()} {target} with the id of what was created",
                )
        if found:
            created.links = dict(sorted(found.items()))


class DocumentedOpenAPI(OpenAPIPlugin):
    """Litestar's OpenAPI plugin, whose document then goes through ``describe``."""

    __slots__ = ()

    def _build_openapi(self) -> OpenAPI:
        openapi = super()._build_openapi()
        used: set[str] = set()
        paths = openapi.paths or {}
        contributed = contact_filter_fields(self.app.state.registry)
        for route in self.included_routes.values():
            item: PathItem = paths[route.path_format or "/"]
            for method, (handler, _) in route.route_handler_map.items():
                operation = getattr(item, method.lower(), None)
                if method.lower() not in _METHODS or operation is None:
                    continue
                describe(operation, handler, method.upper(), route)
                if handler.opt.get(CONTACT_FILTER_OPT):
                    _describe_filter(operation, contributed)
                used.update(operation.tags or ())
        components = openapi.components
        schemas = {**(components.schemas or {}), **errors.components()}
        components.schemas = name_by_title(schemas, [openapi.paths, schemas])
        # Shapes Python keeps open but the document names (rapport.fieldtypes.documented),
        # as plain JSON: Litestar writes a dict as it is.
        shapes: dict[str, Any] = {k: v for k, v in SHAPES.items() if k not in schemas}
        components.schemas = dict(sorted({**components.schemas, **shapes}.items()))
        links(paths, components.schemas)
        openapi.tags = tags(self.app.state.registry, used)
        return openapi


def publish(app: Litestar, registry: PluginRegistry) -> None:
    """Make ``app``'s document follow the contract. Litestar has no public door for a
    document-wide rule, so two of its internals are used: the schema plugins' tuple
    (ours goes first, for msgspec structs) and the class of its OpenAPI plugin (the
    document is built lazily, on the first request for it, through ``_build_openapi``)."""
    app.plugins.openapi = (StructComponents(registry), *app.plugins.openapi)
    app.plugins.get(OpenAPIPlugin).__class__ = DocumentedOpenAPI
