"""Error types the service layer raises; the web layer turns them into problem documents."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class FieldError:
    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


@dataclass
class RapportError(Exception):
    """Base of every error a client can act on."""

    detail: str
    status: int = 400
    title: str = "Bad request"
    errors: list[FieldError] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.detail


def not_found(what: str) -> RapportError:
    return RapportError(detail=f"{what} not found", status=404, title="Not found")


def conflict(detail: str, **extra: Any) -> RapportError:
    return RapportError(detail=detail, status=409, title="Conflict", extra=extra)


def forbidden(detail: str = "You do not have permission to do this") -> RapportError:
    return RapportError(detail=detail, status=403, title="Forbidden")


def unauthorized(detail: str = "Authentication required") -> RapportError:
    return RapportError(
        detail=detail,
        status=401,
        title="Unauthorized",
        headers={"WWW-Authenticate": 'Bearer realm="rapport"'},
    )


def invalid(field_name: str, message: str) -> RapportError:
    """A 422 naming one field and the rule it broke."""
    return RapportError(
        detail=f"{field_name}: {message}",
        status=422,
        title="Validation failed",
        errors=[FieldError(field_name, message)],
    )


def invalid_many(errors: list[FieldError]) -> RapportError:
    return RapportError(
        detail="; ".join(f"{e.field}: {e.message}" for e in errors),
        status=422,
        title="Validation failed",
        errors=errors,
    )


# A route's option naming error statuses only it answers, for its OpenAPI entry (the kernel
# documents the others from facts about the route): ``opt={ALSO_ANSWERS: (429,)}``.
ALSO_ANSWERS = "rapport_also_answers"
# A route's option for a door whose own error documents (its ``responses=``, problem
# documents) must also be readable as plain ``application/json``, chosen by the caller's
# Accept: the OAuth token endpoint, whose clients expect RFC 6749 §5.2's media type.
ERRORS_ALSO_AS_JSON = "rapport_errors_also_as_json"
