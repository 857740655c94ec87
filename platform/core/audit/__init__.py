"""The kernel audit log: every change to a CRM record (and every cross-tenant read) with
who, when and before/after values; append-only in the database.

Actions call ``record(session, principal, action, record_type, record_id, changes=diff(
before, after))`` inside their transaction; ``AuditController`` serves ``GET /api/v1/audit``.
"""

from rapport.core.audit.models import AuditEvent
from rapport.core.audit.service import (
    CREATE,
    DELETE,
    MERGE,
    READ,
    REVOKE,
    SHARE,
    UPDATE,
    AuditPage,
    diff,
    entry,
    history,
    jsonable,
    record,
)

__all__ = [
    "CREATE",
    "DELETE",
    "MERGE",
    "READ",
    "REVOKE",
    "SHARE",
    "UPDATE",
    "AuditEvent",
    "AuditPage",
    "diff",
    "entry",
    "history",
    "jsonable",
    "record",
]
