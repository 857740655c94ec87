"""Issuing, revoking and importing credentials; recognition of prior learning.

Export signs one Open Badges 3.0 credential per completed course and per award, then the
CLR that envelopes them. Import verifies (``verify``), then files each achievement as a
*proposal*: the outcomes it proves, matched to ours by framework URI, wait for a
registrar's decision (or are recognised at once where the tenant allows exact matches).
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import (
    Contact,
    Principal,
    TenantHooks,
    audit,
    conflict,
    emit,
    invalid,
    load_settings,
    not_found,
)
from rapport_plugins.education.credentials import build, integrity, keys, status
from rapport_plugins.education.credentials.jwt import sign
from rapport_plugins.education.credentials.verify import Refused, Verified, verify
from rapport_plugins.education.learners import find_learner
from rapport_plugins.education.links import EXACT, matcher
from rapport_plugins.education.models import (
    Achievement,
    Course,
    CourseOutcome,
    Enrolment,
    Holding,
    IssuedCredential,
    Outcome,
)
from rapport_plugins.education.roles import require_registrar
from rapport_plugins.education.settings import EducationSettings

CREDENTIAL_ISSUED = "education.credential_issued"
CREDENTIAL_REVOKED = "education.credential_revoked"
CREDENTIAL_IMPORTED = "education.credential_imported"
CREDENTIAL_SUSPENDED = "education.credential_suspended"
CREDENTIAL_REINSTATED = "education.credential_reinstated"
RECOGNITION_DECIDED = "education.recognition_decided"
MAX_FETCH = 1 << 20


# Deployment-level: allow fetching issuers' documents from private and loopback addresses
# (a campus network, the test suite's loopback servers). Off by default, so a credential
# cannot make the server probe its own network.
ALLOW_PRIVATE = "RAPPORT_EDUCATION_FETCH_PRIVATE"


async def _public_address(host: str) -> str:
    """The address to connect to: every address the name resolves to must be public (one
    private answer refuses it), and the request then goes to the first one checked — so a
    second lookup answering differently (DNS rebinding) cannot redirect it inward."""
    try:
        found = await asyncio.get_running_loop().getaddrinfo(host, None)
    except OSError as exc:
        raise ValueError(f"the host {host!r} cannot be resolved") from exc
    addresses = [str(address[0]) for *_, address in found]
    for address in addresses:
        if not ipaddress.ip_address(address).is_global:
            raise ValueError(f"the host {host!r} is a private or local address")
    if not addresses:
        raise ValueError(f"the host {host!r} cannot be resolved")
    return addresses[0]


def pinned(url: str, address: str) -> tuple[str, dict[str, str], dict[str, Any]]:
    """``url`` sent to ``address``: the URL with the address as its host, the ``Host``
    header naming the original host, and (HTTPS) the TLS server name to ask and check."""
    split = urlsplit(url)
    host = split.hostname or ""
    at = f"[{address}]" if ":" in address else address
    netloc = at if split.port is None else f"{at}:{split.port}"
    target = split._replace(netloc=netloc).geturl()
    extensions: dict[str, Any] = {"sni_hostname": host} if split.scheme == "https" else {}
    header = host if split.port is None else f"{host}:{split.port}"
    return target, {"Host": header}, extensions


async def fetch(url: str) -> bytes:
    """An issuer's document (keys, status list): HTTP(S) only, public addresses only unless
    the deployment allows private ones (then connecting to the address checked), no
    redirects, 5 s, at most 1 MiB read."""
    if not url.startswith(("https://", "http://")):
        raise ValueError("only http(s) URLs are fetched")
    target = url
    headers: dict[str, str] = {}
    extensions: dict[str, Any] = {}
    if os.environ.get(ALLOW_PRIVATE, "") not in ("1", "true", "yes"):
        address = await _public_address(urlsplit(url).hostname or "")
        target, headers, extensions = pinned(url, address)
    async with (httpx.AsyncClient(timeout=5.0, follow_redirects=False) as client,
                client.stream("GET", target, headers={**headers, "Accept": "application/json"},
                              extensions=extensions) as response):
        response.raise_for_status()
        body = bytearray()
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > MAX_FETCH:
                raise ValueError("the document is too large")
        return bytes(body)


async def _next_index(db: AsyncSession, tenant_id: uuid.UUID) -> int:
    await db.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"),
                     {"k": f"rapport.education.status.{tenant_id}"})
    last = (await db.execute(select(func.max(IssuedCredential.status_index)).where(
        IssuedCredential.tenant_id == tenant_id))).scalar_one()
    return 0 if last is None else last + 1


async def _issue(db: AsyncSession, tenant_id: uuid.UUID, learner_id: uuid.UUID, kind: str,
                 name: str) -> IssuedCredential:
    row = IssuedCredential(tenant_id=tenant_id, learner_id=learner_id, kind=kind,
                           name=name[:200], status_index=await _next_index(db, tenant_id))
    db.add(row)
    await db.flush()
    return row


async def export_clr(db: AsyncSession, principal: Principal, hooks: TenantHooks, secret: str,
                     base: str, learner_id: uuid.UUID
                     ) -> tuple[uuid.UUID, str, dict[str, Any], dict[str, Any]]:
    """The learner's record, secured both ways: the CLR as a VC-JWT enveloping each
    achievement credential's VC-JWT, and the same CLR with a Data Integrity proof
    (``eddsa-rdfc-2022``) embedding each achievement credential with its own proof."""
    require_registrar(principal)
    learner, contact = await find_learner(db, principal, learner_id)
    issuer = build.Issuer(principal.tenant_id, principal.tenant_name, base)
    key, kid = await keys.signing_key(db, principal.tenant_id, secret)
    kid_url = f"{issuer.jwks_url}#{kid}"
    created = build.stamp(datetime.now(UTC))
    raw = keys.ed25519(key)

    def secure(credential: dict[str, Any]) -> None:
        tokens.append(sign(credential, key, kid_url))
        proved.append(integrity.sign(credential, raw, issuer.method(kid), created))
    settings = await load_settings(db, principal.tenant_id, "education", EducationSettings)
    ident = build.identity(contact.email if isinstance(contact, Contact) else None, learner.id)
    now = datetime.now(UTC)
    tokens: list[str] = []
    proved: list[dict[str, Any]] = []
    achievements: list[dict[str, Any]] = []
    completed = (await db.execute(
        select(Enrolment, Course)
        .join(Course, (Course.tenant_id == Enrolment.tenant_id)
              & (Course.id == Enrolment.course_id))
        .where(Enrolment.tenant_id == principal.tenant_id, Enrolment.learner_id == learner.id,
               Enrolment.status == "completed")
        .order_by(Enrolment.completed_on, Enrolment.id))).all()
    for enrolment, course in completed:
        taught = [build.Taught(o.id, o.code, o.title, co.level, o.framework_uri,
                               o.framework_name)
                  for co, o in (await db.execute(
                      select(CourseOutcome, Outcome)
                      .join(Outcome, (Outcome.tenant_id == CourseOutcome.tenant_id)
                            & (Outcome.id == CourseOutcome.outcome_id))
                      .where(CourseOutcome.tenant_id == principal.tenant_id,
                             CourseOutcome.course_id == course.id)
                      .order_by(Outcome.code))).all()]
        achievement = build.course_achievement(
            issuer, course_id=course.id, code=course.code, title=course.title,
            description=course.description, credits=float(course.credits),
            language=course.language, taught=taught, grades=settings.grades)
        results = [{"type": ["Result"], "resultDescription": achievement["resultDescription"][0]
                    ["id"], "value": enrolment.grade}]
        results += [{"type": ["Result"], "resultDescription": d["id"], "value": str(t.level)}
                    for d, t in zip(achievement["resultDescription"][1:], taught, strict=True)]
        row = await _issue(db, principal.tenant_id, learner.id, "AchievementCredential",
                           course.title)
        secure(build.achievement_credential(
            issuer, credential_id=row.id, learner_id=learner.id, ident=ident,
            achievement=achievement, awarded=enrolment.completed_on or now.date(),
            results=results, credits=float(course.credits), valid_until=None,
            status_index=row.status_index, now=now))
        achievements.append(achievement)
    awards = (await db.execute(select(Achievement).where(
        Achievement.tenant_id == principal.tenant_id, Achievement.learner_id == learner.id,
        Achievement.imported.is_(False)).order_by(Achievement.issued_on))).scalars()
    for award in awards:
        achievement = build.award_achievement(issuer, achievement_id=award.id, kind=award.kind,
                                              title=award.title)
        row = await _issue(db, principal.tenant_id, learner.id, "AchievementCredential",
                           award.title)
        secure(build.achievement_credential(
            issuer, credential_id=row.id, learner_id=learner.id, ident=ident,
            achievement=achievement, awarded=award.issued_on, results=[], credits=None,
            valid_until=award.expires_on, status_index=row.status_index, now=now))
        achievements.append(achievement)
    if not tokens:
        raise conflict("The learner has no completed course or award to put in a record")
    clr_row = await _issue(db, principal.tenant_id, learner.id, "ClrCredential",
                           f"Learner record: {contact.display_name}")
    def clr(inner: list[dict[str, Any]]) -> dict[str, Any]:
        return build.clr_credential(issuer, credential_id=clr_row.id, learner_id=learner.id,
                                    learner_name=contact.display_name, ident=ident,
                                    inner=inner, achievements=achievements,
                                    status_index=clr_row.status_index, now=now)

    enveloping = clr([build.enveloped(t) for t in tokens])
    token = sign(enveloping, key, kid_url)
    embedding = integrity.sign(clr(proved), raw, issuer.method(kid), created)
    await audit.record(db, principal, audit.SHARE, "education.learner", learner.id,
                       detail={"clr": str(clr_row.id), "credentials": len(tokens)})
    await emit(db, principal, hooks, CREDENTIAL_ISSUED, "education.learner", learner.id,
               {"credential_id": str(clr_row.id), "kind": "ClrCredential",
                "achievements": len(tokens)})
    return clr_row.id, token, enveloping, embedding


async def issued_of(db: AsyncSession, principal: Principal,
                    learner_id: uuid.UUID) -> list[IssuedCredential]:
    learner, _ = await find_learner(db, principal, learner_id)
    return list((await db.execute(select(IssuedCredential).where(
        IssuedCredential.tenant_id == principal.tenant_id,
        IssuedCredential.learner_id == learner.id)
        .order_by(IssuedCredential.status_index.desc()))).scalars())


async def revoke(db: AsyncSession, principal: Principal, hooks: TenantHooks,
                 learner_id: uuid.UUID, credential_id: uuid.UUID,
                 reason: str | None) -> IssuedCredential:
    require_registrar(principal)
    learner, _ = await find_learner(db, principal, learner_id)
    row = (await db.execute(select(IssuedCredential).where(
        IssuedCredential.tenant_id == principal.tenant_id,
        IssuedCredential.learner_id == learner.id, IssuedCredential.id == credential_id)
        .with_for_update())).scalar_one_or_none()
    if row is None:
        raise not_found("Credential")
    if row.revoked_at is None:
        row.revoked_at = datetime.now(UTC)
        row.revocation_reason = reason
        await db.flush()
        await audit.record(db, principal, audit.REVOKE, "education.learner", learner.id,
                           detail={"credential": str(row.id), "reason": reason})
        await emit(db, principal, hooks, CREDENTIAL_REVOKED, "education.learner", learner.id,
                   {"credential_id": str(row.id), "reason": reason})
    return row


async def set_suspended(db: AsyncSession, principal: Principal, hooks: TenantHooks,
                        learner_id: uuid.UUID, credential_id: uuid.UUID, *, suspend: bool,
                        reason: str | None) -> IssuedCredential:
    """Suspend (the suspension list flags it until it is reinstated) or reinstate an issued
    credential. A revoked credential stays revoked: 409."""
    require_registrar(principal)
    learner, _ = await find_learner(db, principal, learner_id)
    row = (await db.execute(select(IssuedCredential).where(
        IssuedCredential.tenant_id == principal.tenant_id,
        IssuedCredential.learner_id == learner.id, IssuedCredential.id == credential_id)
        .with_for_update())).scalar_one_or_none()
    if row is None:
        raise not_found("Credential")
    if row.revoked_at is not None:
        raise conflict("The credential is revoked: it can be neither suspended nor reinstated")
    if suspend == (row.suspended_at is not None):
        return row  # already so: nothing to record
    row.suspended_at = datetime.now(UTC) if suspend else None
    row.suspension_reason = reason if suspend else None
    await db.flush()
    detail = {"credential": str(row.id), "reason": reason,
              "status": "suspended" if suspend else "reinstated"}
    await audit.record(db, principal, audit.UPDATE, "education.learner", learner.id,
                       detail=detail)
    await emit(db, principal, hooks, CREDENTIAL_SUSPENDED if suspend else CREDENTIAL_REINSTATED,
               "education.learner", learner.id,
               {"credential_id": str(row.id), "reason": reason})
    return row


async def status_list(db: AsyncSession, tenant_id: uuid.UUID, tenant_name: str, secret: str,
                      base: str, purpose: str = "revocation") -> str:
    """The tenant's revocation or suspension list as a signed BitstringStatusListCredential
    (VC-JWT)."""
    issuer = build.Issuer(tenant_id, tenant_name, base)
    flagged = (IssuedCredential.revoked_at if purpose == "revocation"
               else IssuedCredential.suspended_at)
    bits = set((await db.execute(select(IssuedCredential.status_index).where(
        IssuedCredential.tenant_id == tenant_id, flagged.is_not(None)))).scalars())
    key, kid = await keys.signing_key(db, tenant_id, secret)
    url = issuer.list_url(purpose)
    credential = {
        "@context": [build.VC_V2], "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer.profile(), "validFrom": build.stamp(datetime.now(UTC)),
        "credentialSubject": {"id": f"{url}#list", "type": "BitstringStatusList",
                              "statusPurpose": purpose, "encodedList": status.encode(bits)},
    }
    return sign(credential, key, f"{issuer.jwks_url}#{kid}")


# --- import and recognition ---------------------------------------------------------------


def _day(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        return None


def _proposals(part: Verified, ours: dict[str, tuple[Outcome, str]]) -> list[dict[str, Any]]:
    """The outcomes an achievement credential proves, at the level achieved, matched to
    ours by framework URI (unmatched ones stay listed, for the registrar to map)."""
    subject = part.credential.get("credentialSubject") or {}
    achievement = subject.get("achievement") or {}
    levels: dict[str, str] = {}
    descriptions = {d.get("id"): d for d in achievement.get("resultDescription") or []
                    if isinstance(d, dict)}
    for result in subject.get("result") or []:
        described = descriptions.get(result.get("resultDescription")) or {}
        for a in described.get("alignment") or []:
            if isinstance(a, dict) and isinstance(a.get("targetUrl"), str):
                levels[a["targetUrl"]] = str(result.get("value", ""))
    found = []
    for a in achievement.get("alignment") or []:
        if not isinstance(a, dict) or not isinstance(a.get("targetUrl"), str):
            continue
        match = ours.get(a["targetUrl"])
        level = levels.get(a["targetUrl"], "")
        found.append({"target_url": a["targetUrl"], "target_name": str(a.get("targetName", "")),
                      "target_code": a.get("targetCode"),
                      "level": int(level) if level.isdigit() and 1 <= int(level) <= 5 else 1,
                      "outcome_id": str(match[0].id) if match else None,
                      "match": match[1] if match else None})
    return found


def _credits_earned(subject: dict[str, Any], achievement: dict[str, Any]) -> Decimal | None:
    """``creditsEarned`` of the subject, else the achievement's ``creditsAvailable``."""
    for value in (subject.get("creditsEarned"), achievement.get("creditsAvailable")):
        if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value < 1e5:
            return Decimal(str(round(float(value), 1)))
    return None


