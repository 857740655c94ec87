"""Removable federation peers; break-glass that cannot be stacked or re-opened at once
after a revocation, and that notifies the owner's admins.

Revision ID: medical_0002
Revises: medical_0001

``medical_federation_peers.removed_at``: a removed peer keeps its row (the consents and
the audit log name it) but gets no token and is listed as removed.

``medical_open_break_glass()`` gains two refusals (SQLSTATE 55006, answered 409): an
opening by the same clinic for the same patient that is still open, or that the owner
revoked less than an hour ago (a revocation is a decision, not a prompt to re-open). And
each opening notifies every owner and admin of the owning clinic, in the same
transaction, written in the owner's name like the opening itself.
"""

import sqlalchemy as sa
from alembic import op

revision = "medical_0002"
down_revision = "medical_0001"
branch_labels = None
depends_on = "0014_task_reminders"

SESSION_USER = "nullif(current_setting('rapport.user_id', true), '')::uuid"
# Copied, not imported: a revision is history and must not change when the code does.
SECTIONS = (
    "demographics", "encounters", "conditions", "observations", "medications", "documents",
    "care_plans",
)
SIGNATURE = "medical_open_break_glass(uuid, text, date, text, integer)"


def _function(guarded: bool) -> str:
    guard = """
        IF EXISTS (
            SELECT 1 FROM medical_break_glass b
            JOIN sharing_grants g ON g.tenant_id = b.tenant_id AND g.id = b.grant_id
            WHERE b.tenant_id = owner_tenant AND b.patient_id = patient
              AND b.opener_tenant_id = caller
              AND ((g.revoked_at IS NULL AND g.expires_at > now())
                   OR g.revoked_at > now() - interval '60 minutes')
        ) THEN
            RAISE EXCEPTION 'break-glass is open already, or was revoked within the hour'
                USING ERRCODE = 'object_in_use';
        END IF;""" if guarded else ""
    notify = """
        INSERT INTO notifications (tenant_id, id, recipient_id, kind, title, record_type,
                                   record_id, data)
        SELECT owner_tenant, uuidv7(), m.id, 'medical.break_glass',
               'Break-glass: another clinic opened a patient record', 'medical.patient',
               patient, jsonb_build_object('opener_tenant_id', caller, 'reason', reason,
                                           'minutes', minutes)
        FROM memberships m
        WHERE m.tenant_id = owner_tenant AND m.role IN ('owner', 'admin');""" if guarded else ""
    return f"""
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
    -- Act in the owner's name for the inserts, then return to the caller's context.
    PERFORM set_config('rapport.tenant_id', owner_tenant::text, true);
    SELECT p.id INTO patient FROM medical_patients p
    WHERE p.tenant_id = owner_tenant AND p.mrn = patient_mrn
      AND p.birth_date = patient_birth_date
      AND EXISTS (SELECT 1 FROM tenant_modules t
                  WHERE t.tenant_id = owner_tenant AND t.name = 'medical' AND t.enabled);
    IF patient IS NOT NULL THEN{guard}
        INSERT INTO sharing_grants (tenant_id, id, grantee_tenant_id, record_type, record_id,
                                    sections, purpose, evidence, granted_by, starts_at,
                                    expires_at)
        VALUES (owner_tenant, grant_id, caller, 'medical.patient', patient,
                ARRAY{list(SECTIONS)!r}::text[], 'break-glass', reason, caller_user, now(),
                now() + make_interval(mins => minutes));
        INSERT INTO medical_break_glass (tenant_id, id, patient_id, opener_tenant_id,
                                         opened_by, reason, grant_id, expires_at)
        VALUES (owner_tenant, uuidv7(), patient, caller, caller_user, reason, grant_id,
                now() + make_interval(mins => minutes));{notify}
    END IF;
    PERFORM set_config('rapport.tenant_id', caller::text, true);
    RETURN patient;
END
$$
"""  # noqa: S608


def upgrade() -> None:
    op.add_column("medical_federation_peers",
                  sa.Column("removed_at", sa.DateTime(timezone=True)))
    op.execute(_function(guarded=True))


def downgrade() -> None:
    op.execute(_function(guarded=False))
    op.drop_column("medical_federation_peers", "removed_at")
