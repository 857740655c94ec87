"""Addressing a person in a letter, declined as their language requires (MISSION point 9).

Ukrainian greets in the vocative ("Шановний Миколо Петровичу"), Russian greets in the
nominative ("Уважаемый Николай Петрович") and addresses the envelope in the dative
("Николаю Петровичу"); English uses title and family name ("Dear Mr Bondarenko").
Declension comes from maintained libraries, not from rules of our own: ``shevchenko``
(the Python port of shevchenko-js) for Ukrainian and ``pytrovich`` (the petrovich team's
port) for Russian — compared on real names in tests/core/communication/test_salutation.py.

The grammatical gender comes from the profile (a ``custom.gender`` field, or the
honorific) or, failing that, is inferred from the patronymic (then the given name).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import shevchenko
from pytrovich.detector import PetrovichGenderDetector
from pytrovich.enums import Case, Gender, NamePart
from pytrovich.maker import PetrovichDeclinationMaker

MASCULINE, FEMININE = "masculine", "feminine"
_GENDER_WORDS = {
    MASCULINE: {"m", "male", "man", "masculine", "ч", "чоловіча", "чоловік", "м", "мужской",
                "mr", "mr.", "пан", "господин"},
    FEMININE: {"f", "female", "woman", "feminine", "ж", "жіноча", "жінка", "женский",
               "mrs", "mrs.", "ms", "ms.", "miss", "пані", "госпожа"},
}
_RU = PetrovichDeclinationMaker()
_RU_GENDER = PetrovichGenderDetector()


@dataclass(frozen=True)
class Address:
    """``greeting``: the letter's first words; ``envelope``: the name in the case the
    envelope takes (dative in Russian, else the nominative)."""

    greeting: str
    envelope: str
    gender: str | None


def _word_gender(value: Any) -> str | None:
    word = str(value or "").strip().lower()
    for gender, words in _GENDER_WORDS.items():
        if word in words:
            return gender
    return None


def gender_of(values: Mapping[str, Any], language: str) -> str | None:
    """From the profile (``custom.gender``, then the honorific), else from the names."""
    fields = values.get("fields") or {}
    stated = _word_gender(fields.get("custom.gender")) or _word_gender(values.get("honorific"))
    if stated:
        return stated
    given, patronymic = values.get("given_name"), values.get("patronymic")
    if not (given or patronymic):
        return None
    if language == "ru":
        try:
            found = _RU_GENDER.detect(firstname=given or "", middlename=patronymic or "")
        except (KeyError, ValueError):
            return None
        return {Gender.MALE: MASCULINE, Gender.FEMALE: FEMININE}.get(found)
    try:
        found_uk = shevchenko.detect_gender(given_name=given, patronymic_name=patronymic)
    except shevchenko.InputValidationError:
        return None
    return found_uk if found_uk in (MASCULINE, FEMININE) else None


def _joined(*parts: str | None) -> str:
    return " ".join(p for p in parts if p)


def _ukrainian(values: Mapping[str, Any], gender: str | None) -> Address:
    given, patronymic, family = (values.get(k) for k in ("given_name", "patronymic",
                                                          "family_name"))
    dear = "Шановна" if gender == FEMININE else "Шановний"
    if gender is None or not given:
        name = _joined(given, patronymic) or _joined(values.get("honorific"), family)
        return Address(_joined(dear, name) if name else "Доброго дня", name, gender)
    vocative = shevchenko.in_vocative(gender=gender, given_name=given,
                                      patronymic_name=patronymic or None)
    name = _joined(vocative.get("given_name"), vocative.get("patronymic_name"))
    return Address(f"{dear} {name}", _joined(given, patronymic), gender)


def _russian(values: Mapping[str, Any], gender: str | None) -> Address:
    given, patronymic = values.get("given_name"), values.get("patronymic")
    dear = "Уважаемая" if gender == FEMININE else "Уважаемый"
    name = _joined(given, patronymic)
    if gender is None or not given:
        return Address(_joined(dear, name) if name else "Здравствуйте", name, gender)
    g = Gender.FEMALE if gender == FEMININE else Gender.MALE
    dative = _joined(
        _RU.make(NamePart.FIRSTNAME, g, Case.DATIVE, given),
        _RU.make(NamePart.MIDDLENAME, g, Case.DATIVE, patronymic) if patronymic else None,
    )
    return Address(f"{dear} {name}", dative, gender)


def _english(values: Mapping[str, Any], gender: str | None) -> Address:
    given, family = values.get("given_name"), values.get("family_name")
    title = values.get("honorific") or {MASCULINE: "Mr", FEMININE: "Ms"}.get(gender or "")
    name = _joined(title, family) if title and family else _joined(given, family)
    return Address(f"Dear {name}" if name else "Hello", _joined(given, family), gender)


def address(values: Mapping[str, Any], language: str) -> Address:
    """How to greet the person whose contact ``values`` are, writing in ``language``."""
    lang = language.split("-")[0].lower()
    gender = gender_of(values, lang)
    if lang == "uk":
        return _ukrainian(values, gender)
    if lang == "ru":
        return _russian(values, gender)
    return _english(values, gender)
