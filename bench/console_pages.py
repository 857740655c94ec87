"""Console pages against the same data as JSON, over real HTTP, in one run: each main full
page (home, the contact list, a customer page, the deals board) fetched as a signed-in
person's browser does (the ``rapport_session`` cookie; the whole HTML page with its layout,
navigation and translations) against the API requests that carry the same data (bearer
token; JSON). Target: each page within 2x of its JSON.

One ``rapport run`` process on 127.0.0.1 with its embedded PostgreSQL, one client on a
keep-alive connection, requests one after another (latency, not throughput). Rounds are
interleaved — every page and its JSON in turn — and each figure is the median of the
rounds' medians; the ratio is taken round by round.

    python -m bench.console_pages                      # 5 rounds of 40 requests each
    python -m bench.console_pages --rounds 3 --requests 20 --contacts 200

The JSON side of each page (what a single-page app would fetch to draw it):

- home: my open tasks, my deals, my notifications, the 8 contacts changed last;
- contact list: ``GET /api/v1/contacts?limit=25`` (the page shows 25 rows);
- customer page: the contact (with its page sections: owner, organizations, deals, tasks,
  colleagues) and its timeline (``/api/v1/interactions?contact_id=``);
- deals board: ``GET /api/v1/deals?stage=<key>&limit=20`` for each of the six stages.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from bench.request_path import Seeded, Server, embedded, seed, start_rapport

STAGES = ("lead", "qualified", "proposal", "negotiation", "won", "lost")


def pages(seeded: Seeded) -> dict[str, tuple[str, list[str]]]:
    """Each page: (its console path, the API paths of the same data)."""
    c = seeded.contact_id
    return {
        "home": ("/", [
            "/api/v1/tasks?assignee=me&open=true&limit=50", "/api/v1/deals?owner=me&limit=50",
            "/api/v1/notifications?limit=8", "/api/v1/contacts?limit=8&sort=-updated_at"]),
        "contact list": ("/contacts", ["/api/v1/contacts?limit=25"]),
        "customer page": (f"/contacts/{c}", [
            f"/api/v1/contacts/{c}", f"/api/v1/interactions?contact_id={c}&limit=50"]),
        "deals board": ("/deals", [f"/api/v1/deals?stage={s}&limit=20" for s in STAGES]),
    }


def timed(client: httpx.Client, paths: list[str], requests: int) -> float:
    """Median ms to fetch every path in ``paths`` once (one after another)."""
    samples = []
    for _ in range(requests):
        start = time.perf_counter()
        for path in paths:
            r = client.get(path)
            if r.status_code != 200:
                raise SystemExit(f"{path}: {r.status_code} {r.text[:300]}")
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--contacts", type=int, default=120)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="rapport-bench-console-"))
    data = tmp / "data"
    server: Server | None = None
    try:
        with embedded(data):
            server = start_rapport(data, 1, tmp)
            seeded = seed(server.base, args.contacts)
            _deals(server.base, seeded)
            html = httpx.Client(base_url=server.base, timeout=30,
                                cookies={"rapport_session": seeded.token})
            api = httpx.Client(base_url=server.base, timeout=30,
                               headers={"Authorization": f"Bearer {seeded.token}"})
            shown = pages(seeded)
            for label, (path, _) in shown.items():  # a page, not the sign-in redirect
                r = html.get(path, follow_redirects=False)
                assert r.status_code == 200 and "<h1" in r.text, (label, r.status_code)
            for client, which in ((html, 0), (api, 1)):  # warm: imports, pools, templates
                for entry in shown.values():
                    timed(client, [entry[0]] if which == 0 else entry[1], 5)
            results: dict[str, list[tuple[float, float]]] = {k: [] for k in shown}
            for _ in range(args.rounds):
                for label, (path, json_paths) in shown.items():
                    page_ms = timed(html, [path], args.requests)
                    json_ms = timed(api, json_paths, args.requests)
                    results[label].append((page_ms, json_ms))
            print(f"\n1 worker process, {args.contacts} contacts, {args.rounds} interleaved"
                  f" rounds of {args.requests} sequential requests, median\n")
            print("| page | HTML page | same data as JSON | JSON requests | ratio | within 2x |")
            print("| --- | ---: | ---: | ---: | ---: | :---: |")
            for label, rounds in results.items():
                page = statistics.median(p for p, _ in rounds)
                json_ms = statistics.median(j for _, j in rounds)
                ratio = statistics.median(p / j for p, j in rounds)
                print(f"| {label} | {page:.1f} ms | {json_ms:.1f} ms |"
                      f" {len(shown[label][1])} | **{ratio:.2f}** |"
                      f" {'yes' if ratio <= 2 else 'no'} |")
    finally:
        if server is not None:
            server.stop()


def _deals(base: str, seeded: Seeded) -> None:
    """A board worth drawing: 60 deals spread over the stages (the seed made 2)."""
    c = httpx.Client(base_url=base, timeout=30,
                     headers={"Authorization": f"Bearer {seeded.token}"})
    moves = ("qualify", "propose", "negotiate", "lose")
    for n in range(60):
        r = c.post("/api/v1/deals", json={"title": f"Board deal {n}", "amount": "250",
                                          "currency": "EUR", "contact_id": seeded.contact_id})
        assert r.status_code == 201, r.text
        move = moves[n % 5] if n % 5 < 4 else None
        if move:
            r = c.post(f"/api/v1/deals/{r.json()['id']}/transitions/{move}", json={})
            assert r.status_code == 200, r.text


if __name__ == "__main__":
    main()
