"""The API reference pages under ``/schema``, served entirely from our own origin.

Litestar's render plugins load their scripts, styles, fonts and favicon from CDNs and start
them with inline scripts: offline they render a blank page, and they need a loose CSP.
Here Swagger UI's files ship inside the package (``static/swagger_ui``: ``swagger-ui-dist``
from npm, unmodified, with its licence; how to update them is in docs/api.md) and the page
starts it from a script file of ours, so the docs run under the same policy as everything
else: ``script-src 'self'``, no inline script, nothing from elsewhere.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from litestar import Request, Router
from litestar.datastructures import CacheControlHeader
from litestar.openapi.plugins import (
    JsonRenderPlugin,
    OpenAPIRenderPlugin,
    YamlRenderPlugin,
)
from litestar.static_files import create_static_files_router

SWAGGER_UI_VERSION = "5.35.0"
ASSETS = Path(__file__).parent / "static" / "swagger_ui"
# Relative to the OpenAPI router (``/schema``): the assets need no authentication, as the
# whole of /schema, and sit next to the page that uses them.
ASSETS_PATH = "/assets"


class SwaggerPage(OpenAPIRenderPlugin):
    """Swagger UI at ``/schema`` and ``/schema/swagger``, reading the JSON document by URL.

    Litestar's own ``SwaggerRenderPlugin`` inlines the document and the start-up code in a
    ``<script>``; this page has no inline script or style at all."""

    def __init__(self, *, docs_path: str = "/schema") -> None:
        super().__init__(path=["/", "/swagger"], favicon="", style="")
        self.assets = f"{docs_path}{ASSETS_PATH}"

    def render(self, request: Request, openapi_schema: dict[str, Any]) -> bytes:
        title = escape(str(openapi_schema["info"]["title"]))
        spec_url = escape(self.get_openapi_json_route(request))
        a = self.assets
        return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" type="image/png" href="{a}/favicon-32x32.png">
<link rel="stylesheet" href="{a}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-spec-url="{spec_url}"></div>
<script src="{a}/swagger-ui-bundle.js"></script>
<script src="{a}/rapport-init.js"></script>
</body>
</html>
""".encode()

    def receive_router(self, router: Router) -> None:
        """Serve the assets from the OpenAPI router itself (``/schema/assets/…``)."""
        router.register(
            create_static_files_router(
                path=ASSETS_PATH,
                directories=[ASSETS],
                name="api_docs_assets",
                # The files change only with a release of Rapport.
                cache_control=CacheControlHeader(max_age=86400, public=True),
                include_in_schema=False,
            )
        )


def render_plugins(docs_path: str = "/schema") -> list[OpenAPIRenderPlugin]:
    """The pages under ``docs_path``: Swagger UI (the root page), the document as JSON and
    as YAML. Redoc, Elements and RapiDoc are not offered: each would be another bundle to
    ship and keep current for the same operations (and Redoc needs inline styles)."""
    return [
        SwaggerPage(docs_path=docs_path),
        JsonRenderPlugin(),
        YamlRenderPlugin(),
    ]
