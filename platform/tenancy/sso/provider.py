"""Talking to a tenant's OpenID Connect provider: discovery, its signing keys, the code
exchange, and every check of the ID token. A provider that cannot be reached or answers
something malformed is a 502 naming what failed; a token that fails a check is a 401 naming
the check. Metadata and keys are cached per process for ``CACHE_SECONDS``; a token signed
with a key id the cached set lacks makes one fresh fetch of the set (key rotation)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from rapport.errors import RapportError, unauthorized

CACHE_SECONDS = 300
# A fresh fetch of the keys because of an unknown kid happens at most this often per set,
# so tokens with made-up key ids cannot make us hammer the provider.
REFETCH_SECONDS = 10
TIMEOUT_SECONDS = 5.0
MAX_DOCUMENT_BYTES = 512 * 1024
LEEWAY_SECONDS = 60
# Asymmetric signatures only: "none" and HMAC (keyed with the client secret) are refused.
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384",
              "ES512", "EdDSA")
SCOPES = "openid email profile"


def bad_gateway(detail: str) -> RapportError:
    return RapportError(detail=detail, status=502, title="Bad gateway")


@dataclass(frozen=True)
class Metadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    algorithms: tuple[str, ...]
    # How the provider wants the client secret: client_secret_basic or client_secret_post.
    auth_methods: tuple[str, ...]


_metadata: dict[str, tuple[float, Metadata]] = {}
_keys: dict[str, tuple[float, KeySet]] = {}


def discovery_url(issuer: str) -> str:
    return issuer.rstrip("/") + "/.well-known/openid-configuration"


async def _get_json(url: str, what: str) -> Any:
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS, follow_redirects=False) as http:
            response = await http.get(url, headers={"Accept": "application/json"})
    except httpx.HTTPError as exc:
        raise bad_gateway(
            f"The identity provider could not be reached for its {what} at {url} "
            f"({type(exc).__name__})"
        ) from exc
    if response.status_code != 200:
        raise bad_gateway(f"The identity provider's {what} at {url} answered HTTP "
                          f"{response.status_code}")
    if len(response.content) > MAX_DOCUMENT_BYTES:
        raise bad_gateway(f"The identity provider's {what} at {url} is too large")
    try:
        return response.json()
    except ValueError as exc:
        raise bad_gateway(f"The identity provider's {what} at {url} is not JSON") from exc


def _endpoint(document: dict[str, Any], name: str, url: str) -> str:
    value = document.get(name)
    parts = urlsplit(value) if isinstance(value, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        raise bad_gateway(f"The discovery document at {url} has no valid {name}")
    return str(value)


def _parse_metadata(issuer: str, document: Any, url: str) -> Metadata:
    if not isinstance(document, dict):
        raise bad_gateway(f"The discovery document at {url} is not a JSON object")
    # OpenID Connect Discovery 1.0, 4.3: the document's issuer is exactly the one asked for.
    if document.get("issuer") != issuer:
        raise bad_gateway(
            f"The discovery document at {url} names the issuer "
            f"{document.get('issuer')!r}, not {issuer!r}"
        )
    endpoints = {name: _endpoint(document, name, url)
                 for name in ("authorization_endpoint", "token_endpoint", "jwks_uri")}
    offered = document.get("id_token_signing_alg_values_supported", ["RS256"])
    if not isinstance(offered, list):
        raise bad_gateway(f"The discovery document at {url} has a malformed "
                          "id_token_signing_alg_values_supported")
    algorithms = tuple(a for a in offered if a in ALGORITHMS)
    if not algorithms:
        raise bad_gateway(f"The identity provider at {issuer} signs ID tokens with none of "
                          f"{', '.join(ALGORITHMS)}")
    challenges = document.get("code_challenge_methods_supported")
    if isinstance(challenges, list) and "S256" not in challenges:
        raise bad_gateway(f"The identity provider at {issuer} does not support PKCE (S256)")
    methods = document.get("token_endpoint_auth_methods_supported", ["client_secret_basic"])
    if not isinstance(methods, list):
        methods = ["client_secret_basic"]
    return Metadata(issuer, endpoints["authorization_endpoint"], endpoints["token_endpoint"],
                    endpoints["jwks_uri"], algorithms, tuple(str(m) for m in methods))


async def metadata(issuer: str, *, fresh: bool = False) -> Metadata:
    """The provider's metadata from ``<issuer>/.well-known/openid-configuration``."""
    cached = _metadata.get(issuer)
    if cached and not fresh and cached[0] > time.monotonic():
        return cached[1]
    url = discovery_url(issuer)
    found = _parse_metadata(issuer, await _get_json(url, "discovery document"), url)
    _metadata[issuer] = (time.monotonic() + CACHE_SECONDS, found)
    return found


async def _fetch_keys(jwks_uri: str) -> KeySet:
    document = await _get_json(jwks_uri, "signing keys (JWKS)")
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise bad_gateway(f"The signing keys at {jwks_uri} are not a JWKS document")
    usable = [k for k in document["keys"]
              if isinstance(k, dict) and k.get("use", "sig") == "sig" and k.get("kty") != "oct"]
    try:
        keys = KeySet.import_key_set({"keys": usable})
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise bad_gateway(f"The signing keys at {jwks_uri} are malformed") from exc
    if not keys.keys:
        raise bad_gateway(f"The signing keys at {jwks_uri} hold no public signing key")
    return keys


