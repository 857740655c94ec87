"""Every route guard of the live app is a coroutine function: Litestar runs a plain
function guard in its thread pool (``litestar.utils.sync.AsyncCallable``), a thread hop on
every request of the routes it guards — the plugin API, console pages, settings."""

from __future__ import annotations

import inspect

from litestar.testing import TestClient
from litestar.utils.sync import AsyncCallable


def test_no_route_guard_runs_in_a_thread(client: TestClient) -> None:
    handlers = [
        handler
        for route in client.app.routes
        for handler in getattr(route, "route_handlers", [])
    ]
    checked = 0
    for handler in handlers:
        for guard in handler.resolve_guards():
            checked += 1
            assert not isinstance(guard, AsyncCallable), (
                f"{handler}: guard {guard.func.__qualname__} is a plain function")
            assert inspect.iscoroutinefunction(guard), f"{handler}: {guard!r}"
    # The plugin API and the console are guarded: the walk reached them.
    assert checked > 100
