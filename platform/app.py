"""The Litestar application factory: wires settings, database, auth and every area's routes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from rapport import migrations
from rapport.core.contacts.controllers import ContactController
from rapport.db.session import make_engine, make_sessionmaker
from rapport.logs import configure_logging
from rapport.settings import Settings
from rapport.tenancy.controllers import AccountController, MemberController
from rapport.web.auth import TokenAuthentication
from rapport.web.deps import DEPENDENCIES
from rapport.web.health import healthz, readyz
from rapport.web.problems import HANDLERS
from rapport.web.request_id import request_id_middleware
from sqlalchemy.engine import URL

KERNEL_ROUTES = [AccountController, MemberController, ContactController, healthz, readyz]


def create_app(
    settings: Settings,
    app_db_url: URL | str,
    *,
    extra_routes: Sequence[Any] = (),
    extra_dependencies: Mapping[str, Any] | None = None,
) -> Litestar:
    """Build the app. ``extra_routes``/``extra_dependencies`` let tests mount handlers."""
    settings.check()
    configure_logging(settings.log_json)

    @asynccontextmanager
    async def database(app: Litestar) -> AsyncIterator[None]:
        engine = make_engine(app_db_url)
        app.state.engine = engine
        app.state.sessionmaker = make_sessionmaker(engine)
        try:
            yield
        finally:
            await engine.dispose()

    auth = DefineMiddleware(
        TokenAuthentication,
        exclude=["^/schema", "^/healthz", "^/readyz"],
    )
    openapi = OpenAPIConfig(
        title="Rapport API",
        version="1",
        path="/schema",
        components=Components(
            security_schemes={
                "bearer": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")
            }
        ),
        security=[{"bearer": []}],
    )
    app = Litestar(
        route_handlers=[*KERNEL_ROUTES, *extra_routes],
        dependencies={**DEPENDENCIES, **(extra_dependencies or {})},
        middleware=[request_id_middleware, auth],
        exception_handlers=HANDLERS,
        lifespan=[database],
        openapi_config=openapi,
        request_max_body_size=settings.max_body_bytes,
        debug=False,
        logging_config=None,
    )
    app.state.settings = settings
    app.state.expected_heads = migrations.heads()
    return app