async def signing_keys(jwks_uri: str, *, fresh: bool = False) -> KeySet:
    """The provider's public keys, cached; ``fresh`` refetches them (at most every
    ``REFETCH_SECONDS``)."""
    cached = _keys.get(jwks_uri)
    now = time.monotonic()
    if cached:
        expires, keys = cached
        fetched = expires - CACHE_SECONDS
        if (not fresh and expires > now) or (fresh and now - fetched < REFETCH_SECONDS):
            return keys
    keys = await _fetch_keys(jwks_uri)
    _keys[jwks_uri] = (now + CACHE_SECONDS, keys)
    return keys


async def check_connection(issuer: str) -> tuple[Metadata, int]:
    """Fetch and validate the discovery document and the keys afresh (the admin's "test
    connection"): the metadata and how many signing keys were found."""
    found = await metadata(issuer, fresh=True)
    keys = await _fetch_keys(found.jwks_uri)
    _keys[found.jwks_uri] = (time.monotonic() + CACHE_SECONDS, keys)
    return found, len(keys.keys)


# ---------------------------------------------------------------- the code exchange


async def exchange_code(
    found: Metadata, *, client_id: str, client_secret: str | None, code: str,
    redirect_uri: str, code_verifier: str,
) -> str:
    """The ID token for ``code`` (RFC 6749 4.1.3 with PKCE's verifier)."""
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
            "code_verifier": code_verifier, "client_id": client_id}
    auth: httpx.BasicAuth | None = None
    if client_secret:
        if "client_secret_basic" in found.auth_methods or \
                "client_secret_post" not in found.auth_methods:
            auth = httpx.BasicAuth(client_id, client_secret)
        else:
            form["client_secret"] = client_secret
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS, follow_redirects=False) as http:
            response = await http.post(found.token_endpoint, data=form,
                                       auth=auth or httpx.USE_CLIENT_DEFAULT,
                                       headers={"Accept": "application/json"})
    except httpx.HTTPError as exc:
        raise bad_gateway(f"The identity provider's token endpoint {found.token_endpoint} "
                          f"could not be reached ({type(exc).__name__})") from exc
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code in (400, 401) and isinstance(body, dict) and "error" in body:
        # invalid_grant: a used, expired or foreign code; invalid_client: wrong secret.
        error = str(body["error"])[:60]
        raise RapportError(
            detail=f"The identity provider refused the sign-in code ({error}); start again",
            status=400, title="Sign-in refused",
        )
    if response.status_code != 200 or not isinstance(body, dict):
        raise bad_gateway(f"The identity provider's token endpoint answered HTTP "
                          f"{response.status_code} without a token")
    token = body.get("id_token")
    if not isinstance(token, str) or not token:
        raise bad_gateway("The identity provider's token answer holds no id_token")
    return token


# ---------------------------------------------------------------- the ID token


def _refused(check: str) -> RapportError:
    return unauthorized(f"The identity provider's ID token was refused: {check}")


async def _decode(token: str, found: Metadata) -> dict[str, Any]:
    keys = await signing_keys(found.jwks_uri)
    try:
        try:
            return dict(jwt.decode(token, keys, algorithms=list(found.algorithms)).claims)
        except InvalidKeyIdError:
            keys = await signing_keys(found.jwks_uri, fresh=True)
            return dict(jwt.decode(token, keys, algorithms=list(found.algorithms)).claims)
    except JoseError as exc:
        raise _refused(f"its signature does not verify with the provider's keys "
                       f"({exc.error})") from exc
    except (ValueError, TypeError, KeyError) as exc:
        raise _refused("it is malformed") from exc


def _number(claims: dict[str, Any], name: str) -> float:
    value = claims.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _refused(f"{name} is missing")
    return float(value)


async def verify_id_token(
    token: str, found: Metadata, *, issuer: str, client_id: str, nonce: str
) -> dict[str, Any]:
    """The ID token's claims once every check passed (OpenID Connect Core 3.1.3.7):
    signature, ``iss``, ``aud`` (and ``azp``), ``exp``/``iat`` within a minute's leeway,
    ``nonce``, a ``sub``."""
    claims = await _decode(token, found)
    if claims.get("iss") != issuer:
        raise _refused("it was issued by another provider (iss)")
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if client_id not in audiences:
        raise _refused("it was issued to another client (aud)")
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise _refused("it was issued to another party (azp)")
    now = time.time()
    if _number(claims, "exp") < now - LEEWAY_SECONDS:
        raise _refused("it has expired (exp)")
    if _number(claims, "iat") > now + LEEWAY_SECONDS:
        raise _refused("it was issued in the future (iat)")
    if claims.get("nonce") != nonce:
        raise _refused("its nonce is not the one this sign-in sent")
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject or len(subject) > 255:
        raise _refused("its subject (sub) is missing")
    return claims
