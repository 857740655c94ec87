"""Who is calling: the verified user, their tenant and role, from a token or session."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from rapport.errors import forbidden
from rapport.tenancy.models import MANAGER_ROLES, WRITER_ROLES


@dataclass(frozen=True)
class Principal:
    user_id: uuid.UUID
    email: str
    full_name: str
    tenant_id: uuid.UUID
    tenant_slug: str
    tenant_name: str
    membership_id: uuid.UUID
    role: str
    # The kernel role whose rights apply on kernel records; equals ``role`` except for
    # roles that plugins add (a clinician acts as a member on contacts).
    kernel_role: str = ""
    # Modules this tenant has enabled: decides which plugins' hooks and routes answer.
    modules: frozenset[str] = field(default_factory=frozenset)

    @property
    def effective_role(self) -> str:
        return self.kernel_role or self.role

    @property
    def can_manage(self) -> bool:
        return self.effective_role in MANAGER_ROLES

    @property
    def can_write(self) -> bool:
        return self.effective_role in WRITER_ROLES

    def require_manager(self) -> None:
        if not self.can_manage:
            raise forbidden("Only owners and admins can do this")

    def require_writer(self) -> None:
        if not self.can_write:
            raise forbidden("Viewers have read-only access")
