"""Medical records, consents, access requests, break-glass and federation.

Revision ID: medical_0001
Depends on: 0005_sharing_audit (sharing_grants, rapport_granted, audit_events)

Section tables share rows under ``medical.patient`` grants (``SharedRows``). Two rows are
written across tenants on purpose, each admitted by the database and nothing else:
an access request filed by the requesting clinic into the addressee's inbox (INSERT
policy ``requester_files``), and a break-glass opening (``medical_open_break_glass()``,
SECURITY DEFINER, which re-checks the caller before it writes in the owner's name).
"""

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

from rapport.sdk import SharedRows, enable_tenant_rls, tenant_key_columns

revision = "medical_0001"
down_revision = None
branch_labels = ("medical",)
depends_on = "0005_sharing_audit"

CURRENT = "rapport_current_tenant()"
SESSION_USER = "nullif(current_setting('rapport.user_id', true), '')::uuid"
SECTIONS = (
    "demographics", "encounters", "conditions", "observations", "medications", "documents",
    "care_plans",
)
SECTION_TABLES = {
    "medical_encounters": "encounters",
    "medical_conditions": "conditions",
    "medical_observations": "observations",
    "medical_medications": "medications",
    "medical_documents": "documents",
    "medical_care_plans": "care_plans",
}

# Built from constants of this file only (no input reaches it).
BREAK_GLASS_FUNCTION = f"""
CREATE OR REPLACE FUNCTION medical_open_break_glass(
    owner_tenant uuid, patient_mrn text, patient_birth_date date, reason text, minutes integer
) RETURNS uuid
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
DECLARE
    caller uuid := rapport_current_tenant();
    caller_user uuid := {SESSION_USER};
    patient uuid;
    grant_id uuid := uuidv7();
BEGIN
    -- Re-check everything the application checked: this runs with the owner's rights.
    IF caller IS NULL OR caller_user IS NULL OR owner_tenant IS NULL
       OR caller = owner_tenant THEN
        RAISE EXCEPTION 'break-glass opens another organization''s record'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF minutes IS NULL OR minutes < 1 OR minutes > 240 OR length(btrim(reason)) = 0 THEN
        RAISE EXCEPTION 'break-glass needs a reason and 1 to 240 minutes'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM memberships m
                   WHERE m.tenant_id = caller AND m.user_id = caller_user
                     AND m.role = 'clinician')
       OR NOT EXISTS (SELECT 1 FROM tenant_modules t
                      WHERE t.tenant_id = caller AND t.name = 'medical' AND t.enabled) THEN
        RAISE EXCEPTION 'only clinicians may break the glass'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    -- Act in the owner's name for the two inserts, then return to the caller's context.
    PERFORM set_config('rapport.tenant_id', owner_tenant::text, true);
    SELECT p.id INTO patient FROM medical_patients p
    WHERE p.tenant_id = owner_tenant AND p.mrn = patient_mrn
      AND p.birth_date = patient_birth_date
      AND EXISTS (SELECT 1 FROM tenant_modules t
                  WHERE t.tenant_id = owner_tenant AND t.name = 'medical' AND t.enabled);
    IF patient IS NOT NULL THEN
        INSERT INTO sharing_grants (tenant_id, id, grantee_tenant_id, record_type, record_id,
                                    sections, purpose, evidence, granted_by, starts_at,
                                    expires_at)
        VALUES (owner_tenant, grant_id, caller, 'medical.patient', patient,
                ARRAY{list(SECTIONS)!r}::text[], 'break-glass', reason, caller_user, now(),
                now() + make_interval(mins => minutes));
        INSERT INTO medical_break_glass (tenant_id, id, patient_id, opener_tenant_id,
                                         opened_by, reason, grant_id, expires_at)
        VALUES (owner_tenant, uuidv7(), patient, caller, caller_user, reason, grant_id,
                now() + make_interval(mins => minutes));
    END IF;
    PERFORM set_config('rapport.tenant_id', caller::text, true);
    RETURN patient;
END
$$
"""  # noqa: S608

