"""ASGI middleware: a request id per request, bound to every log line, echoed in a header;
the request's metrics and, when tracing is on, its span (``rapport.telemetry``).

``request_middleware`` is the app's one middleware around every route: the request id
with its log line and metrics, OPTIONS answered (``rapport.web.http_methods``), a
deprecated operation's headers (``rapport.web.deprecation``) and the request's
transaction holder (``rapport.web.request_session``). They were four middlewares; each was
a coroutine frame and a ``send`` wrapper of its own on every request, a measurable share
of the shortest requests' CPU (issue 12), so one layer does all four, in the same order.
"""

from __future__ import annotations

import re
import time
import uuid

import structlog
from litestar.types import ASGIApp, Message, Receive, ReceiveMessage, Scope, Send

from rapport import telemetry
from rapport.logs import access_line
from rapport.web.deprecation import announcement
from rapport.web.http_methods import answer_options_now
from rapport.web.problems import CLIENT_CLOSED, DISCONNECTED, status_of
from rapport.web.request_session import STATE_KEY, RequestSession

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
log = structlog.get_logger("rapport.web")


async def _end_quietly(holder: RequestSession) -> None:
    try:
        await holder.close()
    except Exception as exc:  # the answer is sent: a failed rollback is only logged
        log.warning("request transaction did not end cleanly",
                    error=f"{type(exc).__name__}: {exc}")


def request_middleware(app: ASGIApp) -> ASGIApp:
    tracing = telemetry.tracer() is not None

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        # The request's transaction, begun by authentication on first use; what is left
        # open when the answer starts is rolled back (rapport.web.request_session).
        holder = RequestSession(scope)
        scope.setdefault("state", {})[STATE_KEY] = holder
        options = scope.get("method") == "OPTIONS"
        handler = scope.get("route_handler")
        # A deprecated operation's headers, on its every answer (not on OPTIONS, answered
        # for the path here).
        deprecation = announcement(handler.opt) if handler is not None and not options else None
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        method: str = scope["method"]  # type: ignore[typeddict-item]
        span = token = None
        if tracing:
            span, token = telemetry.start_request_span(method, scope["headers"])
            structlog.contextvars.bind_contextvars(request_id=request_id,
                                                   trace_id=telemetry.trace_id(span))
        else:
            structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status = 500
        disconnected = finished = False

        async def receive_noting_disconnect() -> ReceiveMessage:
            # A client that hangs up mid-body makes the body read fail; the handlers in
            # problems.py read this mark and answer (and log) it as the client's doing.
            nonlocal disconnected
            message = await receive()
            if message["type"] == "http.disconnect":
                disconnected = True
                scope.setdefault("state", {})[DISCONNECTED] = True
            return message

        async def send_with_id(message: Message) -> None:
            nonlocal status, finished
            if message["type"] == "http.response.body":
                if message.get("more_body"):
                    # A streamed body: what is left of the transaction ends before its
                    # first part goes (it may stream for long).
                    await holder.close()
                else:
                    finished = True
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                if deprecation:
                    headers.extend(deprecation)
                headers.append((b"x-request-id", request_id.encode()))
                message["headers"] = headers
            await send(message)
            if finished:
                # The answer is out: what a handler left open (a read's transaction, a
                # refused request's) is rolled back now, not before the answer — nothing
                # in it is the client's to wait for (writes were committed by ``db`` before
                # the answer started, so that a failed commit is still their answer).
                await _end_quietly(holder)

        try:
            try:
                if options:
                    # Answered here for every path, before authentication and guards.
                    await answer_options_now(scope, send_with_id)
                else:
                    await app(scope, receive_noting_disconnect, send_with_id)
            finally:
                await holder.close()
        except Exception as exc:
            # Raised before a response started (e.g. by authentication): Litestar's outer
            # exception handler answers with problems.py's handlers; log the status they send.
            status = status_of(exc)
            raise
        finally:
            if disconnected and not finished:
                status = CLIENT_CLOSED
            seconds = time.perf_counter() - started
            route = scope.get("path_template")
            telemetry.observe_request(method, route, status, seconds)
            # Path only: query strings may carry cursors or one-time tokens.
            access_line(
                method=scope.get("method"),
                path=scope.get("path"),
                status=status,
                ms=round(seconds * 1000, 1),
            )
            if span is not None:
                telemetry.end_request_span(span, token, route, status)
            structlog.contextvars.clear_contextvars()

    return middleware
