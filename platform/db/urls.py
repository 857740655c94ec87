"""Connection URLs for the two database roles."""

from __future__ import annotations

from sqlalchemy.engine import URL, make_url

OWNER_ROLE = "rapport_owner"
APP_ROLE = "rapport_app"
DATABASE = "rapport"


def sqlalchemy_url(url: str | URL) -> URL:
    """Normalise any postgres URL to the psycopg 3 driver."""
    parsed = make_url(url) if isinstance(url, str) else url
    return parsed.set(drivername="postgresql+psycopg")


def app_url_from_owner(owner_url: str | URL, password: str | None) -> URL:
    """The application role's URL on the same server and database as the owner's."""
    return sqlalchemy_url(owner_url).set(username=APP_ROLE, password=password)


def libpq_url(url: str | URL) -> str:
    """A plain ``postgresql://`` URL for psql and raw psycopg."""
    return sqlalchemy_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