REQUESTER_FILES = f"""
CREATE POLICY requester_files ON medical_access_requests FOR INSERT WITH CHECK (
    requester_tenant_id = {CURRENT}
    AND tenant_id <> requester_tenant_id
    AND requested_by = {SESSION_USER}
    AND state = 'requested'
    AND patient_id IS NULL AND consent_id IS NULL
    AND decided_by IS NULL AND decided_at IS NULL
)
"""


def _keys() -> list[sa.Column]:
    return [
        *tenant_key_columns(),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
    ]


def _patient(table: str) -> list[Any]:
    return [
        sa.Column("patient_id", UUID(as_uuid=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "patient_id"],
            ["medical_patients.tenant_id", "medical_patients.id"],
            ondelete="CASCADE",
            name=f"fk_{table}_patient",
        ),
    ]


def _encounter(table: str) -> list[Any]:
    return [
        sa.Column("encounter_id", UUID(as_uuid=True)),
        sa.ForeignKeyConstraint(
            ["tenant_id", "encounter_id"],
            ["medical_encounters.tenant_id", "medical_encounters.id"],
            name=f"fk_{table}_encounter",
        ),
    ]


def _recorded_by() -> sa.Column:
    return sa.Column("recorded_by", UUID(as_uuid=True))


def _records() -> None:
    op.create_table(
        "medical_patients",
        *_keys(),
        sa.Column("contact_id", UUID(as_uuid=True), nullable=False),
        sa.Column("given_name", sa.String(200)),
        sa.Column("family_name", sa.String(200)),
        sa.Column("mrn", sa.String(40), nullable=False),
        sa.Column("birth_date", sa.Date, nullable=False),
        sa.Column("sex", sa.String(10), nullable=False),
        sa.Column("blood_type", sa.String(3)),
        sa.Column("allergies", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
        sa.Column("emergency_contact", JSONB),
        sa.Column("created_by", UUID(as_uuid=True)),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "contact_id"], ["contacts.tenant_id", "contacts.id"], ondelete="CASCADE"
        ),
        sa.UniqueConstraint("tenant_id", "mrn", name="uq_medical_patients_tenant_id_mrn"),
        sa.UniqueConstraint(
            "tenant_id", "contact_id", name="uq_medical_patients_tenant_id_contact"
        ),
    )
    op.create_table(
        "medical_encounters",
        *_keys(),
        *_patient("medical_encounters"),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("clinician", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("diagnoses", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
        sa.Column("notes", sa.Text),
        _recorded_by(),
    )
    op.create_index(
        "ix_medical_encounters_tenant_id_patient",
        "medical_encounters",
        ["tenant_id", "patient_id", "starts_at"],
    )
    op.create_table(
        "medical_conditions",
        *_keys(),
        *_patient("medical_conditions"),
        *_encounter("medical_conditions"),
        sa.Column("code", sa.String(10), nullable=False),
        sa.Column("text", sa.String(500), nullable=False),
        sa.Column("clinical_status", sa.String(20), nullable=False),
        sa.Column("onset_date", sa.Date),
        _recorded_by(),
    )
    op.create_table(
        "medical_observations",
        *_keys(),
        *_patient("medical_observations"),
        *_encounter("medical_observations"),
        sa.Column("code", sa.String(20), nullable=False),
        sa.Column("value", sa.Numeric(12, 4), nullable=False),
        sa.Column("unit", sa.String(20), nullable=False),
        sa.Column("effective_at", sa.DateTime(timezone=True), nullable=False),
        _recorded_by(),
    )
    op.create_table(
        "medical_medications",
        *_keys(),
        *_patient("medical_medications"),
        sa.Column("medication", sa.String(300), nullable=False),
        sa.Column("code", sa.String(40)),
        sa.Column("dosage", sa.String(500)),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("effective_start", sa.Date),
        sa.Column("effective_end", sa.Date),
        _recorded_by(),
    )
    op.create_table(
        "medical_documents",
        *_keys(),
        *_patient("medical_documents"),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        _recorded_by(),
    )
    op.create_table(
        "medical_care_plans",
        *_keys(),
        *_patient("medical_care_plans"),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("period_start", sa.Date),
        sa.Column("period_end", sa.Date),
        sa.Column("goals", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
        sa.Column("activities", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
        _recorded_by(),
    )
    for table in ("conditions", "observations", "medications", "documents", "care_plans"):
        columns = ["tenant_id", "patient_id"]
        if table == "observations":
            columns.append("effective_at")
        op.create_index(f"ix_medical_{table}_tenant_id_patient", f"medical_{table}", columns)
    enable_tenant_rls(
        "medical_patients",
        shared=SharedRows(
            record_type="medical.patient", record_id_column="id", section="demographics"
        ),
    )
    for table, section in SECTION_TABLES.items():
        enable_tenant_rls(
            table,
            shared=SharedRows(
                record_type="medical.patient", record_id_column="patient_id", section=section
            ),
        )


def _federation() -> None:
    op.create_table(
        "medical_federation_peers",
        *_keys(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("direction", sa.String(10), nullable=False),
        sa.Column("client_id", sa.String(300), nullable=False),
        sa.Column("jwks_url", sa.String(2048)),
        sa.Column("token_url", sa.String(2048)),
        sa.Column("fhir_base_url", sa.String(2048)),
        sa.Column("created_by", UUID(as_uuid=True)),
        sa.UniqueConstraint(
            "tenant_id", "direction", "client_id", name="uq_medical_federation_peers_client"
        ),
        sa.CheckConstraint(
            "(direction = 'inbound' AND jwks_url IS NOT NULL)"
            " OR (direction = 'outbound' AND token_url IS NOT NULL"
            " AND fhir_base_url IS NOT NULL)",
            name="ck_medical_federation_peers_direction",
        ),
    )
    enable_tenant_rls("medical_federation_peers")
    op.create_table(
        "medical_federation_jtis",
        *_keys(),
        sa.Column("peer_id", UUID(as_uuid=True), nullable=False),
        sa.Column("jti", sa.String(200), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "peer_id"],
            ["medical_federation_peers.tenant_id", "medical_federation_peers.id"],
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("tenant_id", "peer_id", "jti", name="uq_medical_federation_jtis_jti"),
    )
    op.create_index(
        "ix_medical_federation_jtis_tenant_id_expires",
        "medical_federation_jtis",
        ["tenant_id", "expires_at"],
    )
    enable_tenant_rls("medical_federation_jtis")
    # Deployment-wide, not tenant data: one signing key whose public half is published.
    op.create_table(
        "medical_federation_keys",
        sa.Column("kid", sa.String(100), primary_key=True),
        sa.Column("alg", sa.String(10), nullable=False),
        sa.Column("public_jwk", JSONB, nullable=False),
        sa.Column("private_jwk", sa.Text, nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
    )


def _consents() -> None:
    op.create_table(
        "medical_consents",
        *_keys(),
        *_patient("medical_consents"),
        sa.Column("grant_id", UUID(as_uuid=True)),
        sa.Column(
            "grantee_tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id", ondelete="CASCADE")
        ),
        sa.Column("peer_id", UUID(as_uuid=True)),
        sa.Column("access_request_id", UUID(as_uuid=True)),
        sa.Column("sections", ARRAY(sa.Text), nullable=False),
        sa.Column("purpose", sa.String(200), nullable=False),
        sa.Column("evidence", sa.Text, nullable=False),
        sa.Column("granted_by", UUID(as_uuid=True)),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        sa.Column("revoked_by", UUID(as_uuid=True)),
        sa.ForeignKeyConstraint(
            ["tenant_id", "grant_id"], ["sharing_grants.tenant_id", "sharing_grants.id"]
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "peer_id"],
            ["medical_federation_peers.tenant_id", "medical_federation_peers.id"],
        ),
        sa.CheckConstraint(
            "(grant_id IS NOT NULL AND grantee_tenant_id IS NOT NULL AND peer_id IS NULL)"
            " OR (grant_id IS NULL AND grantee_tenant_id IS NULL AND peer_id IS NOT NULL)",
            name="ck_medical_consents_one_grantee",
        ),
        sa.CheckConstraint("expires_at > starts_at", name="ck_medical_consents_window"),
    )
    op.create_index(
        "ix_medical_consents_tenant_id_patient", "medical_consents", ["tenant_id", "patient_id"]
    )
    op.create_index(
        "ix_medical_consents_tenant_id_grantee",
        "medical_consents",
        ["tenant_id", "grantee_tenant_id"],
    )
    # The grantee clinic reads the consents made to it (its FHIR Consent export).
    enable_tenant_rls("medical_consents", extra_using=f"grantee_tenant_id = {CURRENT}")

    op.create_table(
        "medical_access_requests",
        *_keys(),
        sa.Column(
            "requester_tenant_id",
            UUID(as_uuid=True),
            sa.ForeignKey("tenants.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("requested_by", UUID(as_uuid=True), nullable=False),
        sa.Column("mrn", sa.String(40), nullable=False),
        sa.Column("birth_date", sa.Date, nullable=False),
        sa.Column("sections", ARRAY(sa.Text), nullable=False),
        sa.Column("purpose", sa.String(200), nullable=False),
        sa.Column("message", sa.Text),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("patient_id", UUID(as_uuid=True)),
        sa.Column("consent_id", UUID(as_uuid=True)),
        sa.Column("decided_by", UUID(as_uuid=True)),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.Column("decision_note", sa.Text),
        sa.ForeignKeyConstraint(
            ["tenant_id", "patient_id"],
            ["medical_patients.tenant_id", "medical_patients.id"],
            ondelete="CASCADE",
        ),
    )
    # The requester's list: a skip scan over tenant_id (PostgreSQL 18) on this index.
    op.create_index(
        "ix_medical_access_requests_tenant_id_requester",
        "medical_access_requests",
        ["tenant_id", "requester_tenant_id", "id"],
    )
    enable_tenant_rls(
        "medical_access_requests", extra_using=f"requester_tenant_id = {CURRENT}"
    )
    op.execute(REQUESTER_FILES)

    op.create_table(
        "medical_break_glass",
        *_keys(),
        *_patient("medical_break_glass"),
        sa.Column("opener_tenant_id", UUID(as_uuid=True), nullable=False),
        sa.Column("opened_by", UUID(as_uuid=True), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("grant_id", UUID(as_uuid=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_medical_break_glass_tenant_id_opener",
        "medical_break_glass",
        ["tenant_id", "opener_tenant_id", "id"],
    )
    enable_tenant_rls("medical_break_glass", extra_using=f"opener_tenant_id = {CURRENT}")
    # Openings are evidence: the application may add them (through the function) only.
    op.execute("REVOKE INSERT, UPDATE, DELETE ON medical_break_glass FROM rapport_app")
    op.execute(BREAK_GLASS_FUNCTION)
    op.execute(
        "REVOKE ALL ON FUNCTION medical_open_break_glass(uuid, text, date, text, integer)"
        " FROM PUBLIC"
    )
    op.execute(
        "GRANT EXECUTE ON FUNCTION medical_open_break_glass(uuid, text, date, text, integer)"
        " TO rapport_app"
    )


def upgrade() -> None:
    _records()
    _federation()
    _consents()


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS medical_open_break_glass(uuid, text, date, text, integer)")
    for table in (
        "medical_break_glass",
        "medical_access_requests",
        "medical_consents",
        "medical_federation_keys",
        "medical_federation_jtis",
        "medical_federation_peers",
        "medical_care_plans",
        "medical_documents",
        "medical_medications",
        "medical_observations",
        "medical_conditions",
        "medical_encounters",
        "medical_patients",
    ):
        op.drop_table(table)
