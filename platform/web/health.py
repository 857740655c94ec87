"""Liveness and readiness probes (Kubernetes and load balancers call these)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litestar import Request, Response, get
from sqlalchemy import text

from rapport.db.session import tenant_session


@get("/healthz", opt={"exclude_from_auth": True}, include_in_schema=False, sync_to_thread=False)
def healthz() -> dict[str, str]:
    """The process is alive."""
    return {"status": "ok"}


@get("/readyz", opt={"exclude_from_auth": True}, include_in_schema=False)
async def readyz(request: Request) -> Response[dict[str, Any]]:
    """The database answers and its schema is at the migrations this code expects."""
    try:
        async with tenant_session(request.app.state.sessionmaker, None) as session:
            rows = await session.execute(text("SELECT version_num FROM alembic_version"))
            current = {r[0] for r in rows}
    except Exception as exc:
        return Response({"status": "unavailable", "reason": type(exc).__name__}, status_code=503)
    body, status = readiness(
        current, request.app.state.expected_heads, request.app.state.known_revisions,
        request.app.state.lineage,
    )
    return Response(body, status_code=status)


def readiness(
    current: set[str], expected: set[str], known: set[str],
    lineage: Mapping[str, frozenset[str]] | None = None,
) -> tuple[dict[str, Any], int]:
    """Ready when every head this code expects is applied. Heads nobody here has a script
    for belong to uninstalled plugins (their tables and data stay): reported, not fatal.

    A rolling upgrade migrates before the new pods start (expand/contract: the old code
    still works on the expanded schema), so the old pods find their head replaced by one
    they have no script for. Given ``lineage`` (each expected head's ancestors), a missing
    head is *superseded* — and the pod stays ready — when the database holds a revision
    unknown here and none of that head's ancestors (which a database behind would hold).
    """
    body: dict[str, Any] = {"status": "ready"}
    status = 200
    unknown = current - known
    missing = expected - current
    superseded = {
        head for head in missing
        if lineage is not None and unknown and not current & lineage.get(head, frozenset())
    }
    if missing - superseded:
        body = {"status": "migrations pending", "current": sorted(current),
                "expected": sorted(expected)}
        status = 503
    elif superseded:
        body["superseded"] = sorted(superseded)
    orphaned = sorted(unknown)
    if orphaned:
        body["orphaned"] = orphaned
    return body, status
