"""Verifying a credential issued elsewhere: its signature against the key its issuer
publishes (same origin as the issuer's id), its validity dates, and its status list.
Every refusal names its reason; nothing is trusted before the signature is checked."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from rapport_plugins.education.credentials import status
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
    token: str
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
            raise Refused("the issuer has revoked the credential" if purpose == "revocation"
                          else f"the credential's status is set ({purpose})")


async def verify(fetch: Fetch, token: str, *, now: datetime | None = None) -> Verified:
    """A VC-JWT (VC 2.0, or VC 1.1 with a ``vc`` claim and ``issuanceDate``), and for a
    CLR each enveloped achievement credential in it."""
    now = now or datetime.now(UTC)
    payload, issuer_id = await _signed(fetch, token)
    credential = payload["vc"] if isinstance(payload.get("vc"), dict) else payload
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
    found = Verified(credential, issuer_id, str(name or issuer_id), token)
    if "ClrCredential" in found.types:
        subject = credential.get("credentialSubject") or {}
        for inner in subject.get("verifiableCredential") or []:
            inner_id = inner.get("id", "") if isinstance(inner, dict) else ""
            if not inner_id.startswith(ENVELOPE):
                raise Refused("a CLR's achievement credentials must each be signed (enveloped "
                              "VC-JWT)")
            part = await verify(fetch, inner_id[len(ENVELOPE):], now=now)
            found.parts.append(part)
    elif not {"OpenBadgeCredential", "AchievementCredential"} & set(found.types):
        raise Refused("neither a CLR 2.0 ClrCredential nor an Open Badges 3.0 credential")
    return found
