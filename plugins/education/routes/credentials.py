"""Portable credentials: export, revoke and import on ``/learners/{id}/…``, and the
issuer's public documents (profile, keys, status list) on ``/issuer``."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from litestar import Controller, Request, Response, get, post
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.middleware import (
    AbstractAuthenticationMiddleware,
    AuthenticationResult,
    DefineMiddleware,
)
from litestar.params import FromPath, FromQuery, JSONBody
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import (
    Principal,
    Settings,
    Tenant,
    TenantHooks,
    is_enabled,
    not_found,
    tenant_session,
)
from rapport_plugins.education.credentials import build, keys, service
from rapport_plugins.education.models import Achievement
from rapport_plugins.education.schemas import (
    AlignmentOut,
    ClrOut,
    DecisionIn,
    ImportedOut,
    ImportIn,
    ImportOut,
    IssuedOut,
    RevokeIn,
    SuspendIn,
)

VC_JWT = "application/vc+jwt"


def base_of(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def issued_out(row: Any) -> IssuedOut:
    return IssuedOut(row.id, row.kind, row.name, row.status_index, row.created_at,
                     row.revoked_at, row.revocation_reason, row.suspended_at,
                     row.suspension_reason)


def imported_out(a: Achievement) -> ImportedOut:
    return ImportedOut(a.id, a.kind, a.title, a.issuer_name, a.issued_on, a.expires_on,
                       a.decision, [AlignmentOut(x["target_url"], x["target_name"],
                                                 x.get("target_code"), x["level"],
                                                 uuid.UUID(x["outcome_id"])
                                                 if x.get("outcome_id") else None,
                                                 x.get("match"))
                                    for x in a.alignments],
                       None if a.credits is None else float(a.credits), a.credit_unit)


class CredentialController(Controller):
    path = "/learners/{learner_id:uuid}"

    @post("/clr", status_code=201)
    async def export_clr(self, request: Request, learner_id: FromPath[uuid.UUID],
                         principal: NamedDependency[Principal],
                         db: NamedDependency[AsyncSession], hooks: NamedDependency[TenantHooks],
                         settings: NamedDependency[Settings]) -> ClrOut:
        """The learner's record as a CLR 2.0 ClrCredential holding one Open Badges 3.0
        credential per completed course and award, each signed on its own, in both proof
        formats: VC-JWT (Ed25519) and Data Integrity (eddsa-rdfc-2022); revocable and
        suspendable through the issuer's status lists."""
        cid, token, clr, proved = await service.export_clr(
            db, principal, hooks, settings.secret_key, base_of(request), learner_id)
        return ClrOut(cid, token, clr, proved)

    @get("/credentials")
    async def list_issued(self, learner_id: FromPath[uuid.UUID],
                          principal: NamedDependency[Principal],
                          db: NamedDependency[AsyncSession]) -> list[IssuedOut]:
        return [issued_out(r) for r in await service.issued_of(db, principal, learner_id)]

    @post("/credentials/{credential_id:uuid}/revoke", status_code=200)
    async def revoke_credential(self, learner_id: FromPath[uuid.UUID],
                                credential_id: FromPath[uuid.UUID], data: JSONBody[RevokeIn],
                                principal: NamedDependency[Principal],
                                db: NamedDependency[AsyncSession],
                                hooks: NamedDependency[TenantHooks]) -> IssuedOut:
        """Revoke: the issuer's status list flags it from now on."""
        return issued_out(await service.revoke(db, principal, hooks, learner_id, credential_id,
                                               data.reason))

    @post("/credentials/{credential_id:uuid}/suspend", status_code=200)
    async def suspend_credential(self, learner_id: FromPath[uuid.UUID],
                                 credential_id: FromPath[uuid.UUID], data: JSONBody[SuspendIn],
                                 principal: NamedDependency[Principal],
                                 db: NamedDependency[AsyncSession],
                                 hooks: NamedDependency[TenantHooks]) -> IssuedOut:
        """Suspend: the issuer's suspension list flags it until it is reinstated (409 for a
        revoked credential)."""
        return issued_out(await service.set_suspended(db, principal, hooks, learner_id,
                                                      credential_id, suspend=True,
                                                      reason=data.reason))

    @post("/credentials/{credential_id:uuid}/reinstate", status_code=200)
    async def reinstate_credential(self, learner_id: FromPath[uuid.UUID],
                                   credential_id: FromPath[uuid.UUID],
                                   principal: NamedDependency[Principal],
                                   db: NamedDependency[AsyncSession],
                                   hooks: NamedDependency[TenantHooks]) -> IssuedOut:
        """Lift a suspension: the suspension list clears its bit."""
        return issued_out(await service.set_suspended(db, principal, hooks, learner_id,
                                                      credential_id, suspend=False,
                                                      reason=None))

    @post("/credentials/import", status_code=201)
    async def import_credential(self, learner_id: FromPath[uuid.UUID],
                                data: JSONBody[ImportIn], principal: NamedDependency[Principal],
                                db: NamedDependency[AsyncSession],
                                hooks: NamedDependency[TenantHooks]) -> ImportOut:
        """Verify a CLR 2.0 or OB 3.0 credential issued elsewhere (signature against the
        issuer's published key, dates, status list) and file its achievements as
        recognition proposals; 422 naming the reason when it is refused."""
        filed = await service.import_credential(db, principal, hooks, learner_id,
                                                data.credential)
        return ImportOut([imported_out(a) for a in filed])

    @post("/achievements/{achievement_id:uuid}/decision", status_code=200)
    async def decide_recognition(self, learner_id: FromPath[uuid.UUID],
                                 achievement_id: FromPath[uuid.UUID],
                                 data: JSONBody[DecisionIn],
                                 principal: NamedDependency[Principal],
                                 db: NamedDependency[AsyncSession],
                                 hooks: NamedDependency[TenantHooks]) -> ImportedOut:
        """Recognition of prior learning: accept (the outcomes become held at the level
        achieved) or reject an imported achievement; recorded with its evidence."""
        row = await service.decide(db, principal, hooks, learner_id, achievement_id,
                                   accept=data.decision == "accept", note=data.note,
                                   mapping=dict(data.mapping),
                                   credit_unit=data.credit_unit)
        return imported_out(row)


