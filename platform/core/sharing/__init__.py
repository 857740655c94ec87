"""Sharing: who may read and write a plugin's records, and grants across tenants.

Plugin authors declare a ``SharingRule`` per record type, check callers with
``require_read``/``require_write``, opt shared tables into grant-aware RLS with
``rapport.db.rls.SharedRows``, and call ``open_shared_record`` before serving another
tenant's rows. ``SharingGrantController`` serves ``/api/v1/sharing/grants``.
"""

from rapport.core.sharing.access import (
    may_manage_grants,
    may_read,
    may_write,
    require_grant_manager,
    require_read,
    require_write,
)
from rapport.core.sharing.models import SharingGrant
from rapport.core.sharing.rules import SharingRule, SharingRuleError, sharing_registry
from rapport.core.sharing.service import (
    GrantPage,
    GrantView,
    create_grant,
    get_grant,
    list_grants,
    open_shared_record,
    revoke_grant,
)

__all__ = [
    "GrantPage",
    "GrantView",
    "SharingGrant",
    "SharingRule",
    "SharingRuleError",
    "create_grant",
    "get_grant",
    "list_grants",
    "may_manage_grants",
    "may_read",
    "may_write",
    "open_shared_record",
    "require_grant_manager",
    "require_read",
    "require_write",
    "revoke_grant",
    "sharing_registry",
]
