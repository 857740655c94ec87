"""The JSON-LD shapes of Open Badges 3.0 and CLR 2.0 (W3C VC Data Model 2.0): every
property the specs require, in the order of their contexts."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CLR_V2 = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
PREFIX = "/api/v1/education/issuer"


@dataclass(frozen=True)
class Issuer:
    tenant_id: uuid.UUID
    name: str
    base: str  # scheme://host[:port] of this deployment

    @property
    def id(self) -> str:
        return f"{self.base}{PREFIX}?org={self.tenant_id}"

    @property
    def jwks_url(self) -> str:
        return f"{self.base}{PREFIX}/jwks?org={self.tenant_id}"

    @property
    def status_url(self) -> str:
        return f"{self.base}{PREFIX}/status?org={self.tenant_id}"

    @property
    def suspension_url(self) -> str:
        return f"{self.status_url}&purpose=suspension"

    def list_url(self, purpose: str) -> str:
        return self.suspension_url if purpose == "suspension" else self.status_url

    def method(self, kid: str) -> str:
        """The Data Integrity ``verificationMethod``: a key the issuer's profile lists."""
        return f"{self.id}#{kid}"

    def profile(self) -> dict[str, Any]:
        return {"id": self.id, "type": ["Profile"], "name": self.name}


def stamp(at: datetime) -> str:
    return at.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def midnight(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def urn(*parts: object) -> str:
    """A stable ``urn:uuid`` for a thing of ours (UUIDv5 over its parts)."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, '/'.join(str(p) for p in parts))}"


def identity(email: str | None, learner_id: uuid.UUID) -> list[dict[str, Any]]:
    """The learner as a salted hash of their e-mail (OB 3.0 IdentityObject), or of their
    id here when there is no address — never the address itself."""
    kind, value = ("emailAddress", email.strip().lower()) if email else ("identifier",
                                                                          str(learner_id))
    salt = secrets.token_hex(8)
    digest = hashlib.sha256((value + salt).encode()).hexdigest()
    return [{"type": "IdentityObject", "identityHash": f"sha256${digest}",
             "identityType": kind, "hashed": True, "salt": salt}]


def status_entries(issuer: Issuer, index: int) -> list[dict[str, Any]]:
    """The credential's place in the issuer's revocation list and its suspension list."""
    return [{"id": f"{issuer.list_url(purpose)}#{index}", "type": "BitstringStatusListEntry",
             "statusPurpose": purpose, "statusListIndex": str(index),
             "statusListCredential": issuer.list_url(purpose)}
            for purpose in ("revocation", "suspension")]


@dataclass(frozen=True)
class Taught:
    outcome_id: uuid.UUID
    code: str
    title: str
    level: int
    framework_uri: str | None
    framework_name: str | None


def alignment(issuer: Issuer, t: Taught) -> dict[str, Any]:
    found: dict[str, Any] = {
        "type": ["Alignment"], "targetName": t.title,
        "targetUrl": t.framework_uri or f"{issuer.id}&outcome={t.code}",
        "targetCode": t.code,
    }
    if t.framework_name:
        found["targetFramework"] = t.framework_name
    return found


def course_achievement(issuer: Issuer, *, course_id: uuid.UUID, code: str, title: str,
                       description: str | None, credits: float, language: str,
                       taught: list[Taught], grades: list[str]) -> dict[str, Any]:
    descriptions: list[dict[str, Any]] = [{
        "id": urn(issuer.tenant_id, course_id, "grade"), "type": ["ResultDescription"],
        "name": "Grade", "resultType": "LetterGrade", "allowedValue": list(grades)}]
    descriptions += [{
        "id": urn(issuer.tenant_id, course_id, t.outcome_id), "type": ["ResultDescription"],
        "name": f"Proficiency: {t.title}", "resultType": "PerformanceLevel",
        "alignment": [alignment(issuer, t)], "valueMin": "1", "valueMax": "5"} for t in taught]
    return {
        "id": urn(issuer.tenant_id, "course", course_id), "type": ["Achievement"],
        "achievementType": "Course", "name": title,
        "description": description or f"The course {code} {title}",
        "criteria": {"narrative": "Completed the course with a passing grade on the "
                                  "institution's grading scale."},
        "creditsAvailable": credits, "humanCode": code, "inLanguage": language,
        "alignment": [alignment(issuer, t) for t in taught],
        "resultDescription": descriptions,
    }


def award_achievement(issuer: Issuer, *, achievement_id: uuid.UUID, kind: str,
                      title: str) -> dict[str, Any]:
    types = {"degree": "Degree", "certificate": "Certificate",
             "micro-credential": "MicroCredential"}
    return {"id": urn(issuer.tenant_id, "award", achievement_id), "type": ["Achievement"],
            "achievementType": types.get(kind, "Achievement"), "name": title,
            "description": f"{title} ({kind}), awarded by {issuer.name}",
            "criteria": {"narrative": f"Awarded by {issuer.name} under its regulations."}}


def achievement_credential(issuer: Issuer, *, credential_id: uuid.UUID, learner_id: uuid.UUID,
                           ident: list[dict[str, Any]], achievement: dict[str, Any],
                           awarded: date, results: list[dict[str, Any]],
                           credits: float | None, valid_until: date | None,
                           status_index: int, now: datetime) -> dict[str, Any]:
    subject: dict[str, Any] = {"id": f"urn:uuid:{learner_id}", "type": ["AchievementSubject"],
                               "identifier": ident, "achievement": achievement}
    if results:
        subject["result"] = results
    if credits is not None:
        subject["creditsEarned"] = credits
    found: dict[str, Any] = {
        "@context": [VC_V2, OB_V3], "id": f"urn:uuid:{credential_id}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": achievement["name"], "issuer": issuer.profile(), "validFrom": stamp(now),
        "awardedDate": midnight(awarded), "credentialSubject": subject,
        "credentialStatus": status_entries(issuer, status_index),
    }
    if valid_until is not None:
        found["validUntil"] = midnight(valid_until)
    return found


def clr_credential(issuer: Issuer, *, credential_id: uuid.UUID, learner_id: uuid.UUID,
                   learner_name: str, ident: list[dict[str, Any]],
                   inner: list[dict[str, Any]],
                   achievements: list[dict[str, Any]], status_index: int,
                   now: datetime) -> dict[str, Any]:
    return {
        "@context": [VC_V2, CLR_V2, OB_V3], "id": f"urn:uuid:{credential_id}",
        "type": ["VerifiableCredential", "ClrCredential"],
        "name": f"Comprehensive learner record: {learner_name}", "issuer": issuer.profile(),
        "validFrom": stamp(now),
        "credentialSubject": {
            "id": f"urn:uuid:{learner_id}", "type": ["ClrSubject"], "identifier": ident,
            # Each achievement credential keeps its own signature: a VC 2.0 envelope of
            # its VC-JWT (``enveloped``), or the credential with its own embedded proof.
            "verifiableCredential": inner,
            "achievement": achievements,
        },
        "credentialStatus": status_entries(issuer, status_index),
    }


def enveloped(token: str) -> dict[str, Any]:
    """A VC-JWT carried inside another credential (VC 2.0 EnvelopedVerifiableCredential)."""
    return {"@context": [VC_V2], "id": f"data:application/vc+jwt,{token}",
            "type": "EnvelopedVerifiableCredential"}
