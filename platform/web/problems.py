"""Every error leaves as an RFC 9457 problem document; no stack trace ever does."""

from __future__ import annotations

import re
from typing import Any

import msgspec
import psycopg
import structlog
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from sqlalchemy import exc as sa
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from rapport.errors import RapportError
from rapport.hooks import PluginHookError

log = structlog.get_logger("rapport.web")
PROBLEM = "application/problem+json"


def problem(
    status: int,
    title: str,
    detail: str,
    *,
    errors: list[dict[str, str]] | None = None,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[dict[str, Any]]:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    if extra:
        body.update(extra)
    return Response(body, status_code=status, media_type=PROBLEM, headers=headers)


def on_rapport_error(_: Request, exc: RapportError) -> Response[dict[str, Any]]:
    return problem(
        exc.status,
        exc.title,
        exc.detail,
        errors=[e.as_dict() for e in exc.errors],
        extra=exc.extra,
        headers=exc.headers,
    )


_MISSING = re.compile(r"missing required field `([^`]+)`")


def _field_of(item: dict[str, Any]) -> str:
    key = str(item.get("key") or "")
    message = str(item.get("message", ""))
    # msgspec names the JSON path ("… - at `$.admin.email`"): the most precise field name.
    if "at `$." in message:
        key = message.rsplit("at `$.", 1)[1].rstrip("`").replace("[", ".").replace("]", "")
    elif key == "data":
        key = ""
    if key.startswith("data."):
        key = key[5:]
    # "Object missing required field `name` - at `$.organization`": name the field itself.
    if missing := _MISSING.search(message):
        key = f"{key}.{missing.group(1)}" if key else missing.group(1)
    return key or "body"


def _is_malformed_body(exc: BaseException) -> bool:
    """True when the body could not be parsed at all (as opposed to parsed but invalid)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, msgspec.DecodeError) and not isinstance(seen, msgspec.ValidationError):
            return True
        if isinstance(seen, UnicodeDecodeError):
            return True
        seen = seen.__cause__ or seen.__context__
    text = str(getattr(exc, "detail", "")).lower()
    return "malformed" in text or "truncated" in text


def malformed() -> Response[dict[str, Any]]:
    return problem(400, "Malformed JSON", "The request body is not valid JSON")


def on_validation_error(_: Request, exc: ValidationException) -> Response[dict[str, Any]]:
    items = exc.extra if isinstance(exc.extra, list) else []
    if _is_malformed_body(exc):
        return malformed()
    errors = []
    for item in items:
        if not isinstance(item, dict):
            continue
        source = item.get("source")
        field = _field_of(item) if source in (None, "body") else str(item.get("key") or source)
        errors.append({"field": field, "message": str(item.get("message", "invalid value"))})
    status = 422
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or str(exc.detail)
    return problem(status, "Validation failed", detail, errors=errors)


def on_http_error(request: Request, exc: HTTPException) -> Response[dict[str, Any]]:
    if client_disconnected(request.scope):
        return client_gone(request)
    status = exc.status_code
    titles = {
        400: "Bad request",
        401: "Unauthorized",
        403: "Forbidden",
        404: "Not found",
        405: "Method not allowed",
        413: "Request body too large",
        415: "Unsupported media type",
    }
    detail = str(exc.detail) if status < 500 else "Internal server error"
    if status == 400 and _is_malformed_body(exc):
        return malformed()
    return problem(status, titles.get(status, "Error"), detail, headers=exc.headers)


def on_data_error(request: Request, exc: DataError) -> Response[dict[str, Any]]:
    # Safety net: a value the schema let through but PostgreSQL refuses (NUL, out of range).
    log.warning("database refused a value", path=request.url.path, error=str(exc.orig)[:200])
    return problem(
        422, "Validation failed", "A value could not be stored: check its characters and range"
    )


# Safety net for constraint failures a service did not turn into a clear error first. The
# detail never names the constraint or the other row: a unique or foreign key can involve
# data the caller may not see.
_CONSTRAINTS = {
    "23503": (422, "A referenced record does not exist"),
    "23505": (409, "This conflicts with an existing record"),
    "23514": (422, "A value is outside what this record allows"),
    "23502": (422, "A required value is missing"),
}


def on_integrity_error(request: Request, exc: IntegrityError) -> Response[dict[str, Any]]:
    state = getattr(exc.orig, "sqlstate", None)
    if state not in _CONSTRAINTS:
        return on_unexpected(request, exc)
    status, detail = _CONSTRAINTS[state]
    log.warning("constraint refused a write", path=request.url.path, sqlstate=state)
    return problem(status, "Conflict" if status == 409 else "Validation failed", detail)


def on_plugin_error(request: Request, exc: PluginHookError) -> Response[dict[str, Any]]:
    if is_outage(exc):
        return unavailable(request, exc)
    # Logged with the plugin's name where it was raised; the client learns which module.
    return problem(
        500,
        "Module error",
        f"The module '{exc.plugin}' failed while handling this request; nothing was saved",
        extra={"module": exc.plugin},
    )


# How long a client should wait before retrying while the database is unreachable: long
# enough not to hammer a restarting server, short enough for a failover or a restart.
RETRY_AFTER_SECONDS = 5
# SQLAlchemy wraps psycopg's errors (and keeps them as the cause); the pool raises its own.
_OUTAGES = (
    sa.OperationalError, sa.InterfaceError, PoolTimeout,
    psycopg.OperationalError, psycopg.InterfaceError,
)


def is_outage(exc: BaseException) -> bool:
    """True when ``exc`` (or what caused it) says the database cannot be reached or cannot
    take the work now — the server's state, not the request's: connection refused or lost,
    shutdown, too many connections, a full pool, a deadlock or serialization failure
    (PostgreSQL's "operational" errors). A bug (ProgrammingError) or a refused value
    (DataError, IntegrityError) is not one."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, _OUTAGES):
            return True
        if isinstance(seen, DBAPIError) and seen.connection_invalidated:
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def unavailable(request: Request, exc: BaseException) -> Response[dict[str, Any]]:
    # One line per request, no stack: during an outage every request fails the same way.
    cause = getattr(exc, "orig", None) or exc
    log.warning(
        "database unavailable",
        path=request.url.path,
        error=type(cause).__name__,
        sqlstate=getattr(cause, "sqlstate", None),
    )
    return problem(
        503,
        "Service unavailable",
        "The database cannot be reached right now; nothing was saved. Retry shortly",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def on_database_error(request: Request, exc: Exception) -> Response[dict[str, Any]]:
    if is_outage(exc):
        return unavailable(request, exc)
    return on_unexpected(request, exc)


# Set by the request-id middleware when the client hung up (``http.disconnect``) before the
# answer: whatever fails afterwards (Litestar's "client disconnected prematurely" while the
# body streams, a cancelled read) is the client's doing, not a server error.
DISCONNECTED = "rapport.client_disconnected"
# nginx's "client closed request": what the access log shows; nobody receives the answer.
CLIENT_CLOSED = 499


def client_disconnected(scope: Any) -> bool:
    return bool(scope.get("state", {}).get(DISCONNECTED))


def client_gone(request: Request) -> Response[dict[str, Any]]:
    log.info("client disconnected before the answer", path=request.url.path)
    return problem(CLIENT_CLOSED, "Client closed request", "The client disconnected")


def on_unexpected(request: Request, exc: Exception) -> Response[dict[str, Any]]:
    if client_disconnected(request.scope):
        return client_gone(request)
    if is_outage(exc):
        # Wrapped by something on the way (a plugin hook, an import batch).
        return unavailable(request, exc)
    log.exception("unhandled error", path=request.url.path, error=type(exc).__name__)
    return problem(500, "Internal server error", "Something went wrong on our side; it is logged")


def status_of(exc: BaseException) -> int:
    """The status the handlers here answer ``exc`` with (for the access log, which sees
    exceptions that escape a middleware before Litestar turns them into an answer)."""
    if is_outage(exc):
        return 503
    sent: object = getattr(exc, "status_code", None) or getattr(exc, "status", None)
    return sent if isinstance(sent, int) else 500


HANDLERS: dict[type[Exception] | int, Any] = {
    RapportError: on_rapport_error,
    ValidationException: on_validation_error,
    HTTPException: on_http_error,
    DataError: on_data_error,
    IntegrityError: on_integrity_error,
    PluginHookError: on_plugin_error,
    # Outages: SQLAlchemy's wrappers (DataError and IntegrityError above are more specific
    # and keep their handlers), the pool's timeout, psycopg used directly.
    DBAPIError: on_database_error,
    PoolTimeout: on_database_error,
    psycopg.OperationalError: on_database_error,
    psycopg.InterfaceError: on_database_error,
    Exception: on_unexpected,
}

__all__ = ["HANDLERS", "PROBLEM", "MediaType", "problem"]
