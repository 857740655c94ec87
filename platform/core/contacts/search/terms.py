"""What a contact can be found by, and how a query is read: folding, words, phone digits,
spelling variants. Pure functions; the index and the query both use them, so they always agree.

Terms are compared byte-wise (``COLLATE "C"``) so a prefix is a plain btree range.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

import phonenumbers

MAX_TERM = 100
MAX_TOKENS = 8
MIN_PHONE_DIGITS = 3
# A word enters the typo vocabulary from this length on.
MIN_VOCABULARY_WORD = 3
REVERSED = "~"  # marks a phone number's digits reversed, so a suffix becomes a prefix
_APOSTROPHES = str.maketrans("", "", "'\u2019\u02bc`\u00b4")
_WORD = re.compile(r"[^\W_]+")
# A run of digits with the usual phone punctuation (at least MIN_PHONE_DIGITS digits).
_PHONE_RUN = re.compile(r"(?<![\w@.])\+?\d[\d\s().\-/]*\d(?![\w@])")


def fold(text: str) -> str:
    """Case- and accent-insensitive form: ``Müller`` → ``muller``, ``O'Neil`` → ``oneil``.

    Decomposing drops combining marks, so the Cyrillic short i, yi and yo fold to the
    letters people type without the diacritic; apostrophes inside names disappear.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_APOSTROPHES))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str | None) -> list[str]:
    return [w[:MAX_TERM] for w in _WORD.findall(fold(text or ""))]


def is_vocabulary_word(term: str) -> bool:
    """Name and organization words (not emails, domains or digits) get typo matching."""
    return len(term) >= MIN_VOCABULARY_WORD and bool(_WORD.fullmatch(term)) and not term.isdigit()


def variants(word: str) -> frozenset[str]:
    """The word and every spelling of it with one character left out.

    Two words whose variant sets meet are at most a typo or two apart: a missing, extra,
    wrong or swapped letter ("Shevchneko"/"Shevchenko" both give "shevcheko"). Looking the
    query's variants up by equality is a handful of btree probes, however many words look
    alike — unlike trigram overlap, whose common trigrams ("enk" in every -enko) would
    read a large part of the vocabulary.
    """
    return frozenset({word, *(word[:i] + word[i + 1 :] for i in range(len(word)))})


def distance(a: str, b: str) -> int:
    """Edit distance counting a swap of neighbours as one edit (optimal string alignment)."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            best = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                best = min(best, previous2[j - 2] + 1)
            current.append(best)
        previous2, previous = previous, current
    return previous[-1]


def email_terms(address: str) -> list[str]:
    folded = address.lower()[:MAX_TERM]
    domain = folded.rpartition("@")[2]
    return [folded, domain] if domain else [folded]


def phone_terms(e164: str, national: str | None = None) -> list[str]:
    """The digits as dialled internationally and nationally, and reversed (for suffixes).
    ``national``: the national number, when the caller has just parsed it (an import)."""
    digits = e164.lstrip("+")
    terms = [digits, REVERSED + digits[::-1]]
    if national is None:
        try:
            national = str(phonenumbers.parse(e164, None).national_number)
        except phonenumbers.NumberParseException:
            national = ""
    if national and national != digits:
        terms.append(national)
    return terms


def contact_terms(
    names: Iterable[str | None],
    emails: Iterable[str],
    phones: Iterable[str],
    organizations: Iterable[str],
) -> set[str]:
    terms: set[str] = set()
    for name in [*names, *organizations]:
        terms.update(words(name))
    for address in emails:
        terms.update(email_terms(address))
    for number in phones:
        terms.update(phone_terms(number))
    return {t for t in terms if t}


class TokenKind(StrEnum):
    WORD = "word"
    EMAIL = "email"
    PHONE = "phone"


@dataclass(frozen=True)
class Token:
    kind: TokenKind
    text: str

    def prefixes(self) -> list[str]:
        """Every term starting with one of these matches the token."""
        if self.kind != TokenKind.PHONE:
            return [self.text]
        found = [self.text, REVERSED + self.text[::-1]]
        # A national number typed with its trunk prefix (067…, 020…) is stored without it.
        national = self.text.lstrip("0")
        if national and national != self.text and len(national) >= MIN_PHONE_DIGITS:
            found.append(national)
        return found


class QueryError(ValueError):
    """The query cannot be searched; the message says why."""


def tokens(query: str) -> list[Token]:
    """Phone-like runs first (their spaces belong to the number), then emails, then words."""
    found: list[Token] = []

    def phone(match: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", match.group(0))
        if len(digits) < MIN_PHONE_DIGITS:
            return match.group(0)  # too short for a number: read it as a word
        found.append(Token(TokenKind.PHONE, digits[:MAX_TERM]))
        return " "

    rest = _PHONE_RUN.sub(phone, query)
    for chunk in rest.split():
        if "@" in chunk:
            found.append(Token(TokenKind.EMAIL, chunk.lower().strip(".,;<>()\"'")[:MAX_TERM]))
        else:
            found.extend(Token(TokenKind.WORD, w) for w in words(chunk))
    unique = list(dict.fromkeys(t for t in found if t.text))
    if len(unique) > MAX_TOKENS:
        raise QueryError(f"at most {MAX_TOKENS} words")
    return unique


def prefix_end(prefix: str) -> str:
    """The smallest string greater than every string that starts with ``prefix``."""
    while prefix:
        following = ord(prefix[-1]) + 1
        if 0xD800 <= following <= 0xDFFF:  # surrogates cannot be encoded; skip past them
            following = 0xE000
        if following <= 0x10FFFF:
            return prefix[:-1] + chr(following)
        prefix = prefix[:-1]
    return "\U0010ffff"
