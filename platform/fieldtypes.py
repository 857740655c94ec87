"""Building blocks of request schemas: bounded string types free of NUL (PostgreSQL cannot
store it), and ``Patch``, the base of every PATCH body.

Every text a client sends should use one of these (or ``NoNul`` with its own Meta), so
bad bytes become a 422 naming the field instead of a database error.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

import msgspec

_NO_NUL = r"^[^\x00]*$"

ShortText = Annotated[str, msgspec.Meta(max_length=200, pattern=_NO_NUL)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=_NO_NUL)]
Email = Annotated[str, msgspec.Meta(min_length=3, max_length=320, pattern=_NO_NUL)]
Password = Annotated[str, msgspec.Meta(min_length=1, max_length=1024, pattern=_NO_NUL)]
Slug = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=_NO_NUL)]
# Rules the service checks itself, so that one answer names every broken field (sign-up
# reports the slug, the address and the password at once); the schema states them all the
# same. ``Meta(extra_json_schema={"extra": ...})`` is how Litestar takes schema-only keys.
SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$"
PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 256
# A new organization's slug (rapport.tenancy.validation.check_slug; reserved words too).
NewSlug = Annotated[
    str,
    msgspec.Meta(
        max_length=64, pattern=_NO_NUL,
        extra_json_schema={
            "description": "3 to 40 lowercase letters, digits and inner hyphens",
            "examples": ["acme-dental"],
            "extra": {"min_length": 3, "max_length": 40, "pattern": SLUG_PATTERN},
        },
    ),
]
# A password being chosen (rapport.tenancy.passwords: also not a commonly used one).
NewPassword = Annotated[
    str,
    msgspec.Meta(
        min_length=1, max_length=1024, pattern=_NO_NUL,
        extra_json_schema={
            "description": "At least 10 characters, not a commonly used password",
            "extra": {"min_length": PASSWORD_MIN_LENGTH, "max_length": PASSWORD_MAX_LENGTH},
        },
    ),
]
Token = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=_NO_NUL)]
RoleName = Annotated[str, msgspec.Meta(min_length=1, max_length=40, pattern=_NO_NUL)]
LongText = Annotated[str, msgspec.Meta(max_length=100_000, pattern=_NO_NUL)]


class Patch:
    """What every PATCH body adds to ``msgspec.Struct``: each field defaults to
    ``msgspec.UNSET``, so a field left out of the JSON stays as it is and ``null`` clears it.
    Mixed in after the struct: ``class ThingPatch(msgspec.Struct, Patch, ...)``."""

    __slots__ = ()
    __struct_fields__: ClassVar[tuple[str, ...]]
    # Fields that say how to apply the change rather than what changes (e.g. provenance).
    qualifiers: ClassVar[frozenset[str]] = frozenset()

    def changes(self) -> dict[str, Any]:
        """Only what was sent, by field name; ``null`` clears an optional attribute."""
        return {
            name: value
            for name in self.__struct_fields__
            if name not in self.qualifiers and (value := getattr(self, name)) is not msgspec.UNSET
        }


# Shapes the document names although Python keeps the value open (``dict[str, Any]``,
# ``Any``): msgspec cannot decode a union of two object shapes, and a value kept as
# decoded (a custom field's decimal as its exact text) must not be coerced on the way in.
# ``documented`` (in ``Annotated``) puts a description and schema keywords on such a
# field; ``SHAPES`` are the named components they refer to, added to the document by
# rapport.web.contract.
SHAPES: dict[str, dict[str, Any]] = {}


def shape(name: str, schema: dict[str, Any]) -> dict[str, str]:
    """Register the component ``name`` (OpenAPI keywords as in JSON); a reference to it."""
    SHAPES[name] = schema
    return {"$ref": f"#/components/schemas/{name}"}


def documented(description: str, **schema: Any) -> msgspec.Meta:
    """``Annotated[T, documented(...)]``: ``T`` as msgspec reads it, documented with
    ``description`` and Litestar ``Schema`` attributes (``additional_properties=...``)."""
    return msgspec.Meta(extra_json_schema={"description": description, "extra": schema or None})
