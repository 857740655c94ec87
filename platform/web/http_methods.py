"""OPTIONS, HEAD and 405 answered the same way on every path, kernel's and plugins'.

Litestar leaves three gaps, closed here once rather than in each controller:

- Its automatic OPTIONS handler is made when a path's first handlers are registered and
  keeps that first list: a path whose GET and POST come from different registrations (as
  ``/api/v1/contacts``: the list and the create live in different modules) advertises only
  the first (litestar-org/litestar#4169, fixed only in Litestar 3). It also runs the
  route's guards, so on a plugin's paths the module guard asked an unauthenticated request
  for its principal and answered 500. ``answer_options_now`` (from the app's route middleware:
  after routing, before authentication and guards) answers every OPTIONS itself from the
  route's real methods.
- HEAD is not added where GET exists. ``head_as_get`` (around the router, so it sees
  requests before a 405 is decided) serves HEAD as GET without the body, headers as GET's.
- A 405's ``Allow`` comes from the router without HEAD; ``head_as_get`` adds it where GET is.
"""

from __future__ import annotations

from typing import Any

from litestar.routes import HTTPRoute
from litestar.types import ASGIApp, Message, Receive, Scope, Send


def allow_header(methods: set[str] | frozenset[str]) -> str:
    """The ``Allow`` value for a path with ``methods``: HEAD wherever GET is, and OPTIONS."""
    allowed = {m.upper() for m in methods} | {"OPTIONS"}
    if "GET" in allowed:
        allowed.add("HEAD")
    return ", ".join(sorted(allowed))


def _route_methods(scope: Scope) -> set[str]:
    template = scope.get("path_template")
    methods: set[str] = set()
    for route in scope["app"].routes:
        if isinstance(route, HTTPRoute) and route.path_format == template:
            methods.update(route.methods)
    return methods


async def answer_options_now(scope: Scope, send: Send) -> None:
    """``204`` with the path's ``Allow`` for an OPTIONS request, sent by the app's route
    middleware (``rapport.web.request_id.request_middleware``: after routing, before
    authentication and guards). It needs no authentication (nothing about a tenant is in
    it) and never reaches a handler."""
    allow = allow_header(_route_methods(scope))
    await send(
        {
            "type": "http.response.start",
            "status": 204,
            "headers": [(b"allow", allow.encode())],
        }
    )
    await send({"type": "http.response.body", "body": b"", "more_body": False})


def _with_head_in_allow(message: Any) -> Any:
    headers = list(message.get("headers", []))
    for i, (name, value) in enumerate(headers):
        if name.lower() == b"allow":
            methods = {m.strip() for m in value.decode("latin-1").split(",") if m.strip()}
            headers[i] = (name, allow_header(methods).encode())
    return {**message, "headers": headers}


def head_as_get(handler: ASGIApp) -> ASGIApp:
    """Wraps the app's router: HEAD is routed as GET (the client gets GET's status and
    headers, ``Content-Length`` included, and no body); every 405 lists HEAD where GET is.

    A HEAD of a streamed answer (the CSV export) still runs the query; the body is dropped
    as it comes. The handler and the access log see GET."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await handler(scope, receive, send)
            return
        head = scope.get("method") == "HEAD"
        if head:
            # A copy: the server keeps its own scope and must still know the request was
            # HEAD (uvicorn then expects no body despite the Content-Length).
            scope = {**scope, "method": "GET"}  # type: ignore[assignment]

        async def send_as_asked(message: Message) -> None:
            if message["type"] == "http.response.start":
                if message["status"] == 405:
                    message = _with_head_in_allow(message)
                await send(message)
                if head:
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
            elif not (head and message["type"] == "http.response.body"):
                await send(message)  # for a HEAD, the answer ended with its headers

        await handler(scope, receive, send_as_asked)

    return wrapped
