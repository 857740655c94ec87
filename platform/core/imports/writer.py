"""One batch of staged rows → contacts, their addresses, phones, tags, facts and search
terms, in a few set-based statements (no statement per row).

Rows that match a contact update only what their cells give: a non-empty cell replaces the
value, an empty one leaves it; ``emails``, ``phones`` and ``tags`` replace the whole list,
``email`` alone makes that address the primary one (the API's rules). New contacts get
the UUIDv7 ids drawn for them in file order while staging.

A batch is ``select_batch`` → ``write_rows`` → ``add_vocabulary``; the runner puts the last
in the part of a batch that waits for the previous batch's commit (writers side by side).
"""

# Statements are assembled from constants (table and column names); every value is bound.
# ruff: noqa: S608

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.contacts import names
from rapport.core.contacts.search import index as search_index
from rapport.core.facts import VALUE_SET
from rapport.core.imports.checks import target
from rapport.core.imports.columns import Key
from rapport.core.imports.staging import STAGED
from rapport.core.imports.timing import timed

BATCH = "import_batch"
# Contact ids per search-index refresh (it binds four parameters per id).
REFRESH_CHUNK = 2_000
V = "(b.doc -> 'v')"
_TEXT = ("honorific", "given_name", "patronymic", "family_name", "preferred_name", "language",
         "time_zone", "source", "external_id")
_DAYS = f"(SELECT array_agg(d::smallint) FROM jsonb_array_elements_text({V} -> 'window_days') d)"


@dataclass(frozen=True)
class BatchResult:
    created: int
    updated: int


def _select_batch(key: Key) -> str:
    # A staged row carries the id of the contact it creates (drawn in file order).
    return f"""
    CREATE TEMPORARY TABLE {BATCH} ON COMMIT DROP AS
    SELECT s.n, s.doc, coalesce(s.existing, s.id) AS contact_id,
           s.existing IS NULL AS is_new
    FROM (
        SELECT r.n, r.doc, r.id, {target(key)} AS existing
        FROM {STAGED} r
        WHERE r.tenant_id = :tenant AND r.import_id = :import AND r.n > :low AND r.n <= :high
        ORDER BY r.n OFFSET 0
    ) s
    """


# The batch's staged rows leave with its commit (a failed batch keeps them).
_TAKEN = (f"DELETE FROM {STAGED} WHERE tenant_id = :tenant AND import_id = :import "
          "AND n > :low AND n <= :high")


INSERT_CONTACTS = f"""
INSERT INTO contacts (tenant_id, id, {", ".join(_TEXT)}, display_name, email, birthday,
                      window_start, window_end, window_days,
                      addresses, owner_id, fields, created_by)
SELECT :tenant, b.contact_id, {", ".join(f"{V} ->> '{c}'" for c in _TEXT)},
       b.doc ->> 'dn', {V} ->> 'email', ({V} ->> 'birthday')::date,
       ({V} ->> 'window_start')::time, ({V} ->> 'window_end')::time, {_DAYS},
       coalesce({V} -> 'addresses', '[]'::jsonb), ({V} ->> 'owner_id')::uuid,
       coalesce(b.doc -> 'f', '{{}}'::jsonb), :user
FROM {BATCH} b WHERE b.is_new ORDER BY b.n
"""

UPDATE_CONTACTS = f"""
UPDATE contacts c SET
    {", ".join(f"{col} = coalesce({V} ->> '{col}', c.{col})" for col in _TEXT)},
    birthday = coalesce(({V} ->> 'birthday')::date, c.birthday),
    window_start = coalesce(({V} ->> 'window_start')::time, c.window_start),
    window_end = coalesce(({V} ->> 'window_end')::time, c.window_end),
    window_days = CASE WHEN {V} -> 'window_start' IS NOT NULL THEN {_DAYS}
                       ELSE c.window_days END,
    addresses = coalesce({V} -> 'addresses', c.addresses),
    owner_id = coalesce(({V} ->> 'owner_id')::uuid, c.owner_id),
    fields = c.fields || coalesce(b.doc -> 'f', '{{}}'::jsonb),
    updated_at = now()
FROM {BATCH} b
WHERE c.tenant_id = :tenant AND c.id = b.contact_id AND NOT b.is_new
"""

