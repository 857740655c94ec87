"""Keeps the search terms of contacts in step with their names, emails, phones and
organizations. Actions call ``refresh`` after a change, in the same transaction; it
writes only the difference, so an edit that touches no searchable value costs one read.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import TypeVar

from sqlalchemy import CompoundSelect, delete, literal, null, select, text, tuple_, union_all
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.contacts.models import (
    Contact,
    ContactEmail,
    ContactOrganization,
    ContactPhone,
    Organization,
)
from rapport.core.contacts.search import terms as t
from rapport.core.contacts.search.models import ContactSearchTerm, SearchVariant, SearchWord
from rapport.db.base import new_id

# Rows per multi-row INSERT: well under PostgreSQL's 65535 bound parameters.
BATCH = 5_000
T = TypeVar("T")


async def _sources(
    session: AsyncSession, tenant_id: uuid.UUID, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, set[str]]:
    """Every contact's terms, from one round trip over the four places they come from."""
    names = select(
        Contact.id,
        literal("n"),
        Contact.given_name,
        Contact.patronymic,
        Contact.family_name,
        Contact.preferred_name,
    ).where(Contact.tenant_id == tenant_id, Contact.id.in_(ids), Contact.deleted_at.is_(None))
    emails = select(
        ContactEmail.contact_id, literal("e"), ContactEmail.address_key, null(), null(), null()
    ).where(ContactEmail.tenant_id == tenant_id, ContactEmail.contact_id.in_(ids))
    phones = select(
        ContactPhone.contact_id, literal("p"), ContactPhone.number, null(), null(), null()
    ).where(ContactPhone.tenant_id == tenant_id, ContactPhone.contact_id.in_(ids))
    orgs = (
        select(
            ContactOrganization.contact_id, literal("o"), Organization.name, null(), null(), null()
        )
        .join(
            Organization,
            (Organization.tenant_id == ContactOrganization.tenant_id)
            & (Organization.id == ContactOrganization.organization_id),
        )
        .where(
            ContactOrganization.tenant_id == tenant_id, ContactOrganization.contact_id.in_(ids),
            Organization.deleted_at.is_(None),
        )
    )
    # Typed by hand: the branches' NULL columns keep mypy from joining their row types.
    sources: CompoundSelect[uuid.UUID, str, str | None, str | None, str | None, str | None]
    sources = union_all(names, emails, phones, orgs)
    found: dict[uuid.UUID, set[str]] = {i: set() for i in ids}
    for contact_id, kind, first, *rest in await session.execute(sources):
        if kind in ("n", "o"):
            found[contact_id] |= t.contact_terms((first, *rest), (), (), ())
        elif first is not None:  # an email's address key or a phone's number: never NULL
            found[contact_id].update(t.email_terms(first) if kind == "e" else t.phone_terms(first))
    return found


async def _add_words(session: AsyncSession, tenant_id: uuid.UUID, words: set[str]) -> None:
    """Enter new words into the vocabulary; only the ones new to it get variant rows."""
    for chunk in _chunks(sorted(words)):
        added = await session.execute(
            insert(SearchWord)
            .values([{"tenant_id": tenant_id, "id": new_id(), "word": w} for w in chunk])
            .on_conflict_do_nothing(index_elements=["tenant_id", "word"])
            .returning(SearchWord.id, SearchWord.word)
        )
        rows = [
            {"tenant_id": tenant_id, "variant": variant, "id": word_id}
            for word_id, word in added
            for variant in t.variants(word)
        ]
        for part in _chunks(rows):
            await session.execute(insert(SearchVariant).values(part).on_conflict_do_nothing())


async def _drop_unused_words(session: AsyncSession, tenant_id: uuid.UUID, words: set[str]) -> None:
    """Forget words no contact carries any more (a deleted person's name leaves the index)."""
    if not words:
        return
    still = set(
        (
            await session.execute(
                select(ContactSearchTerm.term)
                .where(ContactSearchTerm.tenant_id == tenant_id, ContactSearchTerm.term.in_(words))
                .distinct()
            )
        ).scalars()
    )
    unused = words - still
    if unused:
        await session.execute(
            delete(SearchWord).where(SearchWord.tenant_id == tenant_id, SearchWord.word.in_(unused))
        )


def _chunks(items: Sequence[T]) -> Iterable[Sequence[T]]:
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]


