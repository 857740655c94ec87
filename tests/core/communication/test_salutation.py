"""Salutations declined by maintained libraries, checked on real names: the Ukrainian
vocative (shevchenko), the Russian dative (pytrovich), gender from the profile or inferred
from the patronymic; and the English form."""

# ruff: noqa: RUF001

from __future__ import annotations

import pytest

from rapport.core.communication.salutation import address

UKRAINIAN = [
    # given, patronymic, expected greeting
    ("Микола", "Петрович", "Шановний Миколо Петровичу"),
    ("Олена", "Іванівна", "Шановна Олено Іванівно"),
    ("Тарас", "Григорович", "Шановний Тарасе Григоровичу"),
    ("Ігор", "Олегович", "Шановний Ігорю Олеговичу"),
    ("Ольга", "Миколаївна", "Шановна Ольго Миколаївно"),
    ("Андрій", "Сергійович", "Шановний Андрію Сергійовичу"),
    ("Любов", "Василівна", "Шановна Любове Василівно"),
    ("Наталія", "Петрівна", "Шановна Наталіє Петрівно"),
    ("Павло", "Іванович", "Шановний Павле Івановичу"),
]
RUSSIAN = [
    # given, patronymic, expected envelope (dative)
    ("Николай", "Петрович", "Николаю Петровичу"),
    ("Елена", "Ивановна", "Елене Ивановне"),
    ("Илья", "Сергеевич", "Илье Сергеевичу"),
    ("Любовь", "Петровна", "Любови Петровне"),
    ("Павел", "Ильич", "Павлу Ильичу"),
    ("Мария", "Никитична", "Марии Никитичне"),
    ("Игорь", "Олегович", "Игорю Олеговичу"),
]


@pytest.mark.parametrize(("given", "patronymic", "greeting"), UKRAINIAN)
def test_ukrainian_greeting_is_in_the_vocative(given, patronymic, greeting):
    assert address({"given_name": given, "patronymic": patronymic}, "uk").greeting == greeting


@pytest.mark.parametrize(("given", "patronymic", "envelope"), RUSSIAN)
def test_russian_envelope_is_in_the_dative(given, patronymic, envelope):
    found = address({"given_name": given, "patronymic": patronymic}, "ru")
    assert found.envelope == envelope
    assert found.greeting.endswith(f"{given} {patronymic}")


def test_gender_from_the_profile_wins_over_the_names():
    # Without a patronymic the given name alone is ambiguous; the profile decides.
    values = {"given_name": "Женя", "fields": {"custom.gender": "female"}}
    assert address(values, "uk").greeting.startswith("Шановна")


def test_english_uses_title_and_family_name():
    values = {"given_name": "Mykola", "family_name": "Bondarenko", "honorific": "Mr"}
    assert address(values, "en").greeting == "Dear Mr Bondarenko"
    male = {"given_name": "Mykola", "family_name": "Bondarenko", "fields": {"custom.gender": "m"}}
    assert address(male, "en-GB").greeting == "Dear Mr Bondarenko"
    assert address({"given_name": "Ann", "family_name": "Lee"}, "en").greeting == "Dear Ann Lee"
    assert address({}, "en").greeting == "Hello"
