"""Runs Alembic over the kernel's migrations and every installed plugin's branch.

Lives at the top floor (beside app.py and cli.py) because it must know which plugins
exist; ``rapport.db`` must not.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import structlog
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, pool, text
from sqlalchemy.engine import URL

log = structlog.get_logger("rapport.migrations")

KERNEL_MIGRATIONS = Path(__file__).parent / "db" / "migrations"


def alembic_config(owner_url: URL | str, extra_locations: Iterable[Path] = ()) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(KERNEL_MIGRATIONS))
    locations = [KERNEL_MIGRATIONS / "versions", *extra_locations]
    # Alembic splits version_locations on the separator; paths never contain it.
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("version_locations", ":".join(str(p) for p in locations))
    url = (
        owner_url.render_as_string(hide_password=False) if isinstance(owner_url, URL) else owner_url
    )
    cfg.attributes["url"] = url
    return cfg


def plugin_locations() -> list[Path]:
    """Migration folders of every installed, loadable plugin."""
    from rapport.hooks import load_registry

    return load_registry().migration_locations()


def known(extra_locations: Iterable[Path] | None = None) -> set[str]:
    """Every revision the installed code has a script for."""
    extra_locations = plugin_locations() if extra_locations is None else extra_locations
    cfg = alembic_config("postgresql+psycopg://", extra_locations)
    return {r.revision for r in ScriptDirectory.from_config(cfg).walk_revisions()}


def upgrade(owner_url: URL | str, extra_locations: Iterable[Path] | None = None) -> None:
    """Apply the kernel's and every plugin's migrations (all heads).

    A plugin that was uninstalled leaves its branch head in ``alembic_version`` (and its
    tables: data is kept, as when a tenant disables a module). Alembic refuses to upgrade
    past a revision it has no script for, so those orphaned heads are set aside for the
    upgrade and put back in the same transaction: reinstalling the plugin finds its
    branch applied.
    """
    locations = list(plugin_locations() if extra_locations is None else extra_locations)
    cfg = alembic_config(owner_url, locations)
    applied = current(owner_url)
    orphans = sorted(applied - known(locations))
    if not orphans:
        command.upgrade(cfg, "heads")
        return
    log.warning("migration heads of uninstalled plugins kept aside", revisions=orphans)
    engine = create_engine(cfg.attributes["url"], poolclass=pool.NullPool)
    try:
        with engine.begin() as conn:
            forget = text("DELETE FROM alembic_version WHERE version_num = :rev")
            conn.execute(forget, [{"rev": rev} for rev in orphans])
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "heads")
            keep = text("INSERT INTO alembic_version (version_num) VALUES (:rev)")
            conn.execute(keep, [{"rev": rev} for rev in orphans])
    finally:
        engine.dispose()


def heads(extra_locations: Iterable[Path] | None = None) -> set[str]:
    extra_locations = plugin_locations() if extra_locations is None else extra_locations
    cfg = alembic_config("postgresql+psycopg://", extra_locations)
    return set(ScriptDirectory.from_config(cfg).get_heads())


def lineage(extra_locations: Iterable[Path] | None = None) -> dict[str, frozenset[str]]:
    """Each head this code expects, with every revision it descends from (readiness tells
    a database behind this code from one a newer release has migrated past)."""
    extra_locations = plugin_locations() if extra_locations is None else extra_locations
    script = ScriptDirectory.from_config(alembic_config("postgresql+psycopg://", extra_locations))
    return {
        head: frozenset(r.revision for r in script.iterate_revisions(head, "base")) - {head}
        for head in script.get_heads()
    }


def current(url: URL | str) -> set[str]:
    """The heads recorded in the database (empty before the first migration)."""
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        with engine.connect() as conn:
            return set(MigrationContext.configure(conn).get_current_heads())
    finally:
        engine.dispose()
