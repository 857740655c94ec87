"""Two-factor sign-in under concurrency, against the app behind a real uvicorn on loopback:
one code sent at once on several sign-ins of the same person is accepted exactly once (the
used step is stored in one conditional UPDATE), and one recovery code raced on several
sign-ins signs in exactly once."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pyotp
import pytest
import uvicorn

from rapport.app import create_app
from rapport.tenancy.totp import STEP_SECONDS
from tests.conftest import make_settings, unique

PARALLEL = 6


@pytest.fixture(scope="module")
def server(database) -> Iterator[str]:
    """The app on a free loopback port; a pair limit high enough for one person's many
    parallel sign-ins from one address (the throttle has its own tests)."""
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    app = create_app(make_settings(login_lockout_after=1000, login_slowdown_after=1000),
                     database.app_url)
    running = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=lambda: asyncio.run(running.serve(sockets=[listening])),
                              daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not running.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{listening.getsockname()[1]}"
    finally:
        running.should_exit = True
        thread.join(timeout=30)
        listening.close()


def _person_with_2fa(base: str) -> tuple[str, str, str, str, list[str]]:
    slug = unique("race")
    email, password = f"owner@{slug}.example.com", "correct horse battery staple"
    api = httpx.Client(base_url=base, timeout=60)
    r = api.post("/api/v1/signup", json={
        "organization": {"name": "Race", "slug": slug},
        "admin": {"email": email, "password": password, "full_name": "Rita Race"}})
    assert r.status_code == 201, r.text
    token = api.post("/api/v1/auth/login", json={"tenant": slug, "email": email,
                                                 "password": password}).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    secret = api.post("/api/v1/me/2fa/totp", headers=headers).json()["secret"]
    r = api.post("/api/v1/me/2fa/totp/confirm", headers=headers,
                 json={"code": pyotp.TOTP(secret).now()})
    assert r.status_code == 200, r.text
    return slug, email, password, secret, r.json()["recovery_codes"]


def _challenges(base: str, slug: str, email: str, password: str, n: int) -> list[str]:
    found = []
    for _ in range(n):
        r = httpx.post(f"{base}/api/v1/auth/login", timeout=60,
                       json={"tenant": slug, "email": email, "password": password})
        assert r.status_code == 401, r.text
        found.append(r.json()["challenge"]["token"])
    return found


def _race(base: str, bodies: list[dict]) -> list[httpx.Response]:
    barrier = threading.Barrier(len(bodies))

    def send(body: dict) -> httpx.Response:
        with httpx.Client(base_url=base, timeout=60) as c:
            barrier.wait()
            return c.post("/api/v1/auth/login/2fa", json=body)

    with ThreadPoolExecutor(len(bodies)) as pool:
        return list(pool.map(send, bodies))


def test_one_code_raced_on_several_sign_ins_is_accepted_once(server):
    slug, email, password, secret, _ = _person_with_2fa(server)
    challenges = _challenges(server, slug, email, password, PARALLEL)
    # The confirming code spent this step; the next step's code is good now (one step of
    # clock drift is allowed, rapport.tenancy.totp.DRIFT_STEPS).
    code = pyotp.TOTP(secret).at(time.time() + STEP_SECONDS)
    answers = _race(server, [{"challenge": c, "code": code} for c in challenges])
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] + [401] * (PARALLEL - 1), [a.text for a in answers]
    refused = [a.json()["detail"] for a in answers if a.status_code == 401]
    assert all("already used" in d for d in refused), refused


def test_one_recovery_code_raced_signs_in_once(server):
    slug, email, password, _, codes = _person_with_2fa(server)
    challenges = _challenges(server, slug, email, password, PARALLEL)
    answers = _race(server, [{"challenge": c, "recovery_code": codes[3]} for c in challenges])
    assert sorted(a.status_code for a in answers) == [200] + [401] * (PARALLEL - 1)
