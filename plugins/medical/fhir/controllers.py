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
from rapport_plugins.medical.fhir import capability, mapping, reads, results, scopes, search
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


# Resource types whose rows change after they are written (the patient row, from which
# allergies derive, and consents, which are revoked): their one version in ``_history``
# is an update, every other type's a creation.
EDITABLE = frozenset({"Patient", "AllergyIntolerance", "Consent"})


async def _read(request: Request, kind_name: str, resource_id: str, principal: Principal,
                db: AsyncSession) -> tuple[Kind, dict[str, Any]]:
    kind = _kind(kind_name)
    _require(request, kind.name, "r")
    pairs = [(k, v) for k, vs in request.query_params.dict().items() for v in vs]
    try:
        shape = results.read_shape(kind, pairs)
    except BadValue as exc:
        raise RapportError(detail=str(exc), status=400, title="Bad request") from exc
    try:
        ident = uuid.UUID(resource_id)
    except ValueError as exc:
        raise not_found(kind.name) from exc
    return kind, results.shaped(await reads.read_one(db, principal, kind, ident), shape)


def _versioned(request: Request, kind: Kind, resource: dict[str, Any]) -> Response[Any]:
    meta = resource["meta"]
    changed = datetime.fromisoformat(meta["lastUpdated"].replace("Z", "+00:00"))
    headers = {"ETag": f'W/"{meta["versionId"]}"',
               "Last-Modified": format_datetime(changed, usegmt=True),
               "Content-Location": f"{kind.name}/{resource['id']}/_history/{meta['versionId']}"}
    # A client holding this version need not download it again (the read is audited
    # all the same: the peer was shown that it is unchanged).
    if headers["ETag"] in {t.strip() for t in
                           request.headers.get("if-none-match", "").split(",")}:
        return Response(None, status_code=304, headers=headers)
    return _fhir(resource, headers)


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
        for link in query.shape.includes:
            _require(request, link.target, "r")
        for link in query.shape.revincludes:
            _require(request, link.source.name, "r")
        found = await reads.candidates(db, principal, kind, query.patients())
        total, page = search.run(query, found)
        await reads.log_search(db, principal, kind, page)
        extra = await reads.included(db, principal, page, query.shape)
        base = _base(settings)
        return _fhir(mapping.searchset(
            [results.shaped(r, query.shape) for r in page], base, total,
            search.links(base, query, total), [results.shaped(r, query.shape) for r in extra]))

    @get("/{kind_name:str}/{resource_id:str}")
    async def read(
        self, request: Request, kind_name: FromPath[str], resource_id: FromPath[str],
        principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
    ) -> Response[Any]:
        """One resource, with its version as the ETag (``_summary``/``_elements`` may
        ask for part of it)."""
        kind, resource = await _read(request, kind_name, resource_id, principal, db)
        return _versioned(request, kind, resource)

    # Routed as ``{type}/{id}/{operation}``: Litestar does not backtrack from a literal
    # segment to the parameter routes, so a literal would hide ``/Patient`` (or
    # ``$everything`` hide ``_history``).
    @get("/{kind_name:str}/{resource_id:str}/{operation:str}")
    async def instance_operation(
        self, request: Request, kind_name: FromPath[str], resource_id: FromPath[str],
        operation: FromPath[str], principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession], settings: NamedDependency[Settings],
    ) -> Response[Any]:
        """``Patient/<id>/$everything`` or ``<type>/<id>/_history``."""
        if operation == "_history":
            kind, resource = await _read(request, kind_name, resource_id, principal, db)
            return _fhir(mapping.history(resource, _base(settings),
                                         created=kind.name not in EDITABLE))
        if operation != "$everything" or kind_name != "Patient":
            raise not_found(f"Operation {operation} on {kind_name}")
        return await self._everything(request, resource_id, principal, db, settings)

    async def _everything(
        self, request: Request, resource_id: str, principal: Principal, db: AsyncSession,
        settings: Settings,
    ) -> Response[Any]:
        """Every section your consents cover and your scopes let you read, and the
        consents, as one Bundle."""
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
    async def deeper(
        self, request: Request, kind_name: FromPath[str], resource_id: FromPath[str],
        operation: FromPath[str], rest: FromPath[str], principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> Response[Any]:
        """``vread`` (``_history/<versionId>``): the current version only — a version
        this server no longer keeps is 404. Other deeper paths (compartments) are not
        served: still a FHIR answer, not the member API's problem document."""
        version = rest.strip("/")
        if operation != "_history" or not version or "/" in version:
            return _outcome(404, f"{kind_name}/…/{operation}/… is not supported by this server")
        kind, resource = await _read(request, kind_name, resource_id, principal, db)
        if resource["meta"]["versionId"] != version:
            return _outcome(404, f"Version {version} of {kind.name}/{resource_id} is not "
                                 "kept: this server keeps the current version only")
        return _versioned(request, kind, resource)

    @route(["/{kind_name:str}", "/{kind_name:str}/{resource_id:str}"], http_method=WRITES)
    async def refuse_writes(self) -> Response[Any]:
        """This server only reads: every write interaction is 405."""
        return _outcome(405, "This FHIR server is read-only", {"Allow": "GET"})
