"""How a person is named and addressed (MISSION point 9: address people personally).

``display_name`` is what lists show; ``salutation`` is the formal form of address for a
locale — a Ukrainian or Russian contact by given name and patronymic ("Taras Hryhorovych"
in their script), an English one by title and family name ("Dr Smith").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

DEFAULT_LOCALE = "en"
# Cultures that address people formally by given name and patronymic.
PATRONYMIC_LANGUAGES = frozenset({"uk", "ru", "be"})
LOCALE_RE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$")


def normal_locale(tag: str) -> str | None:
    """``en-gb`` → ``en-GB``, ``sr-latn-rs`` → ``sr-Latn-RS``; None if not a language tag."""
    tag = tag.strip().replace("_", "-")
    if not LOCALE_RE.match(tag):
        return None
    first, *rest = tag.split("-")
    parts = [first.lower()]
    for part in rest:
        if len(part) == 2 and part.isalpha():
            parts.append(part.upper())
        elif len(part) == 4 and part.isalpha():
            parts.append(part.title())
        else:
            parts.append(part.lower())
    return "-".join(parts)


def _joined(*parts: str | None) -> str:
    return " ".join(p for p in parts if p)


def display_name(values: Mapping[str, Any], email: str | None, phone: str | None) -> str:
    """The name people use (preferred, else given) with the family name; else an address."""
    name = _joined(values.get("preferred_name") or values.get("given_name"),
                   values.get("family_name"))
    return name or _joined(values.get("patronymic")) or email or phone or ""


def salutation(values: Mapping[str, Any], locale: str | None, fallback: str) -> str:
    language = (locale or DEFAULT_LOCALE).split("-")[0].lower()
    given, patronymic = values.get("given_name"), values.get("patronymic")
    honorific, family = values.get("honorific"), values.get("family_name")
    if language in PATRONYMIC_LANGUAGES and given and patronymic:
        return _joined(given, patronymic)
    if honorific and family:
        return _joined(honorific, family)
    if given and family:
        return _joined(given, family)
    return _joined(honorific, given or family) or fallback