async def import_credential(db: AsyncSession, principal: Principal, hooks: TenantHooks,
                            learner_id: uuid.UUID, token: str) -> list[Achievement]:
    require_registrar(principal)
    learner, _ = await find_learner(db, principal, learner_id)
    try:
        verified = await verify(fetch, token)
    except Refused as refused:
        raise invalid("credential", refused.reason) from refused
    parts = verified.parts or [verified]
    ours = await matcher(db, principal.tenant_id)
    settings = await load_settings(db, principal.tenant_id, "education", EducationSettings)
    filed: list[Achievement] = []
    for part in parts:
        subject = part.credential.get("credentialSubject") or {}
        achievement = subject.get("achievement") or {}
        issued = (_day(part.credential.get("awardedDate"))
                  or _day(part.credential.get("validFrom"))
                  or _day(part.credential.get("issuanceDate")) or date.today())
        kind = {"Degree": "degree", "Certificate": "certificate",
                "MicroCredential": "micro-credential"}.get(
            str(achievement.get("achievementType")), "certificate")
        row = Achievement(
            tenant_id=principal.tenant_id, learner_id=learner.id, kind=kind,
            title=str(achievement.get("name") or part.credential.get("name") or "Achievement")
            [:200], issuer_name=part.issuer_name[:200], issued_on=issued,
            expires_on=_day(part.credential.get("validUntil")
                            or part.credential.get("expirationDate")),
            imported=True, decision="pending", alignments=_proposals(part, ours),
            credits=_credits_earned(subject, achievement),
            credential={**({"jwt": part.token} if part.proof == "jwt"
                           else {"document": part.credential}),
                        "proof": part.proof, "issuer": part.issuer_id,
                        "id": part.credential.get("id"),
                        "verified_at": build.stamp(datetime.now(UTC))})
        db.add(row)
        filed.append(row)
    await db.flush()
    await audit.record(db, principal, audit.CREATE, "education.learner", learner.id,
                       detail={"imported": [str(a.id) for a in filed],
                               "issuer": verified.issuer_id})
    await emit(db, principal, hooks, CREDENTIAL_IMPORTED, "education.learner", learner.id,
               {"issuer": verified.issuer_id, "achievements": [str(a.id) for a in filed]})
    if settings.auto_recognise:
        for row in filed:
            if row.alignments and all(a.get("match") in EXACT for a in row.alignments):
                await decide(db, principal, hooks, learner.id, row.id, accept=True,
                             note="recognised automatically: every outcome matched exactly")
    return filed


