""""Who looked at this record": every audited access to one patient, newest first — the
service behind ``GET …/access-report`` (the clinic's managers and clinicians)."""

from __future__ import annotations

import uuid

from litestar import get
from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Principal, Screen
from rapport_plugins.medical import report


@get("/patients/{patient_id:uuid}/access")
async def who_looked(patient_id: FromPath[uuid.UUID], principal: NamedDependency[Principal],
                     db: NamedDependency[AsyncSession]) -> Screen:
    entries = await report.access_report(db, principal, patient_id)
    return Screen("medical/looked.html", "Who looked at this record",
                  {"entries": entries, "patient_id": patient_id})


PAGES = [who_looked]
