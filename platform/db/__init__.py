"""Database floor: engine, sessions in a tenant's context, base models, roles."""

from rapport.db.base import Base, TenantScoped, Timestamped, new_id
from rapport.db.session import make_engine, make_sessionmaker, tenant_session

__all__ = [
    "Base",
    "TenantScoped",
    "Timestamped",
    "make_engine",
    "make_sessionmaker",
    "new_id",
    "tenant_session",
]
