"""``?q=`` → SQL conditions over the term index: every token must match some term of the
contact, by prefix (a btree range) or, for words, by a close spelling from the vocabulary.

Spellings are looked up first (``plan``, one index-backed query per long word) so the list
statement itself stays a plain, EXPLAIN-able SELECT (``conditions``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from rapport.core.contacts.search import terms as t
from rapport.core.contacts.search.models import ContactSearchTerm, SearchVariant, SearchWord
from rapport.core.fields.filters import bad_query

MAX_QUERY = 200
# Typo matching starts at this many characters (shorter words match too much).
MIN_FUZZY = 4
MAX_EDITS = 2
MAX_SPELLINGS = 10
_CANDIDATES = 50


@dataclass(frozen=True)
class TokenMatch:
    token: t.Token
    spellings: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class SearchPlan:
    matches: tuple[TokenMatch, ...]


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
