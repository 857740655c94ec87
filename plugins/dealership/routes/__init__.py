"""The plugin's HTTP API, mounted by the kernel under ``/api/v1/dealership/``."""

from __future__ import annotations

from typing import Annotated

from litestar.params import QueryParameter

from rapport.sdk import MAX_LIMIT

Cursor = Annotated[str | None, QueryParameter(max_length=400)]
Limit = Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)]