async def decide(db: AsyncSession, principal: Principal, hooks: TenantHooks,
                 learner_id: uuid.UUID, achievement_id: uuid.UUID, *, accept: bool,
                 note: str | None, mapping: dict[str, uuid.UUID] | None = None,
                 credit_unit: str | None = None) -> Achievement:
    """A registrar's decision on an imported achievement. Accepting records the outcomes
    it proves as held, at the level originally achieved and from the day it was awarded
    (so a course's age limit still applies). ``mapping``: target URL → our outcome, for
    alignments the framework URIs did not match."""
    require_registrar(principal)
    learner, _ = await find_learner(db, principal, learner_id)
    row = (await db.execute(select(Achievement).where(
        Achievement.tenant_id == principal.tenant_id, Achievement.learner_id == learner.id,
        Achievement.id == achievement_id, Achievement.imported.is_(True))
        .with_for_update())).scalar_one_or_none()
    if row is None:
        raise not_found("Imported achievement")
    if row.decision != "pending":
        raise conflict(f"Already decided: {row.decision}")
    recognised: list[str] = []
    if accept:
        mapping = mapping or {}
        known = set((await db.execute(select(Outcome.id).where(
            Outcome.tenant_id == principal.tenant_id,
            Outcome.id.in_(list(mapping.values()))))).scalars()) if mapping else set()
        for url, outcome in mapping.items():
            if outcome not in known:
                raise invalid(f"mapping.{url}", f"unknown outcome {outcome}")
        alignments = []
        for a in row.alignments:
            chosen = mapping.get(a["target_url"]) or (
                uuid.UUID(a["outcome_id"]) if a.get("outcome_id") else None)
            alignments.append({**a, "outcome_id": str(chosen) if chosen else None,
                               "match": "registrar" if a["target_url"] in mapping
                               else a.get("match")})
            if chosen is None:
                continue
            db.add(Holding(tenant_id=principal.tenant_id, learner_id=learner.id,
                           outcome_id=chosen, level=a["level"], source="recognised",
                           achievement_id=row.id, achieved_on=row.issued_on,
                           expires_on=row.expires_on))
            recognised.append(str(chosen))
        row.alignments = alignments
    if credit_unit is not None:
        if row.credits is None:
            raise invalid("credit_unit", "the credential names no credits earned")
        if accept:
            row.credit_unit = credit_unit
    row.decision = "accepted" if accept else "rejected"
    await db.flush()
    detail = {"achievement": str(row.id), "decision": row.decision, "note": note,
              "outcomes": recognised, "evidence": (row.credential or {}).get("id"),
              "credits": None if row.credit_unit is None else [float(row.credits or 0),
                                                               row.credit_unit]}
    await audit.record(db, principal, audit.UPDATE, "education.learner", learner.id,
                       detail=detail)
    # Subscribers (mail, the learner portal) tell the learner: the event is the notice.
    await emit(db, principal, hooks, RECOGNITION_DECIDED, "education.learner", learner.id,
               detail)
    return row
