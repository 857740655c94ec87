"""Create the two roles and the database, as a superuser, once per server.

The owner role runs migrations and owns the tables; the application role is
neither superuser nor owner, so row-level security binds it.
"""

from __future__ import annotations

import psycopg
import structlog
from psycopg import sql

from rapport.db.urls import APP_ROLE, OWNER_ROLE

log = structlog.get_logger("rapport.db")


def ensure_roles(conn: psycopg.Connection, *, owner_password: str, app_password: str) -> None:
    for role, password, extra in (
        (OWNER_ROLE, owner_password, sql.SQL("")),
        (APP_ROLE, app_password, sql.SQL(" NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS")),
    ):
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
        verb = sql.SQL("ALTER") if exists else sql.SQL("CREATE")
        conn.execute(
            sql.SQL("{} ROLE {} LOGIN PASSWORD {}{}").format(
                verb, sql.Identifier(role), sql.Literal(password), extra
            )
        )
    grant_move_setting(conn)


def grant_move_setting(conn: psycopg.Connection) -> None:
    """Let the owner role set ``session_replication_role`` inside its own functions.

    ``rapport_move_contact_rows`` (migration 0015) uses it so a merge checks the survivor
    once instead of once per moved row. PostgreSQL 15+ grants single settings; a server
    that refuses (a managed service without the privilege) only makes merges slower.
    """
    try:
        with conn.transaction():
            conn.execute(
                sql.SQL("GRANT SET ON PARAMETER session_replication_role TO {}").format(
                    sql.Identifier(OWNER_ROLE)
                )
            )
    except psycopg.Error as error:
        log.warning("owner may not set session_replication_role; merges check every row",
                    error=str(error).strip())


def ensure_database(conn: psycopg.Connection, name: str) -> bool:
    """Create ``name`` owned by the owner role; True if it was created now."""
    if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
        return False
    conn.execute(
        sql.SQL("CREATE DATABASE {} OWNER {} ENCODING 'UTF8' TEMPLATE template0").format(
            sql.Identifier(name), sql.Identifier(OWNER_ROLE)
        )
    )
    return True


def bootstrap(superuser_url: str, database: str, *, owner_password: str, app_password: str) -> None:
    """Idempotent: roles, then the database. Needs a superuser (or CREATEROLE+CREATEDB)."""
    with psycopg.connect(superuser_url, autocommit=True) as conn:
        ensure_roles(conn, owner_password=owner_password, app_password=app_password)
        ensure_database(conn, database)
