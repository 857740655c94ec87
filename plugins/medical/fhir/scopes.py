"""SMART Backend Services scopes: what a peer's token may read. v2 ``system/Type.rs``
(the letters of ``cruds``) and v1 ``system/Type.read`` are understood; this server only
reads, so a token holds at most ``r`` (read) and ``s`` (search) per resource type."""

from __future__ import annotations

import re

from rapport_plugins.medical.fhir.resources import KINDS

DEFAULT = "system/*.read"
_SCOPE = re.compile(r"^system/(?P<kind>\*|[A-Za-z]+)\.(?P<perm>read|write|\*|c?r?u?d?s?)$")
Grants = dict[str, frozenset[str]]  # resource type or "*" -> subset of {"r", "s"}


class ScopeRefused(ValueError):
    """Nothing asked for can be granted (OAuth ``invalid_scope``)."""


def _permissions(perm: str) -> frozenset[str]:
    if perm in ("read", "*"):
        return frozenset("rs")
    return frozenset(perm) & frozenset("rs")


def grant(requested: str | None) -> str:
    """The scope string to grant: each asked scope this server can honour, narrowed to
    reading (``system/Observation.cruds`` → ``system/Observation.rs``); scopes for other
    purposes (``launch/patient``, ``openid``) are left out, as OAuth allows."""
    if requested is None or not requested.strip():
        return DEFAULT
    granted: list[str] = []
    for item in requested.split():
        m = _SCOPE.match(item)
        if m is None or (m["kind"] != "*" and m["kind"] not in KINDS):
            continue
        perms = _permissions(m["perm"])
        if not perms:
            continue
        v1 = m["perm"] in ("read", "*")
        text = f"system/{m['kind']}." + ("read" if v1 else "".join(
            c for c in "rs" if c in perms))
        if text not in granted:
            granted.append(text)
    if not granted:
        raise ScopeRefused("none of the requested scopes can be granted")
    return " ".join(granted)


def parse(scope: str) -> Grants:
    out: dict[str, set[str]] = {}
    for item in scope.split():
        m = _SCOPE.match(item)
        if m is not None:
            out.setdefault(m["kind"], set()).update(_permissions(m["perm"]))
    return {k: frozenset(v) for k, v in out.items()}


def allows(grants: Grants, kind: str, permission: str) -> bool:
    return permission in grants.get(kind, frozenset()) | grants.get("*", frozenset())
