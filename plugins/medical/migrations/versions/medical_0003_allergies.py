"""Allergies and the blood type leave demographics: allergies become rows of their own
grantable section, the blood type an observation.

Revision ID: medical_0003
Revises: medical_0002

A receptionist and a clinic granted demographics saw both, because they sat on the
patient row. Clinically an allergy is an allergy/intolerance and the blood type an
observation (LOINC 882-1, "ABO and Rh group"):

- ``medical_allergies`` (one row per substance) shares its rows under the ``allergies``
  section of ``medical.patient`` grants;
- ``medical_observations`` gains ``value_code`` for coded results (``value``/``unit`` stay
  for measurements; exactly one of the two is set);
- each patient's allergies and blood type move there (recorded by the patient's creator,
  at the patient's last change), then the two columns go;
- break-glass openings grant the new section as well (an emergency needs the allergies
  most of all): the function's section list gains ``allergies``.

The owner runs this; forced RLS would show it no rows, so the moved tables are briefly
not forced (as kernel revision 0006 does), inside this transaction.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

from rapport.sdk import SharedRows, enable_tenant_rls, tenant_key_columns

revision = "medical_0003"
down_revision = "medical_0002"
branch_labels = None
depends_on = None

SIGNATURE = "medical_open_break_glass(uuid, text, date, text, integer)"
# The literal the 0001/0002 function carries, and what it becomes.
OLD_SECTIONS = "'care_plans']::text[]"
NEW_SECTIONS = "'care_plans', 'allergies']::text[]"
BLOOD_GROUP = "882-1"


def _sections_of_break_glass(old: str, new: str) -> None:
    """Rewrite the section list inside the break-glass function, refusing to go on if
    the function does not carry the expected list (it would silently grant less)."""
    op.execute(f"""
DO $$
DECLARE
    body text := pg_get_functiondef('{SIGNATURE}'::regprocedure);
BEGIN
    IF position($old${old}$old$ in body) = 0 THEN
        RAISE EXCEPTION 'medical_open_break_glass does not carry the expected sections';
    END IF;
    EXECUTE replace(body, $old${old}$old$, $new${new}$new$);
END
$$""")


def upgrade() -> None:
    op.create_table(
        "medical_allergies",
        *tenant_key_columns(),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
                  nullable=False),
        sa.Column("patient_id", UUID(as_uuid=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "patient_id"], ["medical_patients.tenant_id", "medical_patients.id"],
            ondelete="CASCADE", name="fk_medical_allergies_patient"),
        sa.Column("substance", sa.String(200), nullable=False),
        sa.Column("severity", sa.String(10)),
        sa.Column("reaction", sa.String(500)),
        sa.Column("recorded_by", UUID(as_uuid=True)),
    )
    op.create_index("ix_medical_allergies_tenant_id_patient", "medical_allergies",
                    ["tenant_id", "patient_id"])
    op.add_column("medical_observations", sa.Column("value_code", sa.String(20)))
    op.alter_column("medical_observations", "value", nullable=True)
    op.alter_column("medical_observations", "unit", nullable=True)
    op.create_check_constraint(
        "ck_medical_observations_value", "medical_observations",
        "(value IS NOT NULL AND unit IS NOT NULL) <> (value_code IS NOT NULL)")

    for table in ("medical_patients", "medical_observations"):
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
    op.execute("""
INSERT INTO medical_allergies (tenant_id, id, created_at, patient_id, substance, severity,
                               reaction, recorded_by)
SELECT p.tenant_id, uuidv7(), p.updated_at, p.id, a->>'substance', a->>'severity',
       a->>'reaction', p.created_by
FROM medical_patients p, jsonb_array_elements(p.allergies) a
""")
    op.execute(f"""
INSERT INTO medical_observations (tenant_id, id, created_at, patient_id, code, value_code,
                                  effective_at, recorded_by)
SELECT tenant_id, uuidv7(), updated_at, id, '{BLOOD_GROUP}', blood_type, updated_at, created_by
FROM medical_patients WHERE blood_type IS NOT NULL
""")  # noqa: S608 - a constant of this revision
    for table in ("medical_patients", "medical_observations"):
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.drop_column("medical_patients", "allergies")
    op.drop_column("medical_patients", "blood_type")
    enable_tenant_rls("medical_allergies", shared=SharedRows(
        record_type="medical.patient", record_id_column="patient_id", section="allergies"))
    _sections_of_break_glass(OLD_SECTIONS, NEW_SECTIONS)


def downgrade() -> None:
    _sections_of_break_glass(NEW_SECTIONS, OLD_SECTIONS)
    op.add_column("medical_patients", sa.Column("blood_type", sa.String(3)))
    op.add_column("medical_patients", sa.Column(
        "allergies", sa.dialects.postgresql.JSONB, nullable=False,
        server_default=sa.text("'[]'::jsonb")))
    for table in ("medical_patients", "medical_observations", "medical_allergies"):
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
    op.execute("""
UPDATE medical_patients p SET allergies = coalesce((
    SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
        'substance', a.substance, 'severity', a.severity, 'reaction', a.reaction))
        ORDER BY a.created_at, a.id)
    FROM medical_allergies a WHERE a.tenant_id = p.tenant_id AND a.patient_id = p.id),
    '[]'::jsonb)
""")
    op.execute(f"""
UPDATE medical_patients p SET blood_type = (
    SELECT o.value_code FROM medical_observations o
    WHERE o.tenant_id = p.tenant_id AND o.patient_id = p.id AND o.code = '{BLOOD_GROUP}'
    ORDER BY o.effective_at DESC, o.id DESC LIMIT 1)
""")  # noqa: S608 - a constant of this revision
    op.execute("DELETE FROM medical_observations WHERE value_code IS NOT NULL")
    for table in ("medical_patients", "medical_observations"):
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.drop_constraint("ck_medical_observations_value", "medical_observations")
    op.alter_column("medical_observations", "value", nullable=False)
    op.alter_column("medical_observations", "unit", nullable=False)
    op.drop_column("medical_observations", "value_code")
    op.drop_table("medical_allergies")
