"""Operation ids, summaries and descriptions, from one rule each.

An operation id is the path's fixed words after ``/api/v1`` joined by ``_`` (the plugin's
name comes first for a plugin's route, as its routes live under ``/api/v1/<plugin>``), then
a verb from the method: ``list`` or ``get`` for GET (``list`` when the answer is a page of
``items``), ``create`` for a POST answering 201 (another POST is an action, named by its
path: ``auth_login``, ``contacts_merge``), ``set`` for PUT, ``update`` for PATCH,
``delete`` for DELETE. ``GET /api/v1/contacts/{id}`` is ``contacts_get``;
``POST /api/v1/medical/patients`` is ``medical_patients_create``.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

import msgspec
from litestar.handlers import HTTPRouteHandler
from litestar.types.internal_types import PathParameterDefinition
from litestar.utils.helpers import unwrap_partial

API_PREFIX = ("api", "v1")
_WORD = re.compile(r"[^a-z0-9]+")


def path_words(path_components: list[str | PathParameterDefinition]) -> tuple[list[str], bool]:
    """The fixed words of the path and whether it ends with a parameter."""
    fixed = [c for c in path_components if isinstance(c, str) and c]
    if tuple(fixed[:2]) == API_PREFIX:
        fixed = fixed[2:]
    words = [w for c in fixed if (w := _WORD.sub("_", c.removesuffix(".json").lower()).strip("_"))]
    ends_with_parameter = bool(path_components) and isinstance(
        path_components[-1], PathParameterDefinition
    )
    return words, ends_with_parameter


def _answers_a_page(handler: HTTPRouteHandler) -> bool:
    returned: Any = handler.parsed_fn_signature.return_type.annotation
    if isinstance(returned, type) and issubclass(returned, msgspec.Struct):
        return "items" in returned.__struct_fields__
    origin = getattr(returned, "__origin__", None)
    return origin in (list, tuple)


def verb(handler: HTTPRouteHandler, method: str, ends_with_parameter: bool) -> str | None:
    if method == "GET":
        listed = _answers_a_page(handler) or handler.handler_name.startswith(("list", "search"))
        return "list" if not ends_with_parameter and listed else "get"
    if method == "POST":
        return "create" if handler.status_code == 201 and not ends_with_parameter else None
    if method == "DELETE" and not ends_with_parameter:
        return "delete_all"
    return {"PUT": "set", "PATCH": "update", "DELETE": "delete"}.get(method, method.lower())


class OperationIds:
    """Litestar's ``operation_id_creator``: see the module's docstring. Should two routes
    get one id (a plugin's path shadowing another's), the later one adds its handler's
    name rather than break the whole document; the conformance tests list such ids."""

    def __init__(self) -> None:
        self.owners: dict[str, str] = {}

    def __call__(
        self,
        handler: HTTPRouteHandler,
        method: str,
        path_components: list[str | PathParameterDefinition],
    ) -> str:
        method = str(getattr(method, "value", method)).upper()
        words, ends_with_parameter = path_words(path_components)
        action = verb(handler, method, ends_with_parameter)
        if action:
            words.append(action)
        found = "_".join(words) or handler.handler_name
        owner = f"{handler.handler_id}:{method}"
        if self.owners.setdefault(found, owner) != owner:
            found = f"{found}_{handler.handler_name}"
            self.owners.setdefault(found, owner)
        return found


def docstring(handler: HTTPRouteHandler) -> str:
    fn = unwrap_partial(handler.fn)
    return inspect.cleandoc(fn.__doc__) if fn.__doc__ else ""


def summary(handler: HTTPRouteHandler, words: list[str]) -> str:
    """The docstring's first sentence when it reads as one (a few words, up to 100
    characters), else the handler's name in words, with the path's words when the name is
    a single word ("Read: medical patients")."""
    first = re.split(r"(?<=[.;:])\s|\n\n", docstring(handler), maxsplit=1)[0]
    first = " ".join(first.split()).rstrip(".:;")
    balanced = first.count("(") == first.count(")") and first.count("``") % 2 == 0
    if len(first.split()) >= 4 and len(first) <= 100 and first[:1].isupper() and balanced:
        return first
    name = handler.handler_name.replace("_", " ")
    if " " not in name:
        about = " ".join(w.replace("_", " ") for w in words if w != name)
        name = f"{name} ({about})" if about else name
    return name[:1].upper() + name[1:]


def description(handler: HTTPRouteHandler, operation_summary: str) -> str:
    """The whole docstring; for a handler without one, its summary."""
    return docstring(handler) or f"{operation_summary}."
