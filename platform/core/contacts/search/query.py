"""``?q=`` → SQL conditions over the term index: every token must match some term of the
contact, by prefix (a btree range) or, for words, by a close spelling from the vocabulary.

Spellings are looked up first (``plan``, one index-backed query per long word) so the list
statement itself stays a plain, EXPLAIN-able SELECT (``conditions``).

Relevance: per query word a contact scores ``EXACT`` when one of its terms is the word,
``PREFIX`` when a term only starts with it, nothing for a close spelling; a contact's rank
is the sum. So more exact words beat fewer, whatever the prefixes (at most ``MAX_TOKENS``
words, fewer than ``EXACT``), and prefixes beat typos. One word is listed rank by rank
(``tiers``), several by one summing query (``ranking``). A ranked cursor carries the rank
and id of the last row, and which query it was issued for.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    Select,
    SQLColumnExpression,
    Subquery,
    and_,
    case,
    func,
    literal,
    not_,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from rapport.core import pagination
from rapport.core.contacts.search import terms as t
from rapport.core.contacts.search.models import ContactSearchTerm, SearchVariant, SearchWord
from rapport.core.fields.filters import bad_query

MAX_QUERY = 200
# Typo matching starts at this many characters (shorter words match too much).
MIN_FUZZY = 4
MAX_EDITS = 2
MAX_SPELLINGS = 10
_CANDIDATES = 50
# Per query word: a term equal to it, a term starting with it (a close spelling scores 0).
EXACT = 10
PREFIX = 1
assert t.MAX_TOKENS * PREFIX < EXACT  # one exact word outranks any number of prefixes


@dataclass(frozen=True)
class TokenMatch:
    token: t.Token
    spellings: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class SearchPlan:
    matches: tuple[TokenMatch, ...]

    @property
    def digest(self) -> str:
        """Names the query a ranked cursor belongs to (its words, not their spellings)."""
        words = "\x1f".join(f"{m.token.kind}:{m.token.text}" for m in self.matches)
        return hashlib.sha256(words.encode()).hexdigest()[:16]


def spellings_statement(tenant_id: uuid.UUID, word: str) -> Select[str]:
    """Vocabulary words sharing a one-letter-deleted variant with ``word`` (for EXPLAIN)."""
    return (
        select(SearchWord.word)
        .join(
            SearchVariant,
            (SearchVariant.tenant_id == SearchWord.tenant_id) & (SearchVariant.id == SearchWord.id),
        )
        .where(
            SearchVariant.tenant_id == tenant_id,
            SearchWord.tenant_id == tenant_id,
            SearchVariant.variant.in_(sorted(t.variants(word))),
        )
        .distinct()
        .limit(_CANDIDATES)
    )


async def spellings(session: AsyncSession, tenant_id: uuid.UUID, word: str) -> tuple[str, ...]:
    """Vocabulary words at most ``MAX_EDITS`` edits from ``word``, closest first."""
    rows = await session.execute(spellings_statement(tenant_id, word))
    scored = sorted(
        (t.distance(word, w), w) for w in rows.scalars() if w != word
    )
    return tuple(w for edits, w in scored if edits <= MAX_EDITS)[:MAX_SPELLINGS]


async def plan(session: AsyncSession, tenant_id: uuid.UUID, q: str | None) -> SearchPlan | None:
    """Read ``q``; None when there is nothing to search for. Bad queries → 400 naming q."""
    if q is None or not q.strip():
        return None
    if "\x00" in q:
        raise bad_query("q", "must not contain NUL characters")
    if len(q) > MAX_QUERY:
        raise bad_query("q", f"at most {MAX_QUERY} characters")
    try:
        tokens = t.tokens(q)
    except t.QueryError as exc:
        raise bad_query("q", str(exc)) from exc
    if not tokens:
        return None
    matches = []
    for token in tokens:
        fuzzy = token.kind == t.TokenKind.WORD and len(token.text) >= MIN_FUZZY
        found = await spellings(session, tenant_id, token.text) if fuzzy else ()
        matches.append(TokenMatch(token, found))
    return SearchPlan(tuple(matches))


def _prefixed(match: TokenMatch) -> list[ColumnElement[bool]]:
    term = ContactSearchTerm.term
    return [
        and_(term >= prefix, term < t.prefix_end(prefix)) for prefix in match.token.prefixes()
    ]


def _term_matches(match: TokenMatch) -> ColumnElement[bool]:
    ranges = _prefixed(match)
    if match.spellings:
        ranges.append(ContactSearchTerm.term.in_(match.spellings))
    return or_(*ranges)


def conditions(
    search: SearchPlan | None, tenant_id: uuid.UUID, contact_id: SQLColumnExpression[Any]
) -> list[ColumnElement[bool]]:
    """One ``id IN (…terms…)`` per token: a contact matches when every token does."""
    if search is None:
        return []
    return [
        contact_id.in_(
            select(ContactSearchTerm.id).where(
                ContactSearchTerm.tenant_id == tenant_id, _term_matches(match)
            )
        )
        for match in search.matches
    ]


def ranking(search: SearchPlan, tenant_id: uuid.UUID) -> Subquery:
    """``(id, score)`` of every contact matching every word of the query.

    One index-backed read of the terms per word (the same ranges ``conditions`` probes),
    each contact's best grade per word, summed; a contact missing a word drops out.
    """
    term = ContactSearchTerm.term
    per_word = []
    for number, match in enumerate(search.matches):
        # A phone number typed in full equals one of its stored forms (``prefixes``).
        grade = case(
            (term.in_(match.token.prefixes()), EXACT),
            (or_(*_prefixed(match)), PREFIX),
            else_=0,
        )
        per_word.append(
            select(
                ContactSearchTerm.id.label("id"),
                literal(number).label("word"),
                func.max(grade).label("grade"),
            )
            .where(ContactSearchTerm.tenant_id == tenant_id, _term_matches(match))
            .group_by(ContactSearchTerm.id)
        )
    words = union_all(*per_word).subquery("word_grades")
    return (
        select(words.c.id, func.sum(words.c.grade).label("score"))
        .group_by(words.c.id)
        .having(func.count() == len(search.matches))
        .subquery("ranked")
    )


def cursor_key(search: SearchPlan, score: int, last_id: uuid.UUID) -> tuple[str, int, uuid.UUID]:
    """What a ranked cursor carries: the query it was issued for, the rank and the id."""
    return (search.digest, int(score), last_id)


def decode_cursor(search: SearchPlan, cursor: str) -> tuple[int, uuid.UUID]:
    """The (rank, id) a ranked cursor points after; 400 naming ``cursor`` otherwise."""
    digest, score, last_id = pagination.decode(cursor, tuple[str, int, uuid.UUID])
    if digest != search.digest:
        raise pagination.bad_cursor("was issued for a different q")
    return score, last_id


def after(
    ranked: Subquery, contact_id: SQLColumnExpression[Any], search: SearchPlan, cursor: str
) -> ColumnElement[bool]:
    """Rows after the cursor's (rank, id) in best-first, newest-first order."""
    score, last_id = decode_cursor(search, cursor)
    rank = ranked.c.score
    return or_(rank < score, and_(rank == score, contact_id < last_id))


def tiers(
    search: SearchPlan, tenant_id: uuid.UUID, contact_id: SQLColumnExpression[Any]
) -> list[tuple[int, ColumnElement[bool]]] | None:
    """For a one-word query, each rank it can give (best first) with the condition of
    having exactly that rank; None for several words (``ranking`` sums them).

    A page of one rank is then an ordinary newest-first list — ``term = word`` reads the
    term index in id order and stops with the page — and the next rank is read only if the
    page is not full: a common name costs what the unranked search cost, instead of
    grading every contact that merely starts with it.
    """
    if len(search.matches) != 1:
        return None
    [match] = search.matches
    term = ContactSearchTerm.term

    def having(condition: ColumnElement[bool]) -> ColumnElement[bool]:
        return contact_id.in_(
            select(ContactSearchTerm.id).where(ContactSearchTerm.tenant_id == tenant_id, condition)
        )

    exact = having(term.in_(match.token.prefixes()))
    prefixed = having(or_(*_prefixed(match)))  # exact terms are their own prefixes
    found = [(EXACT, exact), (PREFIX, and_(prefixed, not_(exact)))]
    if match.spellings:
        found.append((0, and_(having(term.in_(match.spellings)), not_(prefixed))))
    return found
