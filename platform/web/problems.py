"""Every error leaves as an RFC 9457 problem document; no stack trace ever does."""

from __future__ import annotations

import re
from typing import Any

import msgspec
import structlog
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from sqlalchemy.exc import DataError, IntegrityError

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


def on_http_error(_: Request, exc: HTTPException) -> Response[dict[str, Any]]:
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
    # Logged with the plugin's name where it was raised; the client learns which module.
    return problem(
        500,
        "Module error",
        f"The module '{exc.plugin}' failed while handling this request; nothing was saved",
        extra={"module": exc.plugin},
    )


def on_unexpected(request: Request, exc: Exception) -> Response[dict[str, Any]]:
    log.exception("unhandled error", path=request.url.path, error=type(exc).__name__)
    return problem(500, "Internal server error", "Something went wrong on our side; it is logged")


HANDLERS: dict[type[Exception] | int, Any] = {
    RapportError: on_rapport_error,
    ValidationException: on_validation_error,
    HTTPException: on_http_error,
    DataError: on_data_error,
    IntegrityError: on_integrity_error,
    PluginHookError: on_plugin_error,
    Exception: on_unexpected,
}

__all__ = ["HANDLERS", "PROBLEM", "MediaType", "problem"]
