"""``?q=`` → SQL conditions over the term index: every token must match some term of the
contact, by prefix (a btree range) or, for words, by a close spelling from the vocabulary.

Spellings are looked up first (``plan``, one index-backed query per long word) so the list
statement itself stays a plain, EXPLAIN-able SELECT (``conditions``).
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from rapport.core.contacts.search import terms as t
from rapport.core.contacts.search.models import ContactSearchTerm, SearchTrigram, SearchWord
from rapport.core.fields.filters import bad_query

MAX_QUERY = 200
# Typo matching starts at this many characters (shorter words match too much).
MIN_FUZZY = 4
SIMILARITY = 0.45
MAX_SPELLINGS = 10
_CANDIDATES = 50


@dataclass(frozen=True)
class TokenMatch:
    token: t.Token
    spellings: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class SearchPlan:
    matches: tuple[TokenMatch, ...]


async def spellings(session: AsyncSession, tenant_id: uuid.UUID, word: str) -> tuple[str, ...]:
    """Vocabulary words within ``SIMILARITY`` of ``word``, most similar first."""
    grams = t.trigrams(word)
    # similarity >= s needs at least s·|grams|/(1+s) shared trigrams.
    least = max(2, math.ceil(SIMILARITY * len(grams) / (1 + SIMILARITY)))
    shared = func.count().label("shared")
    rows = await session.execute(
        select(SearchWord.word, shared)
        .join(
            SearchTrigram,
            (SearchTrigram.tenant_id == SearchWord.tenant_id) & (SearchTrigram.id == SearchWord.id),
        )
        .where(
            SearchTrigram.tenant_id == tenant_id,
            SearchWord.tenant_id == tenant_id,
            SearchTrigram.trigram.in_(sorted(grams)),
        )
        .group_by(SearchWord.word)
        .having(func.count() >= least)
        .order_by(shared.desc(), SearchWord.word)
        .limit(_CANDIDATES)
    )
    scored = sorted(
        ((t.similarity(word, w), w) for w, _ in rows if w != word),
        key=lambda pair: (-pair[0], pair[1]),
    )
    return tuple(w for score, w in scored if score >= SIMILARITY)[:MAX_SPELLINGS]


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


def _term_matches(match: TokenMatch) -> ColumnElement[bool]:
    term = ContactSearchTerm.term
    ranges: list[ColumnElement[bool]] = [
        and_(term >= prefix, term < t.prefix_end(prefix)) for prefix in match.token.prefixes()
    ]
    if match.spellings:
        ranges.append(term.in_(match.spellings))
    return or_(*ranges)


def conditions(
    search: SearchPlan | None, tenant_id: uuid.UUID, contact_id: ColumnElement[Any]
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