# Addresses zipped with their keys (lower-cased in Python, as the API does).
_ADDRESSES = ("ROWS FROM (jsonb_array_elements_text(b.doc -> 'e'), "
              "jsonb_array_elements_text(b.doc -> 'k')) WITH ORDINALITY a(address, key, ord)")
_PHONES = "jsonb_array_elements_text(b.doc -> 'p') WITH ORDINALITY p(number, ord)"
_TAGS = "jsonb_array_elements_text(b.doc -> 't') g(tag)"
_INSERT_EMAILS = f"""
    INSERT INTO contact_emails (tenant_id, id, contact_id, address, address_key, is_primary)
    SELECT :tenant, uuidv7(), b.contact_id, a.address, a.key, a.ord = 1
    FROM {BATCH} b CROSS JOIN LATERAL {_ADDRESSES}
"""
_INSERT_PHONES = f"""
    INSERT INTO contact_phones (tenant_id, id, contact_id, number, is_primary)
    SELECT :tenant, uuidv7(), b.contact_id, p.number, p.ord = 1
    FROM {BATCH} b CROSS JOIN LATERAL {_PHONES}
"""
_INSERT_TAGS = f"""
    INSERT INTO contact_tags (tenant_id, id, contact_id, tag)
    SELECT :tenant, uuidv7(), b.contact_id, g.tag FROM {BATCH} b CROSS JOIN LATERAL {_TAGS}
"""

# New contacts' lists: plain inserts (their rows cannot conflict: the whole-file checks
# refused addresses that belong to someone else, and the contact ids are new).
NEW_LISTS = (
    f"{_INSERT_EMAILS} WHERE b.is_new AND b.doc ? 'e' ORDER BY b.n, a.ord",
    f"{_INSERT_PHONES} WHERE b.is_new AND b.doc ? 'p' ORDER BY b.n, p.ord",
    f"{_INSERT_TAGS} WHERE b.is_new AND b.doc ? 't'",
)

# Updated contacts' lists: a list in the row replaces the stored one (kept rows keep their
# ids; labels are cleared, as a whole-list write over the API does); ``email`` alone makes
# that address the primary one and keeps the others with their labels.
UPDATED_LISTS = (
    f"""
    DELETE FROM contact_emails ce USING {BATCH} b
    WHERE ce.tenant_id = :tenant AND ce.contact_id = b.contact_id AND NOT b.is_new
      AND (b.doc ->> 're')::boolean AND NOT (b.doc -> 'k') ? ce.address_key
    """,
    f"""
    UPDATE contact_emails ce SET is_primary = false FROM {BATCH} b
    WHERE ce.tenant_id = :tenant AND ce.contact_id = b.contact_id AND NOT b.is_new
      AND b.doc ? 'k' AND ce.is_primary AND ce.address_key <> b.doc -> 'k' ->> 0
    """,
    f"""
    {_INSERT_EMAILS}
    WHERE NOT b.is_new AND b.doc ? 'e' AND (b.doc ->> 're')::boolean
    ORDER BY b.n, a.ord
    ON CONFLICT (tenant_id, address_key) DO UPDATE
        SET address = excluded.address, is_primary = excluded.is_primary, label = NULL
        WHERE contact_emails.contact_id = excluded.contact_id
    """,
    f"""
    INSERT INTO contact_emails (tenant_id, id, contact_id, address, address_key, is_primary)
    SELECT :tenant, uuidv7(), b.contact_id, b.doc -> 'e' ->> 0, b.doc -> 'k' ->> 0, true
    FROM {BATCH} b
    WHERE NOT b.is_new AND b.doc ? 'e' AND NOT (b.doc ->> 're')::boolean
    ON CONFLICT (tenant_id, address_key) DO UPDATE SET is_primary = true
        WHERE contact_emails.contact_id = excluded.contact_id
    """,
    f"""
    DELETE FROM contact_phones cp USING {BATCH} b
    WHERE cp.tenant_id = :tenant AND cp.contact_id = b.contact_id AND NOT b.is_new
      AND b.doc ? 'p' AND NOT (b.doc -> 'p') ? cp.number
    """,
    f"""
    {_INSERT_PHONES}
    WHERE NOT b.is_new AND b.doc ? 'p'
    ORDER BY b.n, p.ord
    ON CONFLICT (tenant_id, contact_id, number) DO UPDATE
        SET is_primary = excluded.is_primary, label = NULL
    """,
    f"""
    DELETE FROM contact_tags ct USING {BATCH} b
    WHERE ct.tenant_id = :tenant AND ct.contact_id = b.contact_id AND NOT b.is_new
      AND b.doc ? 't' AND NOT (b.doc -> 't') ? ct.tag
    """,
    f"""
    {_INSERT_TAGS}
    WHERE NOT b.is_new AND b.doc ? 't'
    ON CONFLICT (tenant_id, contact_id, tag) DO NOTHING
    """,
)

