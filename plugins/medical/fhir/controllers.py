"""FHIR R4 endpoints for federation peers (``/api/v1/medical/fhir``): discovery in the
open (``metadata``, SMART configuration), everything else with bearer tokens from our
token endpoint only and within their scopes; ``application/fhir+json`` answers, and every
error an ``OperationOutcome``."""

from __future__ import annotations

import uuid
from datetime import datetime
from email.utils import format_datetime
from typing import Any

from litestar import Controller, Request, Response, get, route
from litestar.di import NamedDependency
from litestar.enums import HttpMethod
from litestar.exceptions import HTTPException, NotFoundException, ValidationException
from litestar.middleware import DefineMiddleware
from litestar.params import FromPath
from litestar.types import ExceptionHandlersMap
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Principal, RapportError, Settings, forbidden, not_found
from rapport_plugins.medical.federation.doors import MEMBER_DOOR, FhirDoor, PublicDoor
from rapport_plugins.medical.federation.peers import FHIR_PATH, token_url
from rapport_plugins.medical.federation.tokens import FederationToken
from rapport_plugins.medical.fhir import capability, mapping, reads, scopes, search
from rapport_plugins.medical.fhir.params import BadValue
from rapport_plugins.medical.fhir.resources import KINDS, Kind

ISSUE_CODES = {400: "invalid", 401: "login", 403: "forbidden", 404: "not-found",
               405: "not-supported", 406: "not-supported", 413: "too-long", 422: "invalid"}
JSON_FORMATS = frozenset({"json", "application/json", "application/fhir+json"})
WRITES: list[HttpMethod] = [HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH,
                            HttpMethod.DELETE]


def _outcome(status: int, diagnostics: str, headers: dict[str, str] | None = None) -> Response[Any]:
    return Response(mapping.outcome(status, ISSUE_CODES.get(status, "exception"), diagnostics),
                    status_code=status, media_type=mapping.FHIR_JSON, headers=headers)


def on_rapport_error(_: Request, exc: RapportError) -> Response[Any]:
    return _outcome(exc.status, exc.detail, exc.headers)


def on_validation_error(_: Request, exc: ValidationException) -> Response[Any]:
    items = exc.extra if isinstance(exc.extra, list) else []
    names = ", ".join(str(i.get("key")) for i in items if isinstance(i, dict) and i.get("key"))
    return _outcome(400, f"Invalid search parameter: {names or exc.detail}")


def on_http_error(_: Request, exc: HTTPException) -> Response[Any]:
    status = exc.status_code if exc.status_code < 500 else 500
    detail = "Resource not found" if isinstance(exc, NotFoundException) else str(exc.detail)
    return _outcome(status, detail if status < 500 else "Internal server error", exc.headers)


async def negotiate(request: Request) -> Response[Any] | None:
    """JSON only: ``_format`` or an ``Accept`` that rules JSON out gets 406 (FHIR's
    answer for a format the server does not speak), not JSON with a 200."""
    wanted = request.query_params.get("_format")
    if wanted is not None and wanted.split(";")[0].strip() not in JSON_FORMATS:
        return _outcome(406, f"Format '{wanted}' is not supported; use json")
    accept = request.headers.get("accept", "").lower()
    if accept and not any(t in accept for t in ("json", "*/*", "application/*")):
        return _outcome(406, "Only application/fhir+json is served")
    return None


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    RapportError: on_rapport_error,
    ValidationException: on_validation_error,
    HTTPException: on_http_error,
}


def _base(settings: Settings) -> str:
    return settings.base_url.rstrip("/") + FHIR_PATH


def _kind(name: str) -> Kind:
    kind = KINDS.get(name)
    if kind is None:
        raise not_found(f"Resource type '{name}'")
    return kind


def _require(request: Request, kind: str, permission: str) -> None:
    token = request.auth
    grants = scopes.parse(token.scope if isinstance(token, FederationToken) else "")
    if not scopes.allows(grants, kind, permission):
        verb = "read" if permission == "r" else "search"
        raise forbidden(f"The token's scopes do not allow you to {verb} {kind}")


def _strict(request: Request) -> bool:
    prefer = request.headers.get("prefer", "").replace(" ", "").lower()
    return "handling=strict" in prefer.split(";") or "handling=strict" in prefer.split(",")


def _fhir(body: dict[str, Any], headers: dict[str, str] | None = None) -> Response[Any]:
    return Response(body, media_type=mapping.FHIR_JSON, headers=headers)


