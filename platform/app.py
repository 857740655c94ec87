"""The Litestar application factory: settings, database, auth, and every route that the
kernel areas and the installed plugins register through the ``rapport_routes`` hook."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar
from litestar.middleware import DefineMiddleware
from sqlalchemy.engine import URL

from rapport import migrations, telemetry
from rapport.db.direct import close_lane
from rapport.db.session import make_engine, make_sessionmaker
from rapport.hooks import PluginRegistry, load_registry
from rapport.logs import configure_logging
from rapport.plugin_checks import verify_declarations
from rapport.settings import Settings
from rapport.web.auth import TokenAuthentication
from rapport.web.contract.document import publish
from rapport.web.deps import DEPENDENCIES
from rapport.web.health import healthz, readyz
from rapport.web.http_methods import head_as_get
from rapport.web.json_body import DepthLimitedRequest
from rapport.web.metrics import metrics
from rapport.web.openapi import openapi_config
from rapport.web.plugins import route_handlers
from rapport.web.problems import HANDLERS
from rapport.web.request_id import request_middleware
from rapport.web.security_headers import security_headers
from rapport.web.strict_query import refuse_numbers_as_moments


def build_registry(settings: Settings) -> PluginRegistry:
    registry = load_registry(blocked=settings.blocked_plugins)
    verify_declarations(registry)
    return registry


def create_app(
    settings: Settings,
    app_db_url: URL | str,
    *,
    registry: PluginRegistry | None = None,
    extra_routes: Sequence[Any] = (),
    extra_dependencies: Mapping[str, Any] | None = None,
    pool_size: int = 10,
    max_overflow: int = 10,
) -> Litestar:
    """Build the app. ``registry`` defaults to the installed plugins; ``extra_routes`` and
    ``extra_dependencies`` let tests mount handlers; ``rapport run`` sizes the pool of each
    worker process (``rapport.serving``)."""
    settings.check()
    configure_logging(settings.log_json)
    registry = registry or build_registry(settings)

    @asynccontextmanager
    async def database(app: Litestar) -> AsyncIterator[None]:
        engine = make_engine(app_db_url, pool_size=pool_size, max_overflow=max_overflow)
        app.state.engine = engine
        app.state.sessionmaker = make_sessionmaker(engine)
        telemetry.watch_pool(engine, pool_size + max_overflow)
        telemetry.trace_statements(engine)
        try:
            yield
        finally:
            # The request lane's parked connections first (rapport.db.direct), so that
            # dispose closes them with the rest of the pool.
            await close_lane(engine)
            telemetry.unwatch_pool(engine, pool_size + max_overflow)
            telemetry.flush_traces()
            await engine.dispose()

    auth = DefineMiddleware(
        TokenAuthentication,
        exclude=["^/schema", "^/healthz", "^/readyz", "^/metrics$"],
    )
    app = Litestar(
        route_handlers=[healthz, readyz, metrics, *route_handlers(registry), *extra_routes],
        dependencies={**DEPENDENCIES, **(extra_dependencies or {})},
        # One middleware for the request id and log line, OPTIONS, deprecation headers
        # and the request's transaction (rapport.web.request_id), then authentication.
        middleware=[request_middleware, auth],
        # Not a route middleware: it must also cover the router's own 404/405 answers.
        before_send=[security_headers(production=settings.production)],
        request_class=DepthLimitedRequest,
        # Layers that set their own (the console, FHIR) read no date-time from the query.
        before_request=refuse_numbers_as_moments,
        exception_handlers=HANDLERS,
        lifespan=[database],
        openapi_config=openapi_config(registry, settings),
        request_max_body_size=settings.max_body_bytes,
        debug=False,
        logging_config=None,
    )
    # HEAD as GET, and HEAD in every 405's Allow: around the router (rapport.web.http_methods).
    app.asgi_handler = head_as_get(app.asgi_handler)
    app.state.settings = settings
    app.state.registry = registry
    publish(app, registry)
    app.state.expected_heads = migrations.heads(registry.migration_locations())
    app.state.known_revisions = migrations.known(registry.migration_locations())
    app.state.lineage = migrations.lineage(registry.migration_locations())
    return app
