"""The fast way through a row gives the checked way's staging line or its errors, row for
row: on valid rows of every column (where it must not give up), and on rows with each kind
of mistake or unusual cell (where it gives up and the checked way answers)."""

from __future__ import annotations

import itertools
import json
import pickle
import random
from datetime import UTC, date, datetime, timedelta

import pytest

from rapport.core.contacts.search import terms as t
from rapport.core.fields.definitions import FieldDefinition, FieldType
from rapport.core.imports import rows as rows_module
from rapport.core.imports.columns import CORE_COLUMNS, resolve
from rapport.core.imports.rows import NAME_KEYS, RowReader, _GiveUp

FIELDS = [
    FieldDefinition(owner="custom", key="shoe_size", entity="contact", type=FieldType.INTEGER,
                    label="Shoe size"),
    FieldDefinition(owner="custom", key="tier", entity="contact", type=FieldType.ENUM,
                    label="Tier", options=("gold", "silver")),
    FieldDefinition(owner="custom", key="hobbies", entity="contact",
                    type=FieldType.MULTI_ENUM, label="Hobbies",
                    options=("chess", "poetry", "rowing")),
    FieldDefinition(owner="custom", key="vip", entity="contact", type=FieldType.BOOLEAN,
                    label="VIP"),
    FieldDefinition(owner="custom", key="credit", entity="contact", type=FieldType.MONEY,
                    label="Credit"),
    FieldDefinition(owner="custom", key="since", entity="contact", type=FieldType.DATE,
                    label="Since"),
    FieldDefinition(owner="custom", key="code", entity="contact", type=FieldType.TEXT,
                    label="Code", required=True),
]
HEADER = [*CORE_COLUMNS, *(f"fields.{d.full_key}" for d in FIELDS)]
TODAY = datetime.now(UTC).date()
VALID = {
    "external_id": ["crm-1", " crm  2 ", "Ключ-3", "x" * 200],
    "honorific": ["Dr", "", "  "],
    "given_name": ["Taras", " Olena ", "Zoë", "", "O'Neil", "Müller-Lüdenscheidt"],
    "patronymic": ["Hryhorovych", ""],
    "family_name": ["Шевченко", "Kovalenko", "", "van der Berg"],
    "preferred_name": ["", "Tarasyk"],
    "email": ["T.Shevchenko@Example.COM", "olena@ukr.net", "", "Postmaster@example.com",
              "a@bücher.de", "ü@example.com"],
    "emails": ["", "taras@home.example", "b@example.com;A@example.com",
               "t.shevchenko@example.com;x@example.org"],
    "phones": ["", "+380671234567", "067 123 45 67", "+44 20 7946 0958;+380671234567",
               "+380671234567;+380 67 123 45 67", "+12025550143", "+79161234567"],
    "birthday": ["", "1990-03-09", "1900-01-01", TODAY.isoformat()],
    "language": ["", "uk", "en-gb", "sr_latn_rs"],
    "time_zone": ["", "Europe/Kyiv", " Asia/Tokyo "],
    # A window is read the checked way only (its rules live in one place).
    "send_window": [""],
    "tags": ["", "VIP", "vip; Poet ;vip", ";;", "a" * 60],
    "addresses": [""],
    "owner_id": ["", "0190a0b1-0000-7000-8000-000000000001"],
    "source": ["", "Book fair"],
    "fields.custom.shoe_size": ["", "44", "-3"],
    "fields.custom.tier": ["", "gold"],
    "fields.custom.hobbies": ["", "rowing;chess", "chess"],
    "fields.custom.vip": ["", "yes", "FALSE"],
    "fields.custom.credit": ["", "12.50 EUR"],
    "fields.custom.since": ["", "2020-01-31"],
    "fields.custom.code": ["A1", " b ", ""],
}
# One wrong or unusual cell each; the rest of the row is valid.
ODD = [
    ("external_id", "x" * 201), ("external_id", ""), ("given_name", "a\x00b"),
    ("given_name", "'=1+1"), ("given_name", "''=x"), ("family_name", "y" * 201),
    ("email", "not an address"), ("email", "a@b.com;c@d.com"), ("emails", "bad@"),
    ("emails", ";".join(f"e{i}@example.com" for i in range(30))),
    ("phones", "12"), ("phones", "+999123"), ("phones", "050 1234567;not"),
    ("phones", ";".join(f"+3806712345{i:02d}" for i in range(30))), ("phones", "+" + "1" * 41),
    ("birthday", "1899-12-31"), ("birthday", "2020-02-30"), ("birthday", "09.03.1990"),
    ("birthday", (TODAY + timedelta(days=1)).isoformat()), ("language", "not a tag!"),
    ("language", "toolonglanguagetag-x"), ("language", "e"), ("tags", "t" * 61),
    ("tags", ";".join(f"t{i}" for i in range(60))), ("owner_id", "not-a-uuid"),
    ("addresses", '[{"kind": "home", "city": "Kyiv", "country": "ua"}]'),
    ("addresses", "not json"), ("fields.custom.shoe_size", "4.5"),
    ("fields.custom.tier", "bronze"), ("fields.custom.hobbies", "chess;golf"),
    ("fields.custom.vip", "maybe"), ("fields.custom.credit", "12"),
    ("fields.custom.since", "31.01.2020"), ("source", "\x00"),
    ("time_zone", "Mars/Base"), ("time_zone", "z" * 65), ("send_window", "09:00-18:00 mon-fri"),
    ("send_window", "9 to 5"),
]


