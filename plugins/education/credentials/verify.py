"""Verifying a credential issued elsewhere: its signature against the key its issuer
publishes (same origin as the issuer's id), its validity dates, and its status lists.
Two proof formats: a VC-JWT (the key from the issuer's JWKS, named by ``kid``), or a JSON
credential with a Data Integrity proof (``eddsa-rdfc-2022``; the key from the issuer's
profile — its ``verificationMethod`` list —, or a ``did:key`` that is the issuer itself).
Every refusal names its reason; nothing is trusted before the signature is checked."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, OKPKey

from rapport_plugins.education.credentials import integrity, status
from rapport_plugins.education.credentials.jwt import ACCEPTED, unverified

Fetch = Callable[[str], Awaitable[bytes]]
ENVELOPE = "data:application/vc+jwt,"


class Refused(Exception):
    """The credential is not accepted; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Verified:
    credential: dict[str, Any]
    issuer_id: str
    issuer_name: str
    token: str  # the VC-JWT, or the JSON text of a Data Integrity credential
    proof: str  # "jwt" | "data_integrity"
    # For a CLR: its achievement credentials, each verified on its own.
    parts: list[Verified] = field(default_factory=list)

    @property
    def types(self) -> list[str]:
        found = self.credential.get("type", [])
        return [found] if isinstance(found, str) else list(found)


def _origin(url: str) -> tuple[str, str]:
    split = urlsplit(url)
    return split.scheme, split.netloc


def _when(value: Any, what: str) -> datetime:
    if not isinstance(value, str):
        raise Refused(f"{what} is missing or not a date-time")
    try:
        found = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise Refused(f"{what} is not a date-time: {value!r}") from exc
    return found if found.tzinfo else found.replace(tzinfo=UTC)


async def _fetch_json(fetch: Fetch, url: str, what: str) -> Any:
    try:
        return json.loads(await fetch(url))
    except Refused:
        raise
    except Exception as exc:  # network, HTTP status, JSON: all mean "cannot be found"
        raise Refused(f"the issuer's {what} cannot be fetched from {url}: {exc}") from exc


async def _keys(fetch: Fetch, kid: str, issuer_id: str) -> tuple[KeySet, str]:
    url, _, thumb = kid.partition("#")
    if not url.startswith(("https://", "http://")) or not thumb:
        raise Refused("the signature's kid must be the URL of the issuer's JWKS and a key id")
    if _origin(url) != _origin(issuer_id):
        raise Refused("the signing key is not published by the issuer (another origin)")
    found = await _fetch_json(fetch, url, "keys")
    keys = [k for k in (found.get("keys") if isinstance(found, dict) else None) or []
            if isinstance(k, dict) and k.get("kid") == thumb]
    if not keys:
        raise Refused("the issuer does not publish the key that signed the credential")
    try:
        return KeySet.import_key_set({"keys": keys}), thumb
    except Exception as exc:
        raise Refused(f"the issuer's key cannot be read: {exc}") from exc


async def _signed(fetch: Fetch, token: str) -> tuple[dict[str, Any], str]:
    """The verified payload and the issuer's id."""
    try:
        header, payload = unverified(token)
    except ValueError as exc:
        raise Refused(str(exc)) from exc
    if header.get("alg") not in ACCEPTED:
        raise Refused(f"unsupported or missing signature algorithm: {header.get('alg')!r}")
    inner = payload.get("vc")
    credential: dict[str, Any] = inner if isinstance(inner, dict) else payload
    issuer = credential.get("issuer", payload.get("iss"))
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if not isinstance(issuer_id, str) or not issuer_id:
        raise Refused("the credential names no issuer")
    kid = header.get("kid")
    if not isinstance(kid, str):
        raise Refused("the signature names no key (kid)")
    keys, thumb = await _keys(fetch, kid, issuer_id)
    try:
        jws.deserialize_compact(token.strip(), keys.get_by_kid(thumb),
                                algorithms=[header["alg"]])
    except (JoseError, ValueError) as exc:
        raise Refused("the signature does not match the credential (tampered?)") from exc
    return payload, issuer_id


