"""The errors each operation documents, all with one problem-details schema.

Which statuses an operation lists follows from facts about its route: a body (400 malformed
JSON, 413 too large, 422 invalid), parameters (400, 422), authentication (401, 403), an id in
the path or a plugin's route (404: a disabled module hides its routes), a write (409: a
unique value already taken), and 503 for everyone (the database unreachable). A route adds
what only it knows with ``opt={ALSO_ANSWERS: (429,)}`` (rapport.errors).
"""

from __future__ import annotations

from http import HTTPStatus

from litestar.openapi.spec import (
    OpenAPIHeader,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Reference,
    Schema,
)

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM = "Problem"
FIELD_ERROR = "FieldError"

WHY = {
    400: "The body is not valid JSON, or the request is not one this operation can take",
    401: "No valid bearer token (or session cookie)",
    403: "The caller's role may not do this",
    404: "No such record for this tenant, or the module is not enabled",
    409: "Conflicts with an existing record or with the record's current state",
    410: "The link or token has expired or was already used",
    413: "The body is larger than the server accepts",
    415: "The body is not in a media type this operation takes",
    422: "A value breaks a rule; ``errors`` names each field and the rule",
    429: "Too many attempts; retry after the number of seconds in Retry-After",
    503: "The database cannot be reached right now; nothing was saved. Retry after Retry-After",
}


def components() -> dict[str, Schema]:
    """The shared schemas: an RFC 9457 problem document and its field-level errors."""
    field_error = Schema(
        type=OpenAPIType.OBJECT,
        title=FIELD_ERROR,
        description="One field that broke a rule: its JSON path and the rule",
        properties={
            "field": Schema(type=OpenAPIType.STRING, examples=["organization.slug"]),
            "message": Schema(type=OpenAPIType.STRING, examples=["must be 3 to 40 characters"]),
        },
        required=["field", "message"],
    )
    problem = Schema(
        type=OpenAPIType.OBJECT,
        title=PROBLEM,
        description=(
            "An RFC 9457 problem document. Some errors add members of their own (a 409 on "
            "a contact lists its ``candidates``; a module's failure names its ``module``)."
        ),
        properties={
            "type": Schema(type=OpenAPIType.STRING, examples=["about:blank"]),
            "title": Schema(type=OpenAPIType.STRING, examples=["Validation failed"]),
            "status": Schema(type=OpenAPIType.INTEGER, minimum=400, maximum=599),
            "detail": Schema(type=OpenAPIType.STRING),
            "errors": Schema(
                type=OpenAPIType.ARRAY,
                items=Reference(ref=f"#/components/schemas/{FIELD_ERROR}"),
            ),
        },
        required=["type", "title", "status", "detail"],
    )
    return {PROBLEM: problem, FIELD_ERROR: field_error}


def _retry_after() -> dict[str, OpenAPIHeader | Reference]:
    return {
        "Retry-After": OpenAPIHeader(
            schema=Schema(type=OpenAPIType.INTEGER, minimum=0),
            description="Seconds to wait before trying again",
        )
    }


def response(status: int) -> OpenAPIResponse:
    headers: dict[str, OpenAPIHeader | Reference] | None = None
    if status in (429, 503):
        headers = _retry_after()
    elif status == 401:
        headers = {
            "WWW-Authenticate": OpenAPIHeader(
                schema=Schema(type=OpenAPIType.STRING), description="How to authenticate"
            )
        }
    return OpenAPIResponse(
        description=WHY.get(status, HTTPStatus(status).phrase),
        headers=headers,
        content={
            PROBLEM_MEDIA_TYPE: OpenAPIMediaType(
                schema=Reference(ref=f"#/components/schemas/{PROBLEM}")
            )
        },
    )


def statuses(
    *,
    method: str,
    public: bool,
    has_body: bool,
    has_parameters: bool,
    item_path: bool,
    plugin: bool,
    also: tuple[int, ...] = (),
) -> list[int]:
    """The error statuses an operation lists, from the facts about its route."""
    found = {503, *also}
    if has_body:
        found |= {400, 413, 422}
    if has_parameters:
        # 422 for a value of the wrong type or range, 400 for one the server must read to
        # refuse: a cursor it did not issue, a filter or sort naming no field.
        found |= {400, 422}
    if not public:
        found |= {401, 403}
    if item_path or plugin:
        found.add(404)
    if method in {"POST", "PUT", "PATCH", "DELETE"}:
        found.add(409)
    return sorted(found)