@pytest.fixture(scope="module", params=["external_id", "email"])
def reader(request):
    layout = resolve(HEADER, {}, FIELDS, request.param)
    found = RowReader(layout, FIELDS, "UA")
    found._today = TODAY
    return found


def _row(rng: random.Random) -> dict[str, str]:
    return {column: rng.choice(values) for column, values in VALID.items()}


def _both(reader: RowReader, number: int, cells: list[str]):
    checked = reader._read_checked(number, cells)
    try:
        fast = reader._fast(number, cells)
    except _GiveUp:
        return checked, None
    return checked, fast


def _terms_are_the_search_index_terms(line: str) -> None:
    """The staged search terms and vocabulary words are the search index's own."""
    doc = json.loads(line.split("\t")[2].replace("\\\\", "\\"))
    values = doc["v"]
    terms = t.contact_terms([values.get(k) for k in NAME_KEYS], doc.get("k", []),
                            doc.get("p", []), [])
    assert doc["st"] == sorted(terms)
    assert doc["w"] == [w for w in doc["st"] if t.is_vocabulary_word(w)]


def test_valid_rows_take_the_fast_way_to_the_checked_line(reader):
    rng = random.Random(7)
    fast_lines = 0
    for number in range(1, 601):
        row = _row(rng)
        cells = [row[column] for column in HEADER]
        checked, fast = _both(reader, number, cells)
        if fast is not None:
            assert fast == checked, cells
            fast_lines += 1
            _terms_are_the_search_index_terms(fast)
        assert reader.read_row(number, cells) == checked
    # Rows lacking a key or a required field's cell are errors; the rest went fast.
    assert fast_lines > 250


def test_odd_cells_give_the_checked_answer(reader):
    rng = random.Random(8)
    for (column, cell), attempt in itertools.product(ODD, range(3)):
        row = _row(rng)
        row[column] = cell
        cells = [row[c] for c in HEADER]
        checked, fast = _both(reader, attempt + 2, cells)
        assert fast is None or fast == checked, (column, cell)
        assert reader.read_row(attempt + 2, cells) == checked, (column, cell)


def test_short_long_and_blank_rows_give_the_checked_errors(reader):
    for cells in ([], ["crm-1"], [""] * len(HEADER), [" "] * len(HEADER),
                  ["crm-1"] * (len(HEADER) + 1)):
        assert reader.read_row(2, cells) == reader._read_checked(2, cells)


def test_a_chunk_reads_the_same_in_a_worker_as_here(reader):
    """Worker processes get the reader pickled with every chunk; what it remembers stays
    in the process under the reader's token, and a new reader starts afresh."""
    rng = random.Random(9)
    chunk = [(n, [row[c] for c in HEADER]) for n, row in
             ((n, _row(rng)) for n in range(1, 301))]
    first = reader.read(chunk)
    again = pickle.loads(pickle.dumps(reader)).read(chunk)  # noqa: S301 (our own bytes)
    assert (again.lines, again.errors) == (first.lines, first.errors)
    assert first.staged + first.invalid_rows == len(chunk)
    other = RowReader(reader.layout, FIELDS, "UA")
    other.read(chunk[:1])
    assert list(rows_module._MEMOS) == [other._token]


def test_a_reader_forgets_once_it_holds_enough(monkeypatch, reader):
    monkeypatch.setattr(rows_module, "MEMO_SIZE", 3)
    memo = rows_module._Memo()
    for i in range(7):
        memo.put(i, i)
    assert len(memo) <= 3 and memo[6] == 6


def test_birthdays_are_checked_against_the_day_the_chunk_began(reader):
    row = _row(random.Random(10))
    row["birthday"] = date(1990, 1, 2).isoformat()
    cells = [row[c] for c in HEADER]
    reader._today = date(1990, 1, 1)  # a chunk that began before that birthday's day
    try:
        with pytest.raises(_GiveUp):
            reader._fast(3, cells)
        assert reader.read_row(3, cells) == reader._read_checked(3, cells)
    finally:
        reader._today = TODAY
