"""Create the two roles and the database, as a superuser, once per server.

The owner role runs migrations and owns the tables; the application role is
neither superuser nor owner, so row-level security binds it.
"""

from __future__ import annotations

import psycopg
from psycopg import sql

from rapport.db.urls import APP_ROLE, OWNER_ROLE


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
