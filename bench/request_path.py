"""The shared request path over real HTTP: Rapport (``rapport run``) against the minimal
baseline of ``bench.baseline_app`` (same JWT check, same principal query, hand-written SQL
over a raw psycopg pool, one transaction with the tenant set), both on uvicorn with the
same number of worker processes, on 127.0.0.1, one embedded PostgreSQL.

Load comes from wrk (Debian's ``wrk``: C, keep-alive, one thread, so it leaves the cores to
the servers as far as a 2-core machine allows). Rounds are interleaved — each round runs
every (request, clients) pair against Rapport and against the baseline, in alternating
order — and each figure is the median over rounds; ratios are taken round by round.

    python -m bench.request_path                        # 1 worker each, c=1 and c=32
    python -m bench.request_path --workers 2 --scaling  # also 1 vs 2 processes
    python -m bench.request_path --rounds 5 --seconds 8
    python -m bench.request_path --servers              # Rapport on uvicorn vs granian

Before any load, both servers' answers are compared (JSON parsed; timestamps normalised,
PostgreSQL's ``+00:00`` against msgspec's ``Z``).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

# Every subprocess here is this repository's own command (rapport, uvicorn, wrk).
# ruff: noqa: S603, S607

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-request-path-" + "s" * 40
PASSWORD = "correct horse battery staple"  # noqa: S105 - a bench tenant's


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    name: str
    base: str
    process: subprocess.Popen[bytes]
    log: Path

    # Generous: on a shared 2-core machine (load average 15+) the first start, which runs
    # every migration, took over two minutes.
    def wait_ready(self, path: str, within: float = 400.0) -> None:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name} exited:\n{self.log.read_text()[-3000:]}")
            try:
                if httpx.get(self.base + path, timeout=2).status_code < 500:
                    return
            except httpx.HTTPError:
                # Not listening yet: poll again after the pause, until the deadline.
                time.sleep(0.3)
                continue
            time.sleep(0.3)
        raise SystemExit(f"{self.name} not ready:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _env(data: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAPPORT_")}
    env.update(RAPPORT_DATA_DIR=str(data), RAPPORT_SECRET_KEY=SECRET,
               RAPPORT_LOGIN_SLOWDOWN_SECONDS="0", PYTHONUNBUFFERED="1", **extra)
    return env


def start_rapport(data: Path, workers: int, tmp: Path, **env: str) -> Server:
    """``rapport run --workers N`` on 127.0.0.1 with the bench's key; ``env`` adds settings
    (e.g. ``RAPPORT_DATABASE_URL`` for a database other than the embedded one)."""
    port = _free_port()
    log = tmp / f"rapport-{workers}.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "rapport.cli", "run", "--workers", str(workers)], cwd=ROOT,
        env=_env(data, RAPPORT_HOST="127.0.0.1", RAPPORT_PORT=str(port), **env),
        stdout=log.open("w"), stderr=subprocess.STDOUT)
    server = Server(f"rapport ({workers} workers)", f"http://127.0.0.1:{port}", process, log)
    server.wait_ready("/healthz")
    return server


def start_baseline(dsn: str, workers: int, tmp: Path) -> Server:
    port = _free_port()
    log = tmp / f"baseline-{workers}.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "bench.baseline_app:app", "--host", "127.0.0.1",
         "--port", str(port), "--workers", str(workers), "--log-level", "warning",
         "--no-access-log"], cwd=ROOT,
        env={**os.environ, "BENCH_APP_DSN": dsn, "BENCH_SECRET_KEY": SECRET},
        stdout=log.open("w"), stderr=subprocess.STDOUT)
    server = Server(f"baseline ({workers} workers)", f"http://127.0.0.1:{port}", process, log)
    server.wait_ready("/api/v1/me")
    return server


def start_worker_app(server: str, data: Path, dsn_url: str, workers: int, tmp: Path) -> Server:
    """Rapport's worker app (``rapport.serving:worker_app``) under ``server`` directly, with
    the environment ``rapport run`` hands its workers (for comparing HTTP servers)."""
    port = _free_port()
    log = tmp / f"{server}-{workers}.log"
    env = _env(data, RAPPORT_WORKER_DATABASE_URL=dsn_url, RAPPORT_WORKER_POOL="10,10")
    if server == "granian":
        command = [sys.executable, "-m", "granian", "--interface", "asgi", "--factory",
                   "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
                   "--loop", "uvloop", "--log-level", "warning", "--no-access-log",
                   "rapport.serving:worker_app"]
    else:
        command = [sys.executable, "-m", "uvicorn", "--factory", "rapport.serving:worker_app",
                   "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
                   "--log-level", "warning", "--no-access-log"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("w"),
                               stderr=subprocess.STDOUT)
    started = Server(f"rapport on {server}", f"http://127.0.0.1:{port}", process, log)
    started.wait_ready("/healthz")
    return started


@dataclass
class Seeded:
    token: str
    contact_id: str


def seed(base: str, contacts: int) -> Seeded:
    """A tenant through the API: its owner, ``contacts`` contacts with emails, phones and
    tags, and one contact with an owner, an organization, open deals and tasks and a few
    interactions (the contact page's every section filled)."""
    c = httpx.Client(base_url=base, timeout=30)
    slug = "bench-" + os.urandom(3).hex()
    email = f"owner@{slug}.example.com"
    r = c.post("/api/v1/signup", json={
        "organization": {"name": "Bench Org", "slug": slug},
        "admin": {"email": email, "password": PASSWORD, "full_name": "Olena Owner"}})
    assert r.status_code == 201, r.text
    r = c.post("/api/v1/auth/login", json={"tenant": slug, "email": email,
                                           "password": PASSWORD})
    assert r.status_code == 200, r.text
    token = r.json()["access_token"]
    c.cookies.clear()
    h = {"Authorization": f"Bearer {token}"}
    me = c.get("/api/v1/me", headers=h).json()
    ids = []
    for i in range(contacts):
        r = c.post("/api/v1/contacts", headers=h, json={
            "given_name": f"Given{i}", "family_name": f"Family{i}",
            "emails": [{"address": f"p{i}@example.com", "primary": True},
                       {"address": f"p{i}@work.example.com"}],
            "phones": [{"number": f"+38044{i:07d}"}],
            "tags": ["vip", f"t{i % 7}"], "owner_id": me["user"]["id"],
        })
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    probe = ids[len(ids) // 2]
    org = c.post("/api/v1/organizations", headers=h, json={"name": "Kyiv Works"}).json()
    r = c.post(f"/api/v1/contacts/{probe}/organizations", headers=h,
               json={"organization_id": org["id"], "role": "buyer"})
    assert r.status_code == 201, r.text
    for n in range(2):
        r = c.post("/api/v1/deals", headers=h, json={
            "title": f"Deal {n}", "amount": "1500.5", "currency": "EUR", "contact_id": probe})
        assert r.status_code == 201, r.text
        r = c.post("/api/v1/tasks", headers=h, json={"title": f"Call back {n}",
                                                      "contact_id": probe})
        assert r.status_code == 201, r.text
    for n in range(3):
        r = c.post("/api/v1/interactions", headers=h, json={
            "contact_id": probe, "kind": "call", "subject": f"Call {n}"})
        assert r.status_code == 201, r.text
    return Seeded(token, probe)


STAMP = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(?:Z|\+00:00)")


def _stamp(m: re.Match[str]) -> str:
    # PostgreSQL's JSON drops a fraction's trailing zeros (.96035), msgspec writes six (.960350).
    fraction = (m.group(2) or "").rstrip("0").rstrip(".")
    return f"{m.group(1)}{fraction}Z"


def _normal(body: str) -> Any:
    return json.loads(STAMP.sub(_stamp, body))


def same_answers(rapport: str, baseline: str, paths: list[str], token: str) -> None:
    h = {"Authorization": f"Bearer {token}"}
    for path in paths:
        a = httpx.get(rapport + path, headers=h, timeout=10)
        b = httpx.get(baseline + path, headers=h, timeout=10)
        assert a.status_code == b.status_code == 200, (path, a.text, b.text)
        if _normal(a.text) != _normal(b.text):
            raise SystemExit(f"answers differ for {path}:\n{a.text}\n{b.text}")


@dataclass
class Load:
    rps: float
    p50_ms: float
    requests: int = 0
    cpu_ms: float = 0.0  # the server's user+system CPU per request (all its processes)


_TICK = os.sysconf("SC_CLK_TCK")


def _tree(pid: int) -> list[int]:
    """``pid`` and every process below it (uvicorn's supervisor and its workers)."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
                todo.extend(int(c) for c in (task / "children").read_text().split())
        except OSError:
            continue  # gone meanwhile
    return found


def cpu_seconds(pid: int) -> float:
    """User+system CPU so far of the server's process tree, from /proc (steadier than
    throughput on a shared machine: other load slows a server, it does not bill it)."""
    total = 0
    for p in _tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / _TICK


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(url: str, token: str, clients: int, seconds: float, pid: int | None = None) -> Load:
    before = cpu_seconds(pid) if pid else 0.0
    out = subprocess.run(
        ["wrk", "-t1", f"-c{clients}", f"-d{seconds:g}s", "--latency", "--timeout", "10s",
         "-H", f"Authorization: Bearer {token}", url],
        capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in out or "Socket errors" in out:
        raise SystemExit(f"errors under load:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    used = cpu_seconds(pid) - before if pid else 0.0
    m = re.search(r"50%\s+([\d.]+)(us|ms|s)", out)
    assert m, out
    n = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    return Load(rps, float(m.group(1)) * UNITS[m.group(2)], n, used * 1000 / max(n, 1))


@contextmanager
def embedded(data: Path) -> Iterator[str]:
    """The embedded server, started here so that restarting ``rapport run`` (which then
    only joins it) leaves it running; yields the app role's libpq DSN."""
    from rapport.db.embedded import pgdata, start_embedded, stop_embedded
    from rapport.db.urls import libpq_url

    db = start_embedded(data, cleanup=None, app_password="rapport_app")
    try:
        yield libpq_url(db.app_url)
    finally:
        stop_embedded(pgdata(data))


def measure(pairs: dict[str, Server], paths: dict[str, str], token: str, clients: list[int],
            rounds: int, seconds: float) -> dict[tuple[str, str, int], list[Load]]:
    results: dict[tuple[str, str, int], list[Load]] = {}
    for r in range(rounds):
        for label, path in paths.items():
            for c in clients:
                order = list(pairs.items())
                if r % 2:
                    order.reverse()
                for side, server in order:
                    load = wrk(server.base + path, token, c, seconds, server.process.pid)
                    results.setdefault((side, label, c), []).append(load)
                    print(f"round {r + 1} {side:>10} {label:<28} c={c:<3}"
                          f" {load.rps:8.1f} req/s p50 {load.p50_ms:6.2f} ms"
                          f" cpu {load.cpu_ms:5.2f} ms/req load {os.getloadavg()[0]:4.1f}",
                          flush=True)
    return results


def ratio_median(a: list[Load], b: list[Load]) -> float:
    return statistics.median(x.rps / y.rps for x, y in zip(a, b, strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--contacts", type=int, default=120)
    parser.add_argument("--clients", default="1,32")
    parser.add_argument("--scaling", action="store_true",
                        help="also GET /contacts/{id} at 32 clients: 1 vs --workers processes")
    parser.add_argument("--servers", action="store_true",
                        help="only compare uvicorn and granian serving Rapport")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    # Both sides run on uvicorn, which uses uvloop and httptools only when they are installed
    # (project dependencies since issue 12); without them it falls back to asyncio and h11.
    missing = [m for m in ("uvloop", "httptools") if importlib.util.find_spec(m) is None]
    print("uvicorn on " + ("asyncio/h11 (missing: " + ", ".join(missing) + ")" if missing
                          else "uvloop/httptools") + f"; load average {os.getloadavg()[0]:.1f}")
    clients = [int(x) for x in args.clients.split(",")]
    tmp = Path(tempfile.mkdtemp(prefix="rapport-bench-http-"))
    data = tmp / "data"
    servers: list[Server] = []
    try:
        with embedded(data) as dsn:
            rapport = start_rapport(data, args.workers, tmp)
            servers.append(rapport)
            seeded = seed(rapport.base, args.contacts)
            if args.servers:
                compare_servers(data, tmp, args, seeded, clients, servers)
                return
            baseline = start_baseline(dsn, args.workers, tmp)
            servers.append(baseline)
            paths = {
                "GET /me": "/api/v1/me",
                "GET /contacts/{id}": f"/api/v1/contacts/{seeded.contact_id}",
                "GET /contacts?limit=50": "/api/v1/contacts?limit=50",
            }
            same_answers(rapport.base, baseline.base, list(paths.values()), seeded.token)
            for s in servers:  # warm both (imports, pools, caches)
                wrk(s.base + paths["GET /contacts/{id}"], seeded.token, 8, 2)
            pairs = {"rapport": rapport, "baseline": baseline}
            results = measure(pairs, paths, seeded.token, clients, args.rounds, args.seconds)
            print(f"\n{args.workers} worker process(es) each, {args.rounds} interleaved rounds"
                  f" of {args.seconds:g} s, median\n")
            print("| request | clients | Rapport req/s | baseline req/s | ratio |"
                  " Rapport p50 | baseline p50 |")
            print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
            for label in paths:
                for c in clients:
                    a, b = results[("rapport", label, c)], results[("baseline", label, c)]
                    print(f"| `{label}` | {c} | {statistics.median(x.rps for x in a):.0f} |"
                          f" {statistics.median(x.rps for x in b):.0f} |"
                          f" **{ratio_median(a, b):.2f}** |"
                          f" {statistics.median(x.p50_ms for x in a):.2f} ms |"
                          f" {statistics.median(x.p50_ms for x in b):.2f} ms |")
            print("\nServer CPU (user+system of its processes, /proc) per request, median:\n")
            print("| request | clients | Rapport CPU/req | baseline CPU/req | Rapport / baseline |")
            print("| --- | ---: | ---: | ---: | ---: |")
            for label in paths:
                for c in clients:
                    a, b = results[("rapport", label, c)], results[("baseline", label, c)]
                    ra = statistics.median(x.cpu_ms for x in a)
                    rb = statistics.median(x.cpu_ms for x in b)
                    print(f"| `{label}` | {c} | {ra:.2f} ms | {rb:.2f} ms | {ra / rb:.1f} |")
            if args.scaling and args.workers > 1:
                scaling(data, dsn, tmp, args, seeded, paths["GET /contacts/{id}"], servers)
    finally:
        for s in servers:
            s.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def compare_servers(data: Path, tmp: Path, args: argparse.Namespace, seeded: Seeded,
                    clients: list[int], servers: list[Server]) -> None:
    from rapport.db.embedded import start_embedded

    app_url = start_embedded(data, cleanup=None, app_password="rapport_app").app_url
    url = app_url.render_as_string(hide_password=False)
    pairs = {name: start_worker_app(name, data, url, args.workers, tmp)
             for name in ("uvicorn", "granian")}
    servers.extend(pairs.values())
    paths = {"GET /me": "/api/v1/me",
             "GET /contacts/{id}": f"/api/v1/contacts/{seeded.contact_id}"}
    for s in pairs.values():
        wrk(s.base + paths["GET /contacts/{id}"], seeded.token, 8, 2)
    results = measure(pairs, paths, seeded.token, clients, args.rounds, args.seconds)
    print(f"\n| Rapport, {args.workers} process(es) | clients | uvicorn req/s | granian req/s |"
          " granian / uvicorn |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for label in paths:
        for c in clients:
            u, g = results[("uvicorn", label, c)], results[("granian", label, c)]
            print(f"| `{label}` | {c} | {statistics.median(x.rps for x in u):.0f} |"
                  f" {statistics.median(x.rps for x in g):.0f} | **{ratio_median(g, u):.2f}** |")


def scaling(data: Path, dsn: str, tmp: Path, args: argparse.Namespace, seeded: Seeded,
            path: str, servers: list[Server]) -> None:
    """GET /contacts/{id} at 32 clients: 1 process against ``--workers``, for both apps."""
    singles = {"rapport": start_rapport(data, 1, tmp), "baseline": start_baseline(dsn, 1, tmp)}
    servers.extend(singles.values())
    many = {"rapport": servers[0], "baseline": servers[1]}
    for s in singles.values():
        wrk(s.base + path, seeded.token, 8, 2)
    got: dict[tuple[str, int], list[Load]] = {}
    for r in range(args.rounds):
        for side in ("rapport", "baseline"):
            for n, server in ((1, singles[side]), (args.workers, many[side]))[:: 1 - 2 * (r % 2)]:
                load = wrk(server.base + path, seeded.token, 32, args.seconds)
                got.setdefault((side, n), []).append(load)
                print(f"scaling round {r + 1} {side:>8} {n} process(es)"
                      f" {load.rps:8.1f} req/s", flush=True)
    print(f"\n| `GET /contacts/{{id}}`, 32 clients | 1 process req/s |"
          f" {args.workers} processes req/s | scaling |")
    print("| --- | ---: | ---: | ---: |")
    for side in ("rapport", "baseline"):
        one, n = got[(side, 1)], got[(side, args.workers)]
        print(f"| {side} | {statistics.median(x.rps for x in one):.0f} |"
              f" {statistics.median(x.rps for x in n):.0f} |"
              f" **{ratio_median(n, one):.2f}** |")


if __name__ == "__main__":
    main()
