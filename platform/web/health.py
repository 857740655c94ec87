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
    expected: set[str] = request.app.state.expected_heads
    try:
        async with tenant_session(request.app.state.sessionmaker, None) as session:
            rows = await session.execute(text("SELECT version_num FROM alembic_version"))
            current = {r[0] for r in rows}
    except Exception as exc:
        return Response({"status": "unavailable", "reason": type(exc).__name__}, status_code=503)
    if current != expected:
        return Response(
            {
                "status": "migrations pending",
                "current": sorted(current),
                "expected": sorted(expected),
            },
            status_code=503,
        )
    return Response({"status": "ready"}, status_code=200)
