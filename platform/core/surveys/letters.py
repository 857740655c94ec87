"""The built-in invitation, for a survey without a template on the channel: a short letter
in the invitation's language greeting the contact with the kernel's declined salutation and
signed by the sending member. Tenants who want their own words make a message template and
name ``{{ surveys.link }}`` in it."""

# The Ukrainian and Russian text is meant: its one-letter words are not Latin look-alikes.
# ruff: noqa: RUF001

from __future__ import annotations

from datetime import datetime
from typing import Any

from rapport.core.communication.rendering import Rendered

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "subject": "How did we do?",
        "ask": "{org} would like to know how we served you. The survey takes about five "
               "minutes, and each answer helps us do better:",
        "until": "The link is yours alone and works until {date}.",
        "reminder_subject": "A reminder: how did we do?",
        "remind": "A reminder: {org} would still like to know how we served you. If you "
                  "have five minutes, your answers help us do better:",
    },
    "uk": {
        "subject": "Як ми впоралися?",
        "ask": "{org} просить оцінити, як вас обслужили. Опитування займе близько п'яти "
               "хвилин, і кожна відповідь допоможе нам працювати краще:",
        "until": "Посилання особисте й дійсне до {date}.",
        "reminder_subject": "Нагадування: як ми впоралися?",
        "remind": "Нагадуємо: {org} просить оцінити, як вас обслужили. Якщо маєте п'ять "
                  "хвилин, ваші відповіді допоможуть нам працювати краще:",
    },
    "ru": {
        "subject": "Как мы справились?",
        "ask": "{org} просит оценить, как вас обслужили. Опрос займёт около пяти минут, и "
               "каждый ответ поможет нам работать лучше:",
        "until": "Ссылка личная и действительна до {date}.",
        "reminder_subject": "Напоминание: как мы справились?",
        "remind": "Напоминаем: {org} просит оценить, как вас обслужили. Если у вас есть "
                  "пять минут, ваши ответы помогут нам работать лучше:",
    },
}


def default_letter(language: str, channel: str, variables: dict[str, Any], url: str,
                   expires_at: datetime, *, reminder: bool = False) -> Rendered:
    """The letter, or with ``reminder`` the one reminder to someone who has not answered."""
    said = WORDS.get(language, WORDS["en"])
    org = variables["organization"]["name"]
    greeting = variables["salutation"]
    ask = said["remind" if reminder else "ask"].format(org=org)
    until = said["until"].format(date=f"{expires_at:%Y-%m-%d}")
    if channel != "email":  # a short message: no subject, no signature
        return Rendered(None, f"{greeting}! {ask} {url}")
    signature = variables["member"]["signature"]
    body = f"{greeting}!\n\n{ask}\n\n{url}\n\n{until}\n"
    if signature:
        body += f"\n{signature}\n"
    return Rendered(said["reminder_subject" if reminder else "subject"], body)