# One fact per contact: the set of values the row brought (custom fields as
# ``fields.<key>``), with the import as its source; the facts endpoint expands the set
# into each field's history. (One row per value was ~8 rows per contact: the largest
# share of a batch's time.)
INSERT_FACTS = f"""
INSERT INTO contact_facts (tenant_id, id, contact_id, field, value, channel, source,
                           recorded_by)
SELECT :tenant, uuidv7(), b.contact_id, '{VALUE_SET}',
       CASE WHEN b.doc ? 'f' THEN {V} || (SELECT jsonb_object_agg('fields.' || f.key, f.value)
                                          FROM jsonb_each(b.doc -> 'f') f)
            ELSE {V} END,
       'import', :source, :user
FROM {BATCH} b
WHERE {V} <> '{{}}'::jsonb OR b.doc ? 'f'
ORDER BY b.n
"""

# New contacts' terms were computed in Python by the search index's own functions.
INSERT_TERMS = f"""
INSERT INTO contact_search_terms (tenant_id, id, term)
SELECT :tenant, b.contact_id, s.term
FROM {BATCH} b CROSS JOIN LATERAL jsonb_array_elements_text(b.doc -> 'st') s(term)
WHERE b.is_new
"""

# The vocabulary gains new contacts' new words, each with its one-letter-deleted variants.
# Batches written side by side would wait on each other's new words (a unique key), so
# this runs in a batch's ordered part, after the previous batch committed.
ADD_VOCABULARY = f"""
    WITH words AS (
        SELECT DISTINCT w.word
        FROM {BATCH} b CROSS JOIN LATERAL jsonb_array_elements_text(b.doc -> 'w') w(word)
        WHERE b.is_new
    ), added AS (
        INSERT INTO contact_search_words (tenant_id, id, word)
        SELECT :tenant, uuidv7(), words.word FROM words
        ON CONFLICT (tenant_id, word) DO NOTHING
        RETURNING id, word
    )
    INSERT INTO contact_search_variants (tenant_id, variant, id)
    SELECT DISTINCT :tenant, x.variant, added.id
    FROM added CROSS JOIN LATERAL (
        SELECT added.word
        UNION
        SELECT left(added.word, i - 1) || substr(added.word, i + 1)
        FROM generate_series(1, length(added.word)) i
    ) x(variant)
    ON CONFLICT DO NOTHING
"""

_UPDATED_VIEW = f"""
SELECT c.id, c.given_name, c.patronymic, c.family_name, c.preferred_name,
       (SELECT ce.address FROM contact_emails ce
        WHERE ce.tenant_id = :tenant AND ce.contact_id = c.id AND ce.is_primary LIMIT 1),
       (SELECT cp.number FROM contact_phones cp
        WHERE cp.tenant_id = :tenant AND cp.contact_id = c.id
        ORDER BY cp.is_primary DESC, cp.id LIMIT 1)
FROM contacts c JOIN {BATCH} b ON c.tenant_id = :tenant AND c.id = b.contact_id
WHERE NOT b.is_new
"""

