"""Row-level security names the application uses (the record-type and section patterns
sharing rules are checked against, the policies tests read). They live in the frozen
``rapport.db.migration_helpers``, which revisions import; this module only re-exports them.
"""

from __future__ import annotations

from rapport.db.migration_helpers import (
    CURRENT_TENANT,
    POLICY,
    RECORD_TYPE_PATTERN,
    SECTION_PATTERN,
    SHARED_POLICY,
    SharedRows,
    disable_tenant_rls,
    enable_tenant_rls,
    tenant_rls_statements,
)

__all__ = [
    "CURRENT_TENANT",
    "POLICY",
    "RECORD_TYPE_PATTERN",
    "SECTION_PATTERN",
    "SHARED_POLICY",
    "SharedRows",
    "disable_tenant_rls",
    "enable_tenant_rls",
    "tenant_rls_statements",
]