async def _check_status(fetch: Fetch, credential: dict[str, Any], issuer_id: str) -> None:
    entries = credential.get("credentialStatus")
    for entry in ([entries] if isinstance(entries, dict) else entries or []):
        if not isinstance(entry, dict) or entry.get("type") != "BitstringStatusListEntry":
            continue
        url = entry.get("statusListCredential")
        if not isinstance(url, str) or _origin(url) != _origin(issuer_id):
            raise Refused("the status list is not published by the issuer")
        try:
            body = (await fetch(url)).decode().strip()
        except Exception as exc:
            raise Refused(f"the issuer's status list cannot be fetched: {exc}") from exc
        if body.startswith("{"):
            listed = await _proved(fetch, _document(body))
            list_issuer = _issuer_id(listed)
        else:
            listed, list_issuer = await _signed(fetch, body)
        if list_issuer != issuer_id:
            raise Refused("the status list was signed by someone else")
        subject = listed.get("credentialSubject", {})
        try:
            flagged = status.is_set(str(subject.get("encodedList", "")),
                                    int(entry.get("statusListIndex", -1)))
        except ValueError as exc:
            raise Refused(f"the status list cannot be read: {exc}") from exc
        if flagged:
            purpose = entry.get("statusPurpose", "revocation")
            raise Refused({"revocation": "the issuer has revoked the credential",
                           "suspension": "the issuer has suspended the credential"}.get(
                str(purpose), f"the credential's status is set ({purpose})"))


def _issuer_id(credential: dict[str, Any]) -> str:
    issuer = credential.get("issuer")
    found = issuer.get("id") if isinstance(issuer, dict) else issuer
    if not isinstance(found, str) or not found:
        raise Refused("the credential names no issuer")
    return found


def _document(text: str) -> dict[str, Any]:
    try:
        found = json.loads(text)
    except ValueError as exc:
        raise Refused("the credential is neither a compact JWS nor JSON") from exc
    if not isinstance(found, dict):
        raise Refused("the credential must be a JSON object")
    return found


def _ed25519(method: dict[str, Any]) -> Ed25519PublicKey:
    if method.get("type") == "Multikey":
        return integrity.public_key(method.get("publicKeyMultibase", ""))
    if method.get("type") == "JsonWebKey" and isinstance(method.get("publicKeyJwk"), dict):
        try:
            found = OKPKey.import_key(method["publicKeyJwk"]).public_key
        except Exception as exc:
            raise Refused(f"the issuer's key cannot be read: {exc}") from exc
        if isinstance(found, Ed25519PublicKey):
            return found
    raise Refused("the issuer's key is not an Ed25519 Multikey or JsonWebKey")


async def _method_key(fetch: Fetch, method_id: str, issuer_id: str) -> Ed25519PublicKey:
    """The public key a Data Integrity proof names, as its issuer publishes it."""
    if method_id.startswith("did:key:"):
        did = method_id.split("#", 1)[0]
        if did != issuer_id:
            raise Refused("the signing key (did:key) is not the issuer's")
        return integrity.public_key(did.removeprefix("did:key:"))
    url, _, fragment = method_id.partition("#")
    if not url.startswith(("https://", "http://")) or not fragment:
        raise Refused("the proof's verificationMethod must be a did:key or a URL with a "
                      "fragment naming one of the issuer's keys")
    if _origin(url) != _origin(issuer_id):
        raise Refused("the signing key is not published by the issuer (another origin)")
    document = await _fetch_json(fetch, url, "profile")
    methods = document.get("verificationMethod") if isinstance(document, dict) else None
    method = next((m for m in methods or [] if isinstance(m, dict)
                   and m.get("id") == method_id), None)
    if method is None:
        raise Refused("the issuer does not publish the key that signed the credential")
    if method.get("controller", issuer_id) != issuer_id:
        raise Refused("the signing key is controlled by someone other than the issuer")
    allowed = document.get("assertionMethod")
    if isinstance(allowed, list) and not any(
            a == method_id or (isinstance(a, dict) and a.get("id") == method_id)
            for a in allowed):
        raise Refused("the issuer does not use the key that signed the credential for "
                      "assertions")
    return _ed25519(method)


