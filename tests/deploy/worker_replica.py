"""One ``rapport worker`` process for tests/deploy/test_workers.py: the same run (migration
check, passes, SIGTERM handling) with the installed plugins plus a probe consumer that
appends each event it is handed to a shared log (one line, O_APPEND: lines never mix).
An event named with given_name "Slow" first waits for advisory lock 42, which the test
holds, so a pass is under way when the test sends SIGTERM.

    python -m tests.deploy.worker_replica LOG
"""

from __future__ import annotations

import asyncio
import os
import sys
import types

from sqlalchemy import text

from rapport import worker
from rapport.hooks import PluginManifest, hookimpl, load_registry
from rapport.logs import configure_logging
from rapport.settings import Settings

PROBE = "replica_probe"


def _append(path: str, line: str) -> None:
    """One short line, appended in one write (O_APPEND): several processes never mix."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND)
    try:
        os.write(fd, (line + "\n").encode())
    finally:
        os.close(fd)


def probe(log_path: str) -> types.ModuleType:
    mod = types.ModuleType(PROBE)

    def manifest() -> PluginManifest:
        return PluginManifest(PROBE, "Replica probe", "1.0")

    async def committed(event) -> None:
        if event.payload.get("given_name") == "Slow":
            await event.session.execute(text("SELECT pg_advisory_xact_lock(42)"))
        _append(log_path, f"{event.id} {os.getpid()}")

    mod.rapport_manifest = hookimpl(manifest)
    mod.rapport_event_committed = hookimpl(committed)
    return mod


def main() -> None:
    log_path = sys.argv[1]
    configure_logging(json=True)
    settings = Settings.from_env()
    app_url = os.environ["RAPPORT_APP_DATABASE_URL"]
    registry = load_registry(settings.blocked_plugins, extra=[(PROBE, probe(log_path))])
    worker.check_migrations(app_url, registry)

    async def start() -> worker.WorkerRun:
        _append(log_path, f"ready {os.getpid()}")
        return await worker.run(app_url, registry, interval=0.05)

    result = asyncio.run(start())
    print(f"delivered {result.delivered} stopped_by {result.stopped_by}")


if __name__ == "__main__":
    main()
