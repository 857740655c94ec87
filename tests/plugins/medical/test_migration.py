"""Migration ``medical_0003`` moves allergies and blood types off the patient row into
their own rows, and its downgrade puts them back — run both ways on real data as the
owner role, in a transaction rolled back afterwards."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, text

from tests.plugins.medical.support import clinic, patient

VERSIONS = Path(__file__).resolve().parents[3] / "plugins" / "medical" / "migrations" / "versions"


def _revision():
    spec = importlib.util.spec_from_file_location("medical_0003", VERSIONS / "medical_0003_allergies.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_allergies_and_blood_type_move_both_ways(client, database):
    c = clinic(client)
    p = patient(client, c)  # Penicillin (severe), blood type A+
    revision = _revision()
    engine = create_engine(database.owner_url.set(drivername="postgresql+psycopg"))
    with engine.connect() as conn, conn.begin() as outer, \
            Operations.context(MigrationContext.configure(conn)):
        row = "SELECT allergies, blood_type FROM medical_patients WHERE id = :p"
        conn.execute(text("ALTER TABLE medical_patients NO FORCE ROW LEVEL SECURITY"))
        revision.downgrade()
        conn.execute(text("ALTER TABLE medical_patients NO FORCE ROW LEVEL SECURITY"))
        allergies, blood = conn.execute(text(row), {"p": p["id"]}).one()
        assert allergies == [{"substance": "Penicillin", "severity": "severe"}]
        assert blood == "A+"
        glass = conn.execute(text("SELECT prosrc FROM pg_proc "
                                  "WHERE proname = 'medical_open_break_glass'")).scalar_one()
        assert "'allergies'" not in glass
        revision.upgrade()
        conn.execute(text("ALTER TABLE medical_allergies NO FORCE ROW LEVEL SECURITY"))
        conn.execute(text("ALTER TABLE medical_observations NO FORCE ROW LEVEL SECURITY"))
        moved = conn.execute(text("SELECT substance, severity FROM medical_allergies "
                                  "WHERE patient_id = :p"), {"p": p["id"]}).all()
        typed = conn.execute(text("SELECT value_code FROM medical_observations "
                                  "WHERE patient_id = :p AND code = '882-1'"),
                             {"p": p["id"]}).scalars().all()
        assert [tuple(m) for m in moved] == [("Penicillin", "severe")] and typed == ["A+"]
        glass = conn.execute(text("SELECT prosrc FROM pg_proc "
                                  "WHERE proname = 'medical_open_break_glass'")).scalar_one()
        assert "'care_plans', 'allergies']" in glass
        outer.rollback()
    engine.dispose()
