"""A stand-in peer deployment for token tests: a key pair, its JWKS served on loopback,
and client assertions built the way a peer (or an attacker) would."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from joserfc import jwt
from joserfc.jwk import ECKey

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
TOKEN_URL = "http://testserver/api/v1/medical/federation/token"


@contextmanager
def jwks_server(keys: list[ECKey]) -> Iterator[str]:
    body = json.dumps({"keys": [{**k.as_dict(private=False), "kid": k.thumbprint()}
                                for k in keys]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            """Quiet: the test reads what the fake provider served, not its log lines."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/{uuid.uuid4().hex}/jwks.json"
    finally:
        server.shutdown()
        server.server_close()


def assertion(key: ECKey, client_id: str, *, aud: str = TOKEN_URL, exp_in: float = 120,
              jti: str | None = None, alg: str = "ES384", **header: Any) -> str:
    now = int(time.time())
    claims = {"iss": client_id, "sub": client_id, "aud": aud, "iat": now,
              "exp": int(now + exp_in), "jti": jti or uuid.uuid4().hex}
    return jwt.encode({"alg": alg, "kid": key.thumbprint(), **header}, claims, key,
                      algorithms=[alg])


def token_request(client: Any, signed: str) -> Any:
    return client.post("/api/v1/medical/federation/token", data={
        "grant_type": "client_credentials", "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": signed, "scope": "system/*.read"})
