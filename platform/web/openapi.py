"""The OpenAPI document's configuration: what ``/schema`` promises integrators."""

from __future__ import annotations

from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme

from rapport.hooks import PluginRegistry
from rapport.settings import Settings
from rapport.web.api_docs import render_plugins
from rapport.web.contract.names import OperationIds

DESCRIPTION = """Rapport's JSON API. Every error is an RFC 9457 problem document
(``application/problem+json``) with a field-level ``errors`` list, and each operation lists
the error statuses it can answer. Operation ids read ``<area>_<verb>`` (``contacts_list``,
``medical_patients_create``); a plugin's operations carry its name, as tag and prefix, and
appear only where it is installed. Authenticate with ``Authorization: Bearer <token>``
from ``POST /api/v1/auth/login``; operations with ``security: []`` need no token."""


def openapi_config(registry: PluginRegistry, settings: Settings) -> OpenAPIConfig:
    """The document's configuration for the app built from ``registry`` and ``settings``."""
    return OpenAPIConfig(
        title="Rapport API",
        version="1",
        description=DESCRIPTION,
        path="/schema",
        render_plugins=render_plugins("/schema"),
        components=Components(
            security_schemes={
                "bearer": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")
            }
        ),
        security=[{"bearer": []}],
        operation_id_creator=OperationIds(),
        use_handler_docstrings=True,
    )
