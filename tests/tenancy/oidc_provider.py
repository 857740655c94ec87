"""A small but real OpenID Connect provider on loopback, for the SSO tests: discovery, a
JWKS, an authorization endpoint that signs in whoever the test says is at the keyboard (as
a provider where the person already has a session), and a token endpoint that checks the
client, the redirect URI, PKCE (S256) and single use of the code. ID tokens are RS256 JWTs
signed with joserfc (authlib's JOSE library) and checked by the app like any provider's.

A test steers what the provider does next through ``Provider`` fields: the person, claims
to override in the next ID token (a wrong nonce, an expired ``exp``, another ``aud``), a
signature with a key the JWKS does not publish, broken metadata.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey

from tests.loopback import serving


@dataclass
class Client:
    secret: str
    redirect_uris: set[str]


@dataclass
class Provider:
    issuer: str = ""
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(
        2048, parameters={"kid": secrets.token_hex(4)}))
    clients: dict[str, Client] = field(default_factory=dict)
    # Who is at the keyboard: the claims of the person the provider signs in.
    person: dict[str, Any] = field(default_factory=dict)
    # Merged into the next ID tokens' claims (None removes a claim).
    overrides: dict[str, Any] = field(default_factory=dict)
    # Sign with a key the JWKS does not publish (a forged token).
    rogue_key: RSAKey | None = None
    # Replaces the discovery document's body (malformed metadata).
    metadata_body: bytes | None = None
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    issued: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def register(self, client_id: str, secret: str, redirect_uri: str) -> None:
        self.clients[client_id] = Client(secret, {redirect_uri})

    def sign_in_as(self, sub: str, email: str, *, verified: bool = True,
                   name: str = "Sam Single") -> None:
        self.person = {"sub": sub, "email": email, "email_verified": verified, "name": name}

    def metadata(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic",
                                                      "client_secret_post"],
            "scopes_supported": ["openid", "email", "profile"],
        }

    def id_token(self, client_id: str, nonce: str | None) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {"iss": self.issuer, "aud": client_id, "iat": now,
                                  "exp": now + 300, **self.person}
        if nonce is not None:
            claims["nonce"] = nonce
        for name, value in self.overrides.items():
            if value is None:
                claims.pop(name, None)
            else:
                claims[name] = value
        key = self.rogue_key or self.key
        return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def handler_for(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the tests assert on what the app does, not on this log."""

        def _send(self, status: int, body: Any, content_type: str = "application/json",
                  headers: dict[str, str] | None = None) -> None:
            raw = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(raw)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(raw)

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            if parts.path == "/.well-known/openid-configuration":
                if provider.metadata_body is not None:
                    self._send(200, provider.metadata_body)
                else:
                    self._send(200, provider.metadata())
            elif parts.path == "/jwks":
                self._send(200, {"keys": [provider.key.as_dict(private=False, use="sig",
                                                               alg="RS256")]})
            elif parts.path == "/authorize":
                self._authorize({k: v[0] for k, v in parse_qs(parts.query).items()})
            else:
                self._send(404, {"error": "not_found"})

        def _authorize(self, q: dict[str, str]) -> None:
            client = provider.clients.get(q.get("client_id", ""))
            if client is None or q.get("redirect_uri") not in client.redirect_uris:
                self._send(400, {"error": "invalid_request"})
                return
            if q.get("response_type") != "code" or "openid" not in q.get("scope", "").split() \
                    or q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
                self._send(400, {"error": "invalid_request"})
                return
            code = secrets.token_urlsafe(24)
            with provider.lock:
                provider.codes[code] = {
                    "client_id": q["client_id"], "redirect_uri": q["redirect_uri"],
                    "nonce": q.get("nonce"), "challenge": q["code_challenge"], "used": False,
                }
                provider.issued.append(code)
            target = f"{q['redirect_uri']}?{urlencode({'code': code, 'state': q['state']})}"
            self._send(302, b"", "text/plain", {"Location": target})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if urlsplit(self.path).path != "/token":
                self._send(404, {"error": "not_found"})
                return
            client_id, secret = form.get("client_id", ""), form.get("client_secret")
            header = self.headers.get("Authorization", "")
            if header.startswith("Basic "):
                client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
            client = provider.clients.get(client_id)
            if client is None or secret != client.secret:
                self._send(401, {"error": "invalid_client"})
                return
            with provider.lock:
                grant = provider.codes.get(form.get("code", ""))
                if grant is None or grant["used"] or grant["client_id"] != client_id \
                        or grant["redirect_uri"] != form.get("redirect_uri") \
                        or _challenge(form.get("code_verifier", "")) != grant["challenge"]:
                    self._send(400, {"error": "invalid_grant"})
                    return
                grant["used"] = True
            self._send(200, {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer",
                             "expires_in": 300,
                             "id_token": provider.id_token(client_id, grant["nonce"])})

    return Handler


@contextmanager
def running_provider() -> Iterator[Provider]:
    """A provider on a free loopback port for the length of the block."""
    provider = Provider()
    with serving(handler_for(provider)) as base:
        provider.issuer = base
        yield provider