async def _proved(fetch: Fetch, document: dict[str, Any]) -> dict[str, Any]:
    """The document, once its Data Integrity proof holds with its issuer's key."""
    issuer_id = _issuer_id(document)
    try:
        proof = integrity.proof_of(document)
        key = await _method_key(fetch, proof["verificationMethod"], issuer_id)
        integrity.check(document, key)
    except integrity.Invalid as exc:
        raise Refused(str(exc)) from exc
    return document


async def _checked(fetch: Fetch, credential: dict[str, Any], issuer_id: str, token: str,
                   proof: str, now: datetime) -> Verified:
    """Dates, status lists and type of a credential whose signature held."""
    if not isinstance(credential.get("@context"), list) or not credential["@context"]:
        raise Refused("the credential has no @context")
    starts = credential.get("validFrom", credential.get("issuanceDate"))
    if _when(starts, "validFrom") > now:
        raise Refused("the credential is not valid yet")
    ends = credential.get("validUntil", credential.get("expirationDate"))
    if ends is not None and _when(ends, "validUntil") <= now:
        raise Refused("the credential has expired")
    await _check_status(fetch, credential, issuer_id)
    issuer = credential.get("issuer")
    name = issuer.get("name") if isinstance(issuer, dict) else None
    found = Verified(credential, issuer_id, str(name or issuer_id), token, proof)
    if "ClrCredential" in found.types:
        subject = credential.get("credentialSubject") or {}
        for inner in subject.get("verifiableCredential") or []:
            inner_id = inner.get("id", "") if isinstance(inner, dict) else ""
            if isinstance(inner, dict) and "proof" in inner:
                part = await _verify_document(fetch, inner, now)
            elif isinstance(inner_id, str) and inner_id.startswith(ENVELOPE):
                part = await _verify_jwt(fetch, inner_id[len(ENVELOPE):], now)
            else:
                raise Refused("a CLR's achievement credentials must each be signed (an "
                              "enveloped VC-JWT or an embedded Data Integrity proof)")
            found.parts.append(part)
    elif not {"OpenBadgeCredential", "AchievementCredential"} & set(found.types):
        raise Refused("neither a CLR 2.0 ClrCredential nor an Open Badges 3.0 credential")
    return found


async def _verify_jwt(fetch: Fetch, token: str, now: datetime) -> Verified:
    payload, issuer_id = await _signed(fetch, token)
    credential = payload["vc"] if isinstance(payload.get("vc"), dict) else payload
    return await _checked(fetch, credential, issuer_id, token, "jwt", now)


async def _verify_document(fetch: Fetch, document: dict[str, Any],
                           now: datetime) -> Verified:
    await _proved(fetch, document)
    return await _checked(fetch, document, _issuer_id(document),
                          json.dumps(document, ensure_ascii=False), "data_integrity", now)


async def verify(fetch: Fetch, credential: str, *, now: datetime | None = None) -> Verified:
    """A VC-JWT (VC 2.0, or VC 1.1 with a ``vc`` claim and ``issuanceDate``) or the JSON
    text of a credential with a Data Integrity proof; for a CLR, each achievement
    credential in it as well (enveloped VC-JWT or embedded proof)."""
    now = now or datetime.now(UTC)
    text = credential.strip()
    if text.startswith("{"):
        return await _verify_document(fetch, _document(text), now)
    return await _verify_jwt(fetch, text, now)
