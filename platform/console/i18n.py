"""The console's languages: gettext catalogs (``locale/<lang>/LC_MESSAGES/messages.po``,
compiled in memory when first used — no build step), the choice of a language for a request,
and dates and numbers in that language through Babel."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, dates, numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from markupsafe import escape

LANGUAGES = ("uk", "ru", "en")
DEFAULT = "en"
# Each language's own name, shown in the language pickers.
NATIVE_NAMES = {"uk": "Українська", "ru": "Русский", "en": "English"}
CATALOGS = Path(__file__).parent / "locale"


def N_(message: str) -> str:
    """Marks a message for extraction (``pybabel extract -k N_``); translated when shown."""
    return message


def compile_po(path: Path) -> Translations:
    """A .po file as a gettext ``Translations`` object (compiled in memory)."""
    with path.open("rb") as source:
        catalog = read_po(source)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


@lru_cache(maxsize=64)
def _catalog(lang: str, folders: tuple[Path, ...]) -> Translations:
    # Plugins' catalogs first, the kernel's merged last: a plugin cannot retranslate the
    # kernel's words by accident.
    merged = Translations()
    for folder in (*folders, CATALOGS):
        po = folder / lang / "LC_MESSAGES" / "messages.po"
        if po.is_file():
            merged.merge(compile_po(po))
    return merged


def translations(lang: str, plugin_folders: Iterable[Path] = ()) -> Translations:
    return _catalog(lang, tuple(plugin_folders))


def supported(tag: str | None) -> str | None:
    """``uk-UA`` → ``uk``; None for languages the console does not speak."""
    if not tag:
        return None
    base = tag.strip().replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else None


def from_accept_language(header: str | None) -> str | None:
    """The first supported language of an ``Accept-Language`` header, by quality."""
    choices: list[tuple[float, int, str]] = []
    for position, part in enumerate((header or "").split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        lang = supported(tag)
        if lang and quality > 0:
            choices.append((-quality, position, lang))
    return min(choices)[2] if choices else None


def choose(*candidates: str | None) -> str:
    """The first candidate the console speaks (member's choice, tenant's, browser's…)."""
    for candidate in candidates:
        lang = supported(candidate)
        if lang:
            return lang
    return DEFAULT


@dataclass(frozen=True)
class Language:
    """One request's language: its messages and its formats, handed to templates."""

    code: str
    catalog: Translations
    # Where the reader is: dates and times are shown in this zone (the member's choice, else
    # the organization's, else UTC; see preferences.py).
    zone: str = "UTC"

    @property
    def tz(self) -> ZoneInfo:
        return _zone(self.zone)

    def local(self, value: dt.datetime) -> dt.datetime:
        """An aware time in the reader's zone (a naive one is taken as UTC, as stored)."""
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(self.tz)

    @property
    def locale(self) -> Locale:
        return Locale.parse(self.code)

    def gettext(self, message: str, **variables: Any) -> str:
        # Jinja's "new style" gettext, made safe for any message id: error details from the
        # services may hold user input, so the text is escaped, never trusted as markup.
        text = escape(self.catalog.gettext(message))
        return text % variables if variables else text

    def ngettext(self, singular: str, plural: str, n: int, **variables: Any) -> str:
        variables.setdefault("num", n)
        return escape(self.catalog.ngettext(singular, plural, n)) % variables

    def date(self, value: dt.date | dt.datetime | str | None, style: str = "medium") -> str:
        value = _parsed(value)
        if not isinstance(value, dt.date):
            return ""
        day = self.local(value).date() if isinstance(value, dt.datetime) else value
        return dates.format_date(day, style, locale=self.code)

    def datetime(self, value: dt.datetime | str | None, style: str = "medium") -> str:
        value = _parsed(value)
        if value is None:
            return ""
        if not isinstance(value, dt.datetime):
            return self.date(value, style)
        return dates.format_datetime(self.local(value), style, tzinfo=self.tz, locale=self.code)

    def ago(self, value: dt.datetime | None, now: dt.datetime | None = None) -> str:
        """"3 days ago", in the language."""
        if value is None:
            return ""
        now = now or dt.datetime.now(value.tzinfo)
        return dates.format_timedelta(value - now, add_direction=True, locale=self.code)

    def number(self, value: int | float | Decimal | None) -> str:
        return "" if value is None else numbers.format_decimal(value, locale=self.code)

    def money(self, value: int | float | Decimal | None, currency: str | None) -> str:
        if value is None:
            return ""
        if not currency:
            return self.number(value)
        return numbers.format_currency(value, currency, locale=self.code)


def _parsed(value: Any) -> Any:
    """Dates arrive as objects or, from JSON-shaped hook answers, as ISO strings."""
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            return None
    return value


@cache
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def language(code: str, plugin_folders: Iterable[Path] = (), zone: str = "UTC") -> Language:
    return Language(code, translations(code, plugin_folders), zone)
