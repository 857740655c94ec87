"""``q=`` without ``sort`` lists the best matches first: every word exact, then by prefix,
then by a close spelling; more exact words first; ties newest first. Cursors carry the
rank, so paging gives the same order one row at a time."""

from __future__ import annotations

import base64
import uuid

import pytest

from rapport.core.contacts.listing import ranked_statement, tier_statement
from rapport.core.contacts.models import Contact
from rapport.core.contacts.search.query import SearchPlan, TokenMatch, tiers
from rapport.core.contacts.search.terms import Token, TokenKind
from tests.conftest import sign_up
from tests.core.contacts.support import CONTACTS, compiled, explain, make
from tests.core.contacts.test_search import _bulk


def _page(client, t, **params):
    r = client.get(CONTACTS, params=params, headers=t.headers)
    assert r.status_code == 200, r.text
    return r.json()


def _names(client, t, q, **params):
    return [c["display_name"] for c in _page(client, t, q=q, **params)["items"]]


@pytest.fixture(scope="module")
def people(client):
    """Made oldest first in the order of *worst* rank, so newest-first would be wrong."""
    t = sign_up(client)
    make(client, t, given_name="Ivan", family_name="Frank")  # franko: a typo away
    make(client, t, given_name="Ivanko", family_name="Franko")  # ivan: prefix
    make(client, t, given_name="Ivan", family_name="Frankovych")  # franko: prefix
    make(client, t, given_name="Ivan", family_name="Franko")  # both exact
    make(client, t, given_name="Ivam", family_name="Sydorenko")  # ivan: a typo away
    make(client, t, given_name="Ivanna", family_name="Petrenko")  # ivan: prefix
    make(client, t, given_name="Ivan", family_name="Koval")  # ivan: exact
    make(client, t, given_name="Orest", phones=["+380671234567"])
    make(client, t, given_name="Marta", phones=["+380671234500"])
    return t


def test_exact_words_rank_above_prefixes_above_typos(client, people):
    assert _names(client, people, "ivan") == [
        # exact, newest first
        "Ivan Koval", "Ivan Franko", "Ivan Frankovych", "Ivan Frank",
        # prefix, newest first
        "Ivanna Petrenko", "Ivanko Franko",
        # a close spelling
        "Ivam Sydorenko",
    ]


def test_more_exact_words_rank_higher(client, people):
    assert _names(client, people, "ivan franko") == [
        "Ivan Franko",  # two exact words
        "Ivan Frankovych",  # exact + prefix, newer of the two ties
        "Ivanko Franko",  # prefix + exact
        "Ivan Frank",  # exact + typo
    ]
    # Word order in the query does not matter.
    assert _names(client, people, "franko ivan") == _names(client, people, "ivan franko")


def test_partial_phone_numbers_are_found_and_a_full_one_ranks_first(client, people):
    assert _names(client, people, "4567") == ["Orest"]  # the last digits
    assert _names(client, people, "067 123") == ["Marta", "Orest"]  # both by prefix
    # Typed in full, the number is exact for Orest; Marta's differs in the last digits.
    assert _names(client, people, "+380 67 123 45") == ["Marta", "Orest"]
    assert _names(client, people, "+380671234567") == ["Orest"]


def test_paging_one_row_at_a_time_gives_the_ranked_order(client, people):
    whole = _names(client, people, "ivan", limit=50)
    seen, cursor = [], None
    while True:
        page = _page(client, people, q="ivan", limit=1, **({"cursor": cursor} if cursor else {}))
        seen += [c["display_name"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == whole and len(seen) == 7


def test_a_contact_matching_a_word_several_ways_is_listed_once_at_its_best(client):
    t = sign_up(client)
    make(client, t, given_name="Ivanna", family_name="Ivanova")  # two prefix terms
    make(client, t, given_name="Ivan", family_name="Ivanenko")  # exact and prefix
    make(client, t, given_name="Ivam", family_name="Ivanov")  # typo and prefix
    expected = ["Ivan Ivanenko", "Ivam Ivanov", "Ivanna Ivanova"]
    assert _names(client, t, "ivan") == expected
    seen, cursor = [], None
    for _ in range(5):
        page = _page(client, t, q="ivan", limit=1, **({"cursor": cursor} if cursor else {}))
        seen += [c["display_name"] for c in page["items"]]
        if (cursor := page["next_cursor"]) is None:
            break
    assert seen == expected


def test_a_cursor_stays_with_its_query_and_order(client, people):
    cursor = _page(client, people, q="ivan", limit=2)["next_cursor"]
    for params in ({"q": "franko"}, {}, {"q": "ivan", "sort": "given_name"}):
        r = client.get(CONTACTS, params={"cursor": cursor, **params}, headers=people.headers)
        assert r.status_code == 400, (params, r.text)
        assert "cursor" in r.json()["detail"]
    plain = _page(client, people, limit=1)["next_cursor"]  # an id-ordered list's cursor
    junk = base64.urlsafe_b64encode(b'{"q": "x", "r": "high"}').decode()
    for bad in (plain, junk, "not-a-cursor"):
        r = client.get(CONTACTS, params={"q": "ivan", "cursor": bad}, headers=people.headers)
        assert r.status_code == 400, (bad, r.text)


def test_an_explicit_sort_still_wins_over_relevance(client, people):
    names = _names(client, people, "ivan", sort="family_name")
    assert names[0] == "Ivan Frank" and names[-1] == "Ivam Sydorenko"


def test_ranked_search_stays_in_the_tenant(client, people):
    other = sign_up(client)
    make(client, other, given_name="Ivan", family_name="Elsewhere")
    assert "Ivan Elsewhere" not in _names(client, people, "ivan")
    assert _names(client, other, "ivan") == ["Ivan Elsewhere"]
    assert _names(client, other, "franko") == []


def test_ranking_reads_the_term_index_as_the_app_role(client, database):
    """On a 20,000-contact tenant the grades come from the term ranges and spellings as
    index conditions under forced RLS, like the unranked search: never a scan of the
    tenant's terms. The exact word comes first, the words it prefixes next, typos last."""
    t = sign_up(client)
    _bulk(database, t.id)
    found = _page(client, t, q="family1234")["items"]
    assert [c["given_name"] for c in found[:1]] == ["given1234"]
    # then the ten it prefixes, then close spellings (family1204, family10234, …)
    assert sorted(c["family_name"] for c in found[1:11]) == [f"family1234{d}" for d in range(10)]
    assert found[11:] and not [c for c in found[11:] if c["family_name"].startswith("family1234")]
    plan = SearchPlan((
        TokenMatch(Token(TokenKind.WORD, "given123"), ("giver123",)),
        TokenMatch(Token(TokenKind.PHONE, "0671234"), ()),
    ))
    sql, params = compiled(ranked_statement(uuid.UUID(t.id), [], plan))
    text = explain(database, t.id, sql, params)
    assert "ix_contact_search_terms_tenant_id_term_id" in text, text
    assert "Seq Scan" not in text and "contact_search_terms_pkey" not in text, text
    assert [line for line in text.splitlines() if "Index Cond" in line and "term" in line], text
    # One word: each rank is its own newest-first list over the same index.
    one = SearchPlan((TokenMatch(Token(TokenKind.WORD, "family1234"), ("family1204",)),))
    for _, tier in tiers(one, uuid.UUID(t.id), Contact.id) or []:
        sql, params = compiled(tier_statement(uuid.UUID(t.id), [], tier))
        text = explain(database, t.id, sql, params)
        assert "ix_contact_search_terms_tenant_id_term_id" in text, text
        assert "Seq Scan" not in text, text
