"""The OpenAPI document's configuration: what ``/schema`` promises integrators."""

from __future__ import annotations

from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme

from rapport.hooks import PluginRegistry
from rapport.settings import Settings


def openapi_config(registry: PluginRegistry, settings: Settings) -> OpenAPIConfig:
    """The document's configuration for the app built from ``registry`` and ``settings``."""
    return OpenAPIConfig(
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
