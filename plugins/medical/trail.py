"""Every read and write of patient data goes into the kernel audit log through here.

Entries are filed on the patient (``medical.patient``, the patient's id) so a patient's
whole history is one index range; ``detail`` says which sections, for what purpose, and
through which door (local, shared, federation, break-glass).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Principal, audit
from rapport_plugins.medical.roles import DEMOGRAPHICS, RECORD_TYPE

CARE = "care"  # the purpose of a clinic reading its own patient's record


def fingerprint(value: Any) -> str | None:
    """A stand-in for clinical content in the log: proves what was written without
    showing it to the managers who read the log (they may not read clinical sections)."""
    if value is None:
        return None
    raw = json.dumps(audit.jsonable(value), sort_keys=True).encode()
    return "sha256:" + hashlib.sha256(raw).hexdigest()[:16]


def snapshot(values: Mapping[str, Any], section: str) -> dict[str, Any]:
    if section == DEMOGRAPHICS:
        return dict(values)
    return {key: fingerprint(value) for key, value in values.items()}


async def log_access(
    session: AsyncSession,
    principal: Principal,
    patient_id: uuid.UUID,
    action: str,
    sections: Iterable[str],
    *,
    purpose: str = CARE,
    changes: Mapping[str, Any] | None = None,
    via: str = "local",
    **extra: Any,
) -> uuid.UUID:
    """One entry in the caller's own log (its own patient)."""
    detail = {"patient": patient_id, "sections": sorted(set(sections)), "purpose": purpose,
              "via": via, **extra}
    return await audit.record(
        session, principal, action, RECORD_TYPE, patient_id, changes or {}, detail
    )