class FhirDiscoveryController(Controller):
    """What a client reads before it has a token."""

    path = "/fhir"
    opt = {"exclude_from_auth": True}
    middleware = [
        DefineMiddleware(PublicDoor, exclude_from_auth_key=MEMBER_DOOR, exclude_http_methods=[])
    ]
    exception_handlers = EXCEPTION_HANDLERS
    # Litestar calls a controller's before_request with the request only (not bound).
    before_request = negotiate  # type: ignore[assignment]
    include_in_schema = False

    @get("/metadata")
    async def metadata(self, settings: NamedDependency[Settings]) -> Response[Any]:
        """The CapabilityStatement: resources, interactions, search parameters, and
        where SMART clients get tokens."""
        return _fhir(capability.statement(_base(settings), token_url(settings), "Rapport"))

    @get("/.well-known/smart-configuration")
    async def smart_configuration(self, settings: NamedDependency[Settings]) -> Response[Any]:
        """SMART App Launch discovery, for the Backend Services flow."""
        return Response(capability.smart_configuration(token_url(settings)),
                        media_type="application/json")


class FhirController(Controller):
    path = "/fhir"
    opt = {"exclude_from_auth": True}
    middleware = [
        DefineMiddleware(FhirDoor, exclude_from_auth_key=MEMBER_DOOR, exclude_http_methods=[])
    ]
    exception_handlers = EXCEPTION_HANDLERS
    # Litestar calls a controller's before_request with the request only (not bound).
    before_request = negotiate  # type: ignore[assignment]
    # FHIR doors are described the FHIR way (the CapabilityStatement), and take peer
    # tokens only: they are not part of the member API's OpenAPI document.
    include_in_schema = False

    @get("/{kind_name:str}")
    async def search_type(
        self, request: Request, kind_name: FromPath[str], principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession], settings: NamedDependency[Settings],
    ) -> Response[Any]:
        """Search one resource type: a ``searchset`` Bundle with paging links."""
        kind = _kind(kind_name)
        _require(request, kind.name, "s")
        pairs = [(k, v) for k, vs in request.query_params.dict().items() for v in vs]
        try:
            query = search.parse(kind, pairs, strict=_strict(request))
        except (search.Refused, BadValue) as exc:
            return _outcome(400, str(exc))
        found = await reads.candidates(db, principal, kind, query.patients())
        total, page = search.run(query, found)
        await reads.log_search(db, principal, kind, page)
        base = _base(settings)
        return _fhir(mapping.searchset(page, base, total, search.links(base, query, total)))

    @get("/{kind_name:str}/{resource_id:str}")
    async def read(
        self, request: Request, kind_name: FromPath[str], resource_id: FromPath[str],
        principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
    ) -> Response[Any]:
        """One resource, with its version as the ETag."""
        kind = _kind(kind_name)
        _require(request, kind.name, "r")
        try:
            ident = uuid.UUID(resource_id)
        except ValueError as exc:
            raise not_found(kind.name) from exc
        resource = await reads.read_one(db, principal, kind, ident)
        meta = resource["meta"]
        changed = datetime.fromisoformat(meta["lastUpdated"].replace("Z", "+00:00"))
        headers = {"ETag": f'W/"{meta["versionId"]}"',
                   "Last-Modified": format_datetime(changed, usegmt=True)}
        # A client holding this version need not download it again (the read is audited
        # all the same: the peer was shown that it is unchanged).
        if headers["ETag"] in {t.strip() for t in
                               request.headers.get("if-none-match", "").split(",")}:
            return Response(None, status_code=304, headers=headers)
        return _fhir(resource, headers)

    # Routed as ``{type}/{id}/$everything``: Litestar does not backtrack from a literal
    # ``Patient`` segment to the parameter routes, so a literal would hide ``/Patient``.
    @get("/{kind_name:str}/{resource_id:str}/$everything")
    async def everything(
        self, request: Request, kind_name: FromPath[str], resource_id: FromPath[str],
        principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        """Every section your consents cover and your scopes let you read, and the
        consents, as one Bundle."""
        if kind_name != "Patient":
            raise not_found(f"Operation $everything on {kind_name}")
        _require(request, "Patient", "r")
        try:
            ident = uuid.UUID(resource_id)
        except ValueError as exc:
            raise not_found("Patient") from exc
        token = request.auth
        grants = scopes.parse(token.scope if isinstance(token, FederationToken) else "")
        kinds = [k for k in KINDS if scopes.allows(grants, k, "r")]
        found = await reads.everything(db, principal, ident, kinds)
        base = _base(settings)
        self_link = [{"relation": "self", "url": f"{base}/Patient/{ident}/$everything"}]
        return _fhir(mapping.searchset(found, base, len(found), self_link))

    @get("/{kind_name:str}/{resource_id:str}/{operation:str}/{rest:path}")
    async def unsupported(self, kind_name: FromPath[str],
                          operation: FromPath[str]) -> Response[Any]:
        """Deeper paths (``_history/<vid>``, compartments) are not served: still a FHIR
        answer, not the member API's problem document."""
        return _outcome(404, f"{kind_name}/…/{operation}/… is not supported by this server")

    @route(["/{kind_name:str}", "/{kind_name:str}/{resource_id:str}"], http_method=WRITES)
    async def refuse_writes(self) -> Response[Any]:
        """This server only reads: every write interaction is 405."""
        return _outcome(405, "This FHIR server is read-only", {"Allow": "GET"})
