"""Federation between deployments: the peers a clinic trusts, assertion ids already used,
and this deployment's signing key."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    DateTime,
    ForeignKeyConstraint,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from rapport.sdk import Base, TenantScoped


class FederationPeer(TenantScoped, Base):
    """A clinic on another deployment this clinic agreed to federate with.

    ``inbound``: the peer calls us; ``client_id`` is what we assigned it (and what its
    assertions carry as ``iss``/``sub``), ``jwks_url`` where its public keys are.
    ``outbound``: we call the peer; ``client_id`` is ours there, ``token_url`` its token
    endpoint (the ``aud`` of our assertions) and ``fhir_base_url`` its FHIR endpoints.
    """

    __tablename__ = "medical_federation_peers"
    __table_args__ = (
        UniqueConstraint(
            "tenant_id", "direction", "client_id", name="uq_medical_federation_peers_client"
        ),
    )

    name: Mapped[str] = mapped_column(String(200))
    direction: Mapped[str] = mapped_column(String(10))
    client_id: Mapped[str] = mapped_column(String(300))
    jwks_url: Mapped[str | None] = mapped_column(String(2048))
    token_url: Mapped[str | None] = mapped_column(String(2048))
    fhir_base_url: Mapped[str | None] = mapped_column(String(2048))
    created_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    # Removed inbound peers keep their row: consents and the audit log name them.
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SeenAssertion(TenantScoped, Base):
    """A client assertion's ``jti``, kept until the assertion expires: a second use is a
    replay. The unique key makes two concurrent uses impossible too."""

    __tablename__ = "medical_federation_jtis"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "peer_id"],
            ["medical_federation_peers.tenant_id", "medical_federation_peers.id"],
            ondelete="CASCADE",
        ),
        UniqueConstraint("tenant_id", "peer_id", "jti", name="uq_medical_federation_jtis_jti"),
    )

    peer_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    jti: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DeploymentKey(Base):
    """This deployment's signing key for client assertions (one row; not tenant data).

    The private half is stored encrypted with a key derived from ``RAPPORT_SECRET_KEY``.
    """

    __tablename__ = "medical_federation_keys"

    kid: Mapped[str] = mapped_column(String(100), primary_key=True)
    alg: Mapped[str] = mapped_column(String(10))
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSONB)
    private_jwk: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
