"""What an API client may be granted, and whether a request is within its grant.

The scopes are derived, not listed: every area that serves authenticated routes under
``/api/v1/<area>`` (the kernel's — contacts, deals, tasks … — and each plugin's) gives
``<area>:read`` and ``<area>:write``, and every permission a plugin declares
(``rapport_permissions``, e.g. ``retail.till``) is a scope as it stands. A new plugin's
routes and permissions are therefore scopes without a line of code here.

``<area>:write`` includes reading the area. A client acts with a member's rights at most:
owner/admin-only operations stay closed to it whatever its scopes; a plugin role is taken
when the client holds every permission that role carries (``client_roles``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Litestar
from litestar.routes import HTTPRoute

from rapport.errors import FieldError, forbidden, invalid_many
from rapport.hooks import PluginRegistry
from rapport.tenancy.models import Role

API_PREFIX = "/api/v1/"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# A person's own doors (their account, sessions, password, sign-ins) and the doors that
# make credentials: never a client's, so no scope names them.
PERSONAL_AREAS = frozenset({"auth", "me", "signup", "invitations", "api-clients", "oauth"})
_STATE_KEY = "rapport_scope_catalogue"


@dataclass(frozen=True)
class Scope:
    key: str
    # What the console groups it under: the route area or the declaring plugin.
    area: str
    description: str


@dataclass(frozen=True)
class ScopeCatalogue:
    scopes: tuple[Scope, ...]

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(s.key for s in self.scopes)

    def check(self, requested: list[str], field: str = "scopes") -> list[str]:
        """The requested scopes, de-duplicated and sorted; 422 naming each unknown one."""
        known = self.keys
        errors = [
            FieldError(f"{field}[{i}]", f"unknown scope '{s}'")
            for i, s in enumerate(requested) if s not in known
        ]
        if errors:
            raise invalid_many(errors)
        return sorted(set(requested))


def _areas(app: Litestar) -> set[str]:
    areas: set[str] = set()
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or not route.path.startswith(API_PREFIX):
            continue
        area = route.path[len(API_PREFIX):].split("/")[0]
        if area in PERSONAL_AREAS or not area or area.startswith("{"):
            continue
        if any(not h.opt.get("exclude_from_auth") for h in route.route_handlers):
            areas.add(area)
    return areas


def catalogue(app: Litestar) -> ScopeCatalogue:
    """Built once per application from its routes and its plugins' permissions."""
    found: ScopeCatalogue | None = app.state.get(_STATE_KEY)
    if found is not None:
        return found
    registry: PluginRegistry = app.state.registry
    scopes = []
    for area in sorted(_areas(app)):
        scopes.append(Scope(f"{area}:read", area, f"Read {area}"))
        scopes.append(Scope(f"{area}:write", area, f"Read, create, change and delete {area}"))
    for plugin, permission in sorted(registry.declared("rapport_permissions"),
                                     key=lambda item: item[1].key):
        scopes.append(Scope(permission.key, plugin, permission.description))
    found = ScopeCatalogue(tuple(scopes))
    app.state[_STATE_KEY] = found
    return found


def client_roles(
    scopes: frozenset[str], modules: frozenset[str], registry: PluginRegistry
) -> tuple[str, str]:
    """(role, kernel role) of a client with ``scopes``: a member on kernel records when it
    may write anywhere, else a viewer; as role, the enabled plugins' role with the most
    permissions all of which the client holds (its kernel role otherwise)."""
    kernel_role = Role.MEMBER if any(s.endswith(":write") for s in scopes) else Role.VIEWER
    best: Any = None
    for _, role in registry.declared("rapport_roles", modules):
        wanted = frozenset(role.permissions)
        if wanted and wanted <= scopes and (best is None or len(wanted) > len(best.permissions)):
            best = role
    return (best.name if best else str(kernel_role)), str(kernel_role)


def area_of(path: str) -> str | None:
    if not path.startswith(API_PREFIX):
        return None
    return path[len(API_PREFIX):].split("/")[0] or None


def require_scope(scopes: frozenset[str], method: str, path: str) -> None:
    """403 unless a client holding ``scopes`` may make this request: never a person's own
    route or anything outside the API, otherwise ``<area>:read`` for a read and
    ``<area>:write`` for anything else (write includes read)."""
    area = area_of(path)
    if area is None or area in PERSONAL_AREAS:
        raise forbidden("An API client cannot use this route: it belongs to a person")
    write = f"{area}:write"
    if method.upper() in SAFE_METHODS:
        if write in scopes or f"{area}:read" in scopes:
            return
        raise forbidden(f"The API client lacks the scope '{area}:read'")
    if write not in scopes:
        raise forbidden(f"The API client lacks the scope '{write}'")
