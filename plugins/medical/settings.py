"""Per-clinic settings of the medical module."""

from __future__ import annotations

from typing import Annotated

import msgspec


class MedicalSettings(msgspec.Struct, forbid_unknown_fields=True):
    # How long a break-glass opening lasts unless the clinician asks for less.
    break_glass_minutes: Annotated[int, msgspec.Meta(ge=5, le=240)] = 60