class _Public:
    """The caller of the issuer's public documents: anyone; the handler checks the tenant."""

    modules = frozenset({"education"})


class PublicDoor(AbstractAuthenticationMiddleware):
    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:
        return AuthenticationResult(user=_Public(), auth=None)


PUBLIC_KEY = "education_public_door"  # never set: the opt key this middleware obeys


class IssuerController(Controller):
    """Public: what a verifier elsewhere fetches. The institution is named by its id."""

    path = "/issuer"
    opt = {"exclude_from_auth": True}
    middleware = [DefineMiddleware(PublicDoor, exclude_from_auth_key=PUBLIC_KEY,
                                   exclude_http_methods=[])]

    @staticmethod
    async def _tenant(request: Request, session: AsyncSession, org: uuid.UUID) -> Tenant:
        tenant = (await session.execute(select(Tenant).where(Tenant.id == org))
                  ).scalar_one_or_none()
        if tenant is None or not await is_enabled(session, org, "education"):
            raise not_found("Issuer")
        return tenant

    @get("/")
    async def issuer_profile(self, request: Request, org: FromQuery[uuid.UUID],
                             settings: NamedDependency[Settings]) -> dict[str, Any]:
        """The issuer's Open Badges 3.0 Profile; it also lists the keys it signs Data
        Integrity proofs with (``verificationMethod``, Multikey; ``assertionMethod``)."""
        async with tenant_session(request.app.state.sessionmaker, org) as session:
            tenant = await self._tenant(request, session, org)
            await keys.signing_key(session, org, settings.secret_key)
            published = await keys.public_keys(session, org)
        issuer = build.Issuer(tenant.id, tenant.name, base_of(request))
        methods = [{"id": issuer.method(k["kid"]), "type": "Multikey", "controller": issuer.id,
                    "publicKeyMultibase": keys.multikey(k)} for k in published]
        return {"@context": [build.VC_V2, build.OB_V3], **issuer.profile(),
                "publicKey": issuer.jwks_url, "verificationMethod": methods,
                "assertionMethod": [m["id"] for m in methods]}

    @get("/jwks")
    async def issuer_jwks(self, request: Request, org: FromQuery[uuid.UUID],
                          settings: NamedDependency[Settings]) -> dict[str, Any]:
        """The keys the issuer signs credentials with (JWKS)."""
        async with tenant_session(request.app.state.sessionmaker, org) as session:
            await self._tenant(request, session, org)
            await keys.signing_key(session, org, settings.secret_key)
            return {"keys": await keys.public_keys(session, org)}

    @get("/status", media_type=VC_JWT)
    async def issuer_status(self, request: Request, org: FromQuery[uuid.UUID],
                            settings: NamedDependency[Settings],
                            purpose: FromQuery[Literal["revocation", "suspension"]]
                            = "revocation") -> Response[str]:
        """The issuer's revocation list, or with ``purpose=suspension`` its suspension list:
        a signed BitstringStatusListCredential (VC-JWT)."""
        async with tenant_session(request.app.state.sessionmaker, org) as session:
            tenant = await self._tenant(request, session, org)
            token = await service.status_list(session, org, tenant.name, settings.secret_key,
                                              base_of(request), purpose)
        return Response(token, media_type=VC_JWT,
                        headers={"Cache-Control": "max-age=60"})
