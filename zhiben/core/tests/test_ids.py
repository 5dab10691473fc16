"""Numbers and ids read from forms, queries and cells (`core.db.whole_number`, `as_id`, `possible_ids`,
`core.filters.id_q`, `core.cntext`): str.isdigit() also holds for "²", "①" or "❶", which int() refuses, and a number
past what an id column holds overflowed in a related lookup (SQLite: OverflowError, PostgreSQL: DataError)."""

import pytest
from django.db.models import Q
from django.test import RequestFactory, SimpleTestCase

from zhiben.core.cntext import ascii_digits, cn_int, is_numbering_row, parse_date, to_digits
from zhiben.core.db import MAX_ID, as_id, possible_ids, whole_number
from zhiben.core.filters import id_q
from zhiben.core.periods import filter_range
from zhiben.core.scoping import NOTHING
from zhiben.core.views import batch_ids


@pytest.mark.parametrize(
    ("value", "number", "pk"),
    [
        ("12", 12, 12),
        (" 12 ", 12, 12),
        ("0", 0, 0),
        ("007", 7, 7),
        (5, 5, 5),
        ("9" * 19, int("9" * 19), None),  # 19 digits, past 2^63 - 1
        ("9" * 20, int("9" * 20), None),
        ("9" * 25, int("9" * 25), None),
        (str(MAX_ID), MAX_ID, MAX_ID),
        (str(MAX_ID + 1), MAX_ID + 1, None),
        ("9" * 5000, 10**4000, None),  # past what int() reads (4,300 digits): as large as any need be, not a 500
        ("0" * 5000 + "7", 7, None),  # leading zeros are no digits of the number (too long for an id field)
        ("²", None, None),
        ("①", None, None),
        ("❶", None, None),
        ("١٢", None, None),  # Arabic-Indic digits: int() reads them, a form never sends them
        ("１２", None, None),  # full-width: see ascii_digits
        ("-1", None, None),
        ("+1", None, None),
        ("1.0", None, None),
        ("1e3", None, None),
        ("1_000", None, None),
        ("", None, None),
        ("abc", None, None),
        (None, None, None),
        (True, None, None),  # str(True) is "True"
        (False, None, None),
    ],
)
def test_whole_number_and_as_id(value, number, pk):
    assert whole_number(value) == number
    assert as_id(value) == pk


def test_possible_ids_keeps_what_a_row_can_have():
    assert possible_ids([1, 0, -1, MAX_ID, MAX_ID + 1, 10**30]) == [1, MAX_ID]


@pytest.mark.parametrize(
    ("value", "otherwise", "expected"),
    [
        ("12", None, Q(unit_id=12)),
        (" 12 ", None, Q(unit_id=12)),
        (str(MAX_ID), None, Q(unit_id=MAX_ID)),
        ("9" * 20, None, NOTHING),  # a number no row has: none, as an id that does not exist
        (str(MAX_ID + 1), None, NOTHING),
        ("9" * 5000, None, NOTHING),
        ("²", None, None),  # no number: no filter ...
        ("abc", None, None),
        ("-1", None, None),
        ("", None, None),
        ("²", NOTHING, NOTHING),  # ... or what the filter says
        ("abc", NOTHING, NOTHING),
    ],
)
def test_id_q(value, otherwise, expected):
    assert id_q("unit_id", otherwise=otherwise)(value, None) == expected


def test_full_width_digits_are_typed_digits_and_nothing_else_is():
    assert whole_number(ascii_digits("１２")) == 12
    assert whole_number(ascii_digits(" ３ ")) == 3
    assert ascii_digits(None) == ""
    assert ascii_digits(0) == "0"
    for text in ("²", "①", "❶", "⓵", "፩"):
        assert whole_number(ascii_digits(text)) is None


def test_cells_with_digits_int_cannot_read_are_no_numbers():
    """NFKC (halfwidth) makes "²" and "①" digits, but leaves "❶", "⓵", "➀" and "፩", for which str.isdigit() holds
    and int() fails: the importers' first-row check (is_numbering_row) raised on them."""
    assert cn_int("²") == 2 and cn_int("①") == 1 and cn_int("１２") == 12 and cn_int("十二") == 12
    for text in ("❶", "⓵", "➀", "፩", "᧚", "9" * 5000, "一" * 5000):
        assert cn_int(text) is None, text[:5]
    assert not is_numbering_row(["❶", "❷", "❸"])
    assert not is_numbering_row(["1", "2", "⓷"])
    assert is_numbering_row(["（1）", "(2)", "３"])
    assert to_digits("二〇二四年❶月") == "2024年❶月"
    assert to_digits("一" * 5000) == "一" * 5000  # past what int() reads: left as written
    assert parse_date("9" * 5000) is None
    assert parse_date("❶") is None


class ReadFromARequestTests(SimpleTestCase):
    def test_batch_ids_leave_out_what_is_no_id(self):
        request = RequestFactory().post("/", {"ids": ["3", "²", "9" * 25, "abc", " 7 ", str(MAX_ID)]})
        self.assertEqual(batch_ids(request), [3, 7, MAX_ID])

    def test_a_figure_year_that_is_no_number_is_this_year(self):
        from datetime import date

        today = date(2026, 5, 1)
        self.assertEqual(filter_range({"year": "2025"}, today), (date(2025, 1, 1), date(2025, 12, 31)))
        for year in ("²⁰²⁵", "9" * 25, "-1", "①"):
            self.assertEqual(filter_range({"year": year}, today), (date(2026, 1, 1), date(2026, 12, 31)), year)


def test_a_first_row_of_circled_numbers_is_read_as_a_record():
    """read_table asks whether the row under the header numbers its columns: "❶ ❷ ❸" (str.isdigit() holds, int()
    refuses) made every import of such a sheet a 500."""
    import io

    from zhiben.core.excel import read_table

    table = "序号,单位名称,备注\n❶,❷,❸\n1,凤凰化工,无\n".encode()
    assert read_table(io.BytesIO(table), filename="表.csv") == (
        1,
        ["序号", "单位名称", "备注"],
        [(2, ["❶", "❷", "❸"]), (3, ["1", "凤凰化工", "无"])],
    )
    numbered = "序号,单位名称,备注\n1,2,3\n1,凤凰化工,无\n".encode()
    assert read_table(io.BytesIO(numbered), filename="表.csv")[2] == [(3, ["1", "凤凰化工", "无"])]
