"""Liveness and readiness probes (Kubernetes and load balancers call these)."""

from __future__ import annotations

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
        current, request.app.state.expected_heads, request.app.state.known_revisions
    )
    return Response(body, status_code=status)


def readiness(
    current: set[str], expected: set[str], known: set[str]
) -> tuple[dict[str, Any], int]:
    """Ready when every head this code expects is applied. Heads nobody here has a script
    for belong to uninstalled plugins (their tables and data stay): reported, not fatal."""
    body: dict[str, Any] = {"status": "ready"}
    status = 200
    if not expected <= current:
        body = {"status": "migrations pending", "current": sorted(current),
                "expected": sorted(expected)}
        status = 503
    orphaned = sorted(current - known)
    if orphaned:
        body["orphaned"] = orphaned
    return body, status