async def refresh(session: AsyncSession, tenant_id: uuid.UUID, ids: Iterable[uuid.UUID]) -> None:
    """Bring the terms of these contacts up to date (deleted contacts lose theirs)."""
    ids = list(dict.fromkeys(ids))
    if not ids:
        return
    await session.flush()
    wanted = await _sources(session, tenant_id, ids)
    stored: dict[uuid.UUID, set[str]] = defaultdict(set)
    rows = await session.execute(
        select(ContactSearchTerm.id, ContactSearchTerm.term).where(
            ContactSearchTerm.tenant_id == tenant_id, ContactSearchTerm.id.in_(ids)
        )
    )
    for contact_id, term in rows:
        stored[contact_id].add(term)
    removed = [(i, term) for i in ids for term in stored[i] - wanted.get(i, set())]
    added = [(i, term) for i in ids for term in wanted.get(i, set()) - stored[i]]
    for part in _chunks(removed):
        await session.execute(
            delete(ContactSearchTerm).where(
                ContactSearchTerm.tenant_id == tenant_id,
                tuple_(ContactSearchTerm.id, ContactSearchTerm.term).in_(part),
            )
        )
    for part in _chunks(added):
        await session.execute(
            insert(ContactSearchTerm)
            .values([{"tenant_id": tenant_id, "id": i, "term": term} for i, term in part])
            .on_conflict_do_nothing()
        )
    await _add_words(session, tenant_id, {term for _, term in added if t.is_vocabulary_word(term)})
    await _drop_unused_words(
        session, tenant_id, {term for _, term in removed if t.is_vocabulary_word(term)}
    )


# A new contact's terms, its vocabulary's new words and their variants in one statement
# (a CTE chain): the contact was just created, so nothing is stored to compare with, and
# only the words the vocabulary did not have yet (RETURNING) get variant rows.
_ADD_NEW = text("""
WITH terms AS (
    INSERT INTO contact_search_terms (tenant_id, id, term)
    SELECT CAST(:tenant_id AS uuid), CAST(:contact_id AS uuid), term
    FROM unnest(CAST(:terms AS varchar[])) AS term
    ON CONFLICT DO NOTHING
), words AS (
    INSERT INTO contact_search_words (tenant_id, id, word)
    SELECT CAST(:tenant_id AS uuid), w.id, w.word
    FROM unnest(CAST(:word_ids AS uuid[]), CAST(:words AS varchar[])) AS w(id, word)
    ON CONFLICT (tenant_id, word) DO NOTHING
    RETURNING id, word
)
INSERT INTO contact_search_variants (tenant_id, variant, id)
SELECT CAST(:tenant_id AS uuid), v.variant, words.id
FROM words JOIN unnest(CAST(:variant_words AS varchar[]), CAST(:variants AS varchar[]))
    AS v(word, variant) ON v.word = words.word
ON CONFLICT DO NOTHING
""")


def new_contact_terms(
    names: Iterable[str | None], email_keys: Iterable[str], phones: Iterable[str]
) -> set[str]:
    """What ``refresh`` would find for a contact that has no organization yet."""
    return t.contact_terms(names, email_keys, phones, ())


async def add_new(
    session: AsyncSession, tenant_id: uuid.UUID, contact_id: uuid.UUID, terms: set[str]
) -> None:
    """The terms of a contact created in this transaction (``refresh`` reads what is
    stored first and writes in up to five statements; a new contact needs one)."""
    ordered = sorted(terms)
    if not ordered:
        return
    if len(ordered) > BATCH:
        await refresh(session, tenant_id, [contact_id])
        return
    words = [w for w in ordered if t.is_vocabulary_word(w)]
    pairs = [(w, variant) for w in words for variant in sorted(t.variants(w))]
    await session.execute(_ADD_NEW, {
        "tenant_id": tenant_id, "contact_id": contact_id, "terms": ordered,
        "word_ids": [new_id() for _ in words], "words": words,
        "variant_words": [w for w, _ in pairs], "variants": [v for _, v in pairs],
    })


async def forget(session: AsyncSession, tenant_id: uuid.UUID, ids: Iterable[uuid.UUID]) -> None:
    """Before contacts are deleted: drop their terms, and words nobody else carries."""
    ids = list(ids)
    if not ids:
        return
    gone = await session.execute(
        delete(ContactSearchTerm)
        .where(ContactSearchTerm.tenant_id == tenant_id, ContactSearchTerm.id.in_(ids))
        .returning(ContactSearchTerm.term)
    )
    await _drop_unused_words(
        session, tenant_id, {term for term in gone.scalars() if t.is_vocabulary_word(term)}
    )
