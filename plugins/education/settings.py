"""Per-institution settings of the education module."""

from __future__ import annotations

from typing import Annotated

import msgspec

Grade = Annotated[str, msgspec.Meta(min_length=1, max_length=12, pattern=r"^[^\x00]*$")]


class EducationSettings(msgspec.Struct, forbid_unknown_fields=True):
    # The grading scale, best first (ECTS by default), and which grades pass a course.
    grades: Annotated[list[Grade], msgspec.Meta(min_length=2, max_length=30)] = msgspec.field(
        default_factory=lambda: ["A", "B", "C", "D", "E", "FX", "F"])
    passing: Annotated[list[Grade], msgspec.Meta(min_length=1, max_length=30)] = msgspec.field(
        default_factory=lambda: ["A", "B", "C", "D", "E"])
    # A course is not proposed when at least this share of what it teaches is already held.
    repeat_threshold: Annotated[float, msgspec.Meta(ge=0.1, le=1.0)] = 0.5
    # Recognise an imported achievement at once when every outcome it proves matches one
    # of ours exactly (same framework URI); otherwise a registrar decides.
    auto_recognise: bool = False
