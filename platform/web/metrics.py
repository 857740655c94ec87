"""``GET /metrics``: Prometheus' text exposition (``rapport.telemetry``).

Not part of the API (absent from the OpenAPI document) and outside token authentication.
With ``RAPPORT_METRICS_TOKEN`` set it answers only ``Authorization: Bearer <token>`` (a
401 otherwise); unset, keep it off the public ingress (the chart's NetworkPolicy and
Ingress do: docs/deploy.md).
"""

from __future__ import annotations

import hmac

from litestar import Request, Response, get

from rapport import telemetry


@get("/metrics", opt={"exclude_from_auth": True}, include_in_schema=False,
     sync_to_thread=False)
def metrics(request: Request) -> Response[bytes]:
    token = request.app.state.settings.metrics_token
    if token:
        given = request.headers.get("authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return Response(b"metrics need the bearer token (RAPPORT_METRICS_TOKEN)\n",
                            status_code=401, media_type="text/plain",
                            headers={"WWW-Authenticate": "Bearer"})
    return Response(telemetry.render(), media_type=telemetry.CONTENT_TYPE)