_SET_DERIVED = """
UPDATE contacts c SET email = u.email, display_name = u.display_name
FROM unnest(CAST(:ids AS uuid[]), CAST(:emails AS text[]), CAST(:names AS text[]))
     AS u(id, email, display_name)
WHERE c.tenant_id = :tenant AND c.id = u.id
  AND (c.email IS DISTINCT FROM u.email OR c.display_name IS DISTINCT FROM u.display_name)
"""


async def _derive_updated(session: AsyncSession, params: dict[str, object]) -> list[uuid.UUID]:
    """Updated contacts: the primary address and the display name from what is stored
    now (names may come partly from the row, partly from before)."""
    rows = (await session.execute(text(_UPDATED_VIEW), params)).all()
    if not rows:
        return []
    ids, emails, shown = [], [], []
    for contact_id, given, patronymic, family, preferred, email, phone in rows:
        values = {"given_name": given, "patronymic": patronymic, "family_name": family,
                  "preferred_name": preferred}
        ids.append(contact_id)
        emails.append(email)
        shown.append(names.display_name(values, email, phone)[:500])
    await session.execute(
        text(_SET_DERIVED), {**params, "ids": ids, "emails": emails, "names": shown}
    )
    return ids


async def select_batch(
    session: AsyncSession, tenant_id: uuid.UUID, import_id: uuid.UUID, key: Key, low: int,
    high: int,
) -> BatchResult:
    """Import ``import_id``'s staged rows ``low < n <= high`` into this transaction's batch
    table, each with the contact it updates or the new id it creates; taken from staging."""
    # Each inserted row runs its foreign-key checks as a cached query; with custom plans
    # forced (a server or role setting some operators use against generic-plan surprises)
    # that query is re-planned for every row, doubling a batch (measured in
    # bench/imports.py). Generic plans for this transaction, whatever the server default.
    await session.execute(text("SET LOCAL plan_cache_mode = auto"))
    await session.execute(text(f"DROP TABLE IF EXISTS {BATCH}"))
    with timed("select batch"):
        params = {"tenant": tenant_id, "import": import_id, "low": low, "high": high}
        await session.execute(text(_select_batch(key)), params)
        await session.execute(text(_TAKEN), params)
        counts = (
            await session.execute(
                text(f"SELECT count(*) FILTER (WHERE is_new), count(*) FROM {BATCH}")
            )
        ).one()
        created, updated = int(counts[0]), int(counts[1]) - int(counts[0])
        if created + updated:
            await session.execute(text(f"ANALYZE {BATCH}"))
    return BatchResult(created, updated)


async def _run(session: AsyncSession, step: str, statement: str,
               params: dict[str, object]) -> None:
    with timed(step):
        await session.execute(text(statement), params)


async def write_rows(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    user_id: uuid.UUID | None,
    batch: BatchResult,
    source: str,
) -> None:
    """The selected batch's contacts, lists, facts and search terms — all but the new
    vocabulary words (``add_vocabulary``)."""
    params: dict[str, object] = {"tenant": tenant_id, "user": user_id, "source": source}
    if batch.created:
        await _run(session, "contacts", INSERT_CONTACTS, params)
        for step, statement in zip(("emails", "phones", "tags"), NEW_LISTS, strict=True):
            await _run(session, step, statement, params)
        await _run(session, "search terms", INSERT_TERMS, params)
    if batch.updated:
        await _run(session, "contacts", UPDATE_CONTACTS, params)
        for statement in UPDATED_LISTS:
            await _run(session, "updated lists", statement, params)
    if batch.created or batch.updated:
        await _run(session, "facts", INSERT_FACTS, params)
    if batch.updated:
        with timed("updated search terms"):
            changed = await _derive_updated(session, params)
            for start in range(0, len(changed), REFRESH_CHUNK):
                await search_index.refresh(
                    session, tenant_id, changed[start : start + REFRESH_CHUNK]
                )


async def add_vocabulary(session: AsyncSession, tenant_id: uuid.UUID, batch: BatchResult) -> None:
    """New contacts' new words into the vocabulary; then the batch table is dropped."""
    if batch.created:
        await _run(session, "vocabulary", ADD_VOCABULARY, {"tenant": tenant_id})
    await session.execute(text(f"DROP TABLE IF EXISTS {BATCH}"))
