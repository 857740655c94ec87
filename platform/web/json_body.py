"""JSON request bodies: refused past a nesting depth (400), and checked as strictly as documented.

msgspec decodes recursively: ~1,000 levels raise ``RecursionError`` inside Litestar's
``Request.json()``, which no handler expects (a 500). A body that decodes a little below
the interpreter's limit is no better: it is stored or echoed and a later encoder, deeper in
the stack, hits the limit instead. So every body is held to a depth no Rapport schema (or a
plugin's settings document) comes near, checked where Litestar decodes it for every route.

Litestar converts a body into its type in msgspec's lax mode, which reads a number as a
Unix time for a date-time field and ``"5"`` as an integer: values the OpenAPI document
says are refused. So the body is first decoded strictly into the handler's declared type
(one C-level pass, a decoder cached per handler) and a mismatch is the same 422 a lax
failure gives, naming the field.
"""

from __future__ import annotations

import re
from itertools import accumulate
from typing import Any

import msgspec
from litestar import Request
from litestar.exceptions import ValidationException

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


_PATH = re.compile(r"`\$\.(.+)`$")
# Route handler -> a strict decoder of its JSON body's declared type (None: no typed body).
_DECODERS: dict[object, msgspec.json.Decoder[Any] | None] = {}


def _strict_decoder(handler: Any) -> msgspec.json.Decoder[Any] | None:
    if handler in _DECODERS:
        return _DECODERS[handler]
    field = getattr(handler, "parsed_data_field", None)
    decoder = None
    if field is not None and field.annotation is not Any:
        try:
            decoder = msgspec.json.Decoder(
                field.annotation, strict=True, dec_hook=handler.default_deserializer)
        except TypeError:
            decoder = None  # a type msgspec cannot decode itself: Litestar's own path only
    _DECODERS[handler] = decoder
    return decoder


class DepthLimitedRequest(Request[Any, Any, Any]):
    """Litestar's request, whose ``json()`` refuses bodies nested too deeply (400)."""

    async def json(self) -> Any:
        try:
            value = await super().json()
        except RecursionError:
            # Raised while msgspec decoded the body; nothing else runs in between.
            raise too_deep() from None
        body = await self.body()
        if depth_of(body) > MAX_JSON_DEPTH:
            raise too_deep()
        decoder = _strict_decoder(self.scope.get("route_handler"))
        if decoder is not None and body:
            try:
                decoder.decode(body)
            except msgspec.ValidationError as exc:
                # Named as Litestar names its own body errors ("lines[0].quantity").
                text = str(exc)
                path = _PATH.search(text)
                key = f"data.{path.group(1)}" if path else "data"
                raise ValidationException("Validation failed", extra=[
                    {"message": text.split(" - ", 1)[0], "key": key, "source": "body"}]) from None
        return value
