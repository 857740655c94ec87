"""The SERVQUAL instrument (Parasuraman, Zeithaml & Berry, 1988; revised 1991): 22 items in
five dimensions, each answered twice on a 1-7 scale — what an excellent organisation of
this kind would offer (expectation) and what this one offered (perception). The wording
here is our own, in English, Ukrainian and Russian; tenants copy it into a survey and may
edit, translate and extend it there."""

# The Ukrainian and Russian text is meant: its one-letter words are not Latin look-alikes.
# ruff: noqa: RUF001

from __future__ import annotations

from typing import Final

SCALE_MIN: Final = 1
SCALE_MAX: Final = 7
LANGUAGES: Final = ("en", "uk", "ru")

# The five dimensions, in the instrument's order, with their names per language.
DIMENSIONS: Final[dict[str, dict[str, str]]] = {
    "tangibles": {"en": "Tangibles", "uk": "Матеріальність", "ru": "Материальность"},
    "reliability": {"en": "Reliability", "uk": "Надійність", "ru": "Надёжность"},
    "responsiveness": {"en": "Responsiveness", "uk": "Чуйність", "ru": "Отзывчивость"},
    "assurance": {"en": "Assurance", "uk": "Впевненість", "ru": "Убедительность"},
    "empathy": {"en": "Empathy", "uk": "Емпатія", "ru": "Эмпатия"},
}

# (key, dimension, {language: statement}); items 1-4 tangibles, 5-9 reliability,
# 10-13 responsiveness, 14-17 assurance, 18-22 empathy.
ITEMS: Final[tuple[tuple[str, str, dict[str, str]], ...]] = (
    ("q01", "tangibles", {
        "en": "Up-to-date equipment and tools",
        "uk": "Сучасне обладнання та інструменти",
        "ru": "Современное оборудование и инструменты"}),
    ("q02", "tangibles", {
        "en": "Premises that look attractive and inviting",
        "uk": "Приміщення, що мають привабливий і затишний вигляд",
        "ru": "Помещения, которые выглядят привлекательно и уютно"}),
    ("q03", "tangibles", {
        "en": "Staff who look neat and professional",
        "uk": "Охайний і професійний вигляд працівників",
        "ru": "Опрятный и профессиональный вид сотрудников"}),
    ("q04", "tangibles", {
        "en": "Leaflets, letters and other materials that are clear and pleasant to look at",
        "uk": "Зрозумілі й приємні на вигляд буклети, листи та інші матеріали",
        "ru": "Понятные и приятные на вид буклеты, письма и другие материалы"}),
    ("q05", "reliability", {
        "en": "Doing what was promised by the time it was promised",
        "uk": "Виконання обіцяного у визначений строк",
        "ru": "Выполнение обещанного к назначенному сроку"}),
    ("q06", "reliability", {
        "en": "A genuine wish to solve a customer's problem",
        "uk": "Щире бажання розв'язати проблему клієнта",
        "ru": "Искреннее желание решить проблему клиента"}),
    ("q07", "reliability", {
        "en": "Getting the service right the first time",
        "uk": "Правильне надання послуги з першого разу",
        "ru": "Правильное оказание услуги с первого раза"}),
    ("q08", "reliability", {
        "en": "Delivering the service at the time promised",
        "uk": "Надання послуги в обіцяний час",
        "ru": "Оказание услуги в обещанное время"}),
    ("q09", "reliability", {
        "en": "Records and paperwork kept free of mistakes",
        "uk": "Облік і документи без помилок",
        "ru": "Учёт и документы без ошибок"}),
    ("q10", "responsiveness", {
        "en": "Telling customers exactly when things will be done",
        "uk": "Точне повідомлення клієнтам, коли саме буде виконано роботу",
        "ru": "Точное сообщение клиентам, когда именно будет выполнена работа"}),
    ("q11", "responsiveness", {
        "en": "Serving customers without delay",
        "uk": "Обслуговування клієнтів без затримок",
        "ru": "Обслуживание клиентов без задержек"}),
    ("q12", "responsiveness", {
        "en": "Staff who are always willing to help",
        "uk": "Працівники, які завжди готові допомогти",
        "ru": "Сотрудники, которые всегда готовы помочь"}),
    ("q13", "responsiveness", {
        "en": "Staff who are never too busy to answer a request",
        "uk": "Працівники, які ніколи не надто зайняті, щоб відповісти на прохання",
        "ru": "Сотрудники, которые никогда не слишком заняты, чтобы ответить на просьбу"}),
    ("q14", "assurance", {
        "en": "Staff whose conduct inspires confidence",
        "uk": "Поведінка працівників, що викликає довіру",
        "ru": "Поведение сотрудников, которое вызывает доверие"}),
    ("q15", "assurance", {
        "en": "Customers feeling safe in their dealings with the organisation",
        "uk": "Почуття безпеки клієнтів у справах з організацією",
        "ru": "Чувство безопасности клиентов в делах с организацией"}),
    ("q16", "assurance", {
        "en": "Staff who are courteous every time",
        "uk": "Незмінна ввічливість працівників",
        "ru": "Неизменная вежливость сотрудников"}),
    ("q17", "assurance", {
        "en": "Staff who know enough to answer customers' questions",
        "uk": "Працівники, які мають досить знань, щоб відповісти на запитання клієнтів",
        "ru": "Сотрудники, которым хватает знаний, чтобы ответить на вопросы клиентов"}),
    ("q18", "empathy", {
        "en": "Attention to each customer as an individual",
        "uk": "Увага до кожного клієнта як до особистості",
        "ru": "Внимание к каждому клиенту как к личности"}),
    ("q19", "empathy", {
        "en": "Opening hours that suit all customers",
        "uk": "Години роботи, зручні для всіх клієнтів",
        "ru": "Часы работы, удобные для всех клиентов"}),
    ("q20", "empathy", {
        "en": "Staff who give customers personal attention",
        "uk": "Працівники, які приділяють клієнтам особисту увагу",
        "ru": "Сотрудники, которые уделяют клиентам личное внимание"}),
    ("q21", "empathy", {
        "en": "Having the customer's best interests at heart",
        "uk": "Щира турбота про інтереси клієнта",
        "ru": "Искренняя забота об интересах клиента"}),
    ("q22", "empathy", {
        "en": "Understanding each customer's particular needs",
        "uk": "Розуміння особливих потреб кожного клієнта",
        "ru": "Понимание особых потребностей каждого клиента"}),
)


def standard_items() -> list[dict[str, object]]:
    """A fresh copy of the 22 items, as a survey stores them."""
    return [{"key": key, "dimension": dimension, "text": dict(text)}
            for key, dimension, text in ITEMS]


def equal_weights() -> dict[str, int]:
    """SERVQUAL's points allocation when nobody chose: 100 points shared equally."""
    return {name: 100 // len(DIMENSIONS) for name in DIMENSIONS}
