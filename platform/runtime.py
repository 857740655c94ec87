"""Find the database this process should use: the configured server, or the embedded one."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import URL, make_url

from rapport.db.embedded import start_embedded
from rapport.db.urls import app_url_from_owner, sqlalchemy_url
from rapport.settings import Settings


@dataclass(frozen=True)
class Database:
    owner_url: URL
    app_url: URL
    embedded: bool
    server: object | None = None


def resolve_database(settings: Settings, *, keep_running: bool = False) -> Database:
    """``RAPPORT_DATABASE_URL`` (owner) wins; otherwise start the embedded PostgreSQL.

    ``keep_running`` leaves the embedded server up after this process exits (for
    ``rapport db shell``); ``rapport run`` stops it on exit.
    """
    if settings.database_url:
        owner = sqlalchemy_url(make_url(settings.database_url))
        app = (
            sqlalchemy_url(make_url(settings.app_database_url))
            if settings.app_database_url
            else app_url_from_owner(owner, settings.app_db_password)
        )
        return Database(owner, app, embedded=False)
    db = start_embedded(
        settings.data_dir,
        cleanup=None if keep_running else "stop",
        app_password=settings.app_db_password,
    )
    return Database(db.owner_url, db.app_url, embedded=True, server=db.server)
