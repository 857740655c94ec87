"""String types for request schemas: bounded, and free of NUL (PostgreSQL cannot store it).

Every text a client sends should use one of these (or ``NoNul`` with its own Meta), so
bad bytes become a 422 naming the field instead of a database error.
"""

from __future__ import annotations

from typing import Annotated

import msgspec

_NO_NUL = r"^[^\x00]*$"

ShortText = Annotated[str, msgspec.Meta(max_length=200, pattern=_NO_NUL)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=_NO_NUL)]
Email = Annotated[str, msgspec.Meta(min_length=3, max_length=320, pattern=_NO_NUL)]
Password = Annotated[str, msgspec.Meta(min_length=1, max_length=1024, pattern=_NO_NUL)]
Slug = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=_NO_NUL)]
Token = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=_NO_NUL)]
RoleName = Annotated[str, msgspec.Meta(min_length=1, max_length=40, pattern=_NO_NUL)]
LongText = Annotated[str, msgspec.Meta(max_length=100_000, pattern=_NO_NUL)]
