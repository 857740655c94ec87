"""Who is calling: the verified user, their tenant and role, from a token or session."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from rapport.errors import forbidden
from rapport.tenancy.models import MANAGER_ROLES, WRITER_ROLES, Membership, Role, Tenant, User


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
    # An API client (client credentials, rapport.tenancy.api_clients): its id, also standing
    # in for ``user_id`` and ``membership_id`` as a federation peer's does; None for a person.
    client_id: uuid.UUID | None = None
    # What a client's token was granted (``contacts:read``, ...); empty for a person, whose
    # role alone decides.
    scopes: frozenset[str] = field(default_factory=frozenset)
    # Whether the person's address is confirmed, when the principal query read it (a
    # token's principal: /me answers it without a statement); None when not known.
    email_verified: bool | None = None

    @classmethod
    def member(
        cls,
        user: User,
        tenant: Tenant,
        membership: Membership,
        modules: frozenset[str] = frozenset(),
        kernel_role: str | None = None,
    ) -> Principal:
        """A member acting in their tenant. ``kernel_role``: what a plugin's role counts
        as on kernel records (``rapport.core.modules.kernel_role_of``); None for a member
        whose own role is the kernel's."""
        return cls(
            user.id, user.email, user.full_name, tenant.id, tenant.slug, tenant.name,
            membership.id, membership.role, kernel_role=kernel_role or "", modules=modules,
        )

    @classmethod
    def peer(
        cls,
        peer_id: uuid.UUID,
        client_id: str,
        name: str,
        tenant_id: uuid.UUID,
        *,
        role: str,
        tenant_slug: str = "",
        tenant_name: str = "",
        modules: frozenset[str] = frozenset(),
    ) -> Principal:
        """Another deployment acting in the tenant that registered it (federation):
        read-only on kernel records. Its registration id stands in for the user and the
        membership, so audit entries name the peer."""
        return cls(
            peer_id, client_id, name, tenant_id, tenant_slug, tenant_name, peer_id, role,
            kernel_role=Role.VIEWER, modules=modules,
        )

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
