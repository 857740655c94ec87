"""JSON request bodies are refused past a nesting depth, with a 400 naming the limit.

msgspec decodes recursively: ~1,000 levels raise ``RecursionError`` inside Litestar's
``Request.json()``, which no handler expects (a 500). A body that decodes a little below
the interpreter's limit is no better: it is stored or echoed and a later encoder, deeper in
the stack, hits the limit instead. So every body is held to a depth no Rapport schema (or a
plugin's settings document) comes near, checked where Litestar decodes it for every route.
"""

from __future__ import annotations

import re
from itertools import accumulate
from typing import Any

from litestar import Request

from rapport.errors import FieldError, RapportError

MAX_JSON_DEPTH = 64
# JSON strings, escapes included; what is left between them is structure and scalars.
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


def too_deep() -> RapportError:
    return RapportError(
        detail=f"The JSON body is nested more than {MAX_JSON_DEPTH} levels deep",
        status=400,
        title="JSON nested too deeply",
        errors=[FieldError("body", f"must not nest arrays and objects past {MAX_JSON_DEPTH}")],
    )


def depth_of(body: bytes) -> int:
    """The deepest nesting of arrays and objects in a valid JSON document."""
    if body.count(b"[") + body.count(b"{") <= MAX_JSON_DEPTH:
        # Cannot be deeper than the number of openers: the usual body ends here, in C.
        return body.count(b"[") + body.count(b"{")
    brackets = _STRING.sub(b"", body).translate(None, _NOT_BRACKET)
    return max(accumulate(_STEP[b] for b in brackets), default=0)


class DepthLimitedRequest(Request[Any, Any, Any]):
    """Litestar's request, whose ``json()`` refuses bodies nested too deeply (400)."""

    async def json(self) -> Any:
        try:
            value = await super().json()
        except RecursionError:
            # Raised while msgspec decoded the body; nothing else runs in between.
            raise too_deep() from None
        if depth_of(await self.body()) > MAX_JSON_DEPTH:
            raise too_deep()
        return value
