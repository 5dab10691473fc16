"""Chinese numerals, full-width characters and the one reading of written dates (`core.cntext`)."""

from datetime import date, datetime

import pytest

from zhiben.core.cntext import DateError, cn_int, date_digits, excel_date, halfwidth, parse_date, to_digits


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", 12),
        ("０７", 7),
        ("一", 1),
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("二十三", 23),
        ("三十一", 31),
        ("两", 2),
        ("〇", 0),
        ("零", 0),
        ("二〇二四", 2024),
        ("二○二四", 2024),
        ("二零二四", 2024),
        ("", None),
        ("x", None),
        ("十x", None),
        ("一百", None),
    ],
)
def test_cn_int(text, expected):
    assert cn_int(text) == expected


def test_halfwidth():
    assert halfwidth("２０２４．６．３０（万元）ＡＢ") == "2024.6.30(万元)AB"
    assert halfwidth(None) == "" and halfwidth(12) == "12"


def test_to_digits_converts_every_numeral():
    assert to_digits("二〇二四年五月一日") == "2024年5月1日"
    assert to_digits("一个月内，两周，十二月三十一日") == "1个月内，2周，12月31日"
    assert to_digits("五千余元") == "5千余元"  # 千, 万 are units, not numerals


def test_date_digits_converts_only_the_numerals_of_a_date():
    assert date_digits("二〇二四年六月三十日前") == "2024年6月30日前"
    assert date_digits("十二月底前") == "12月底前"
    text = "每年一次，一年一次，三年内，第一季度，两年"
    assert date_digits(text) == text


def test_excel_serial_numbers():
    assert excel_date(45473) == date(2024, 6, 30) and excel_date(45473.75) == date(2024, 6, 30)
    assert excel_date(12) is None and excel_date(90000) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # full dates, whatever the separators and digits
        ("2024-06-30", date(2024, 6, 30)),
        ("2024/6/30", date(2024, 6, 30)),
        ("2024.6.30", date(2024, 6, 30)),
        ("2024年6月30日", date(2024, 6, 30)),
        ("2024年6月30号", date(2024, 6, 30)),
        ("2024 年 6 月 30 日", date(2024, 6, 30)),
        ("二〇二四年六月三十日", date(2024, 6, 30)),
        ("２０２４年６月３０日", date(2024, 6, 30)),
        ("２０２４．６．３０", date(2024, 6, 30)),
        ("20240630", date(2024, 6, 30)),
        ("24.6.30", date(2024, 6, 30)),
        ("6/30/2024", date(2024, 6, 30)),
        ("2024-06-30 10:30:00", date(2024, 6, 30)),
        ("于2024年6月30日前完成整改", date(2024, 6, 30)),
        # already a date, or an Excel serial number (as a number or as text)
        (date(2024, 6, 30), date(2024, 6, 30)),
        (datetime(2024, 6, 30, 8, 0), date(2024, 6, 30)),
        (45473, date(2024, 6, 30)),
        (45473.0, date(2024, 6, 30)),
        ("45473", date(2024, 6, 30)),
        # nothing stated
        (None, None),
        ("", None),
        ("按上级要求", None),
        ("三年内", None),
        (12, None),
        ("立即", None),
    ],
)
def test_full_dates(value, expected):
    assert parse_date(value) == expected
    assert parse_date(value, end=True) == expected  # a day is a span of one day


# the agreed meaning: a written date is a span; a deadline (end=True) is its last day, any other date its first
SPANS = [
    # (text, first day, last day), the year being 2024 where the text has none
    ("2024年6月", date(2024, 6, 1), date(2024, 6, 30)),
    ("2024年6月份", date(2024, 6, 1), date(2024, 6, 30)),
    ("二〇二四年六月", date(2024, 6, 1), date(2024, 6, 30)),
    ("2024.6", date(2024, 6, 1), date(2024, 6, 30)),
    ("2024-06", date(2024, 6, 1), date(2024, 6, 30)),
    ("2024年2月", date(2024, 2, 1), date(2024, 2, 29)),
    ("6月", date(2024, 6, 1), date(2024, 6, 30)),
    ("十二月", date(2024, 12, 1), date(2024, 12, 31)),
    ("6月初", date(2024, 6, 1), date(2024, 6, 10)),
    ("6月上旬", date(2024, 6, 1), date(2024, 6, 10)),
    ("2024年6月月初", date(2024, 6, 1), date(2024, 6, 10)),
    ("6月中", date(2024, 6, 11), date(2024, 6, 20)),
    ("6月中旬", date(2024, 6, 11), date(2024, 6, 20)),
    ("2024年6月下旬", date(2024, 6, 21), date(2024, 6, 30)),
    ("6月底", date(2024, 6, 21), date(2024, 6, 30)),
    ("6月底前", date(2024, 6, 21), date(2024, 6, 30)),
    ("6月末", date(2024, 6, 21), date(2024, 6, 30)),
    ("2024年2月底", date(2024, 2, 21), date(2024, 2, 29)),
    ("年初", date(2024, 1, 1), date(2024, 1, 31)),
    ("2025年初", date(2025, 1, 1), date(2025, 1, 31)),
    ("上半年", date(2024, 1, 1), date(2024, 6, 30)),
    ("2025年上半年", date(2025, 1, 1), date(2025, 6, 30)),
    ("年中", date(2024, 6, 1), date(2024, 6, 30)),
    ("下半年", date(2024, 7, 1), date(2024, 12, 31)),
    ("年底", date(2024, 12, 1), date(2024, 12, 31)),
    ("年底前", date(2024, 12, 1), date(2024, 12, 31)),
    ("年末", date(2024, 12, 1), date(2024, 12, 31)),
    ("2025年底前", date(2025, 12, 1), date(2025, 12, 31)),
    ("2025年年底", date(2025, 12, 1), date(2025, 12, 31)),
    ("第三季度", date(2024, 7, 1), date(2024, 9, 30)),
    ("三季度末", date(2024, 7, 1), date(2024, 9, 30)),
    ("2024年第一季度", date(2024, 1, 1), date(2024, 3, 31)),
    ("2024年四季度", date(2024, 10, 1), date(2024, 12, 31)),
    ("2025年", date(2025, 1, 1), date(2025, 12, 31)),
    ("2025年度", date(2025, 1, 1), date(2025, 12, 31)),
    ("2025年内", date(2025, 1, 1), date(2025, 12, 31)),
    ("2025", date(2025, 1, 1), date(2025, 12, 31)),
    ("年内", date(2024, 1, 1), date(2024, 12, 31)),
    ("今年", date(2024, 1, 1), date(2024, 12, 31)),
    ("本年度", date(2024, 1, 1), date(2024, 12, 31)),
    ("全年", date(2024, 1, 1), date(2024, 12, 31)),
    ("明年", date(2025, 1, 1), date(2025, 12, 31)),
    ("次年", date(2025, 1, 1), date(2025, 12, 31)),
    ("6月30日", date(2024, 6, 30), date(2024, 6, 30)),
    ("6月30号前", date(2024, 6, 30), date(2024, 6, 30)),
    ("6.30", date(2024, 6, 30), date(2024, 6, 30)),
    # ranges: from the first date to the last; the end may leave out the start's year
    ("2024.5.1-2024.5.20", date(2024, 5, 1), date(2024, 5, 20)),
    ("2024.5.1-5.20", date(2024, 5, 1), date(2024, 5, 20)),
    ("2024年5月1日至5月20日", date(2024, 5, 1), date(2024, 5, 20)),
    ("2024年6月至2024年9月", date(2024, 6, 1), date(2024, 9, 30)),
    ("2024.05.01~2024.05.20", date(2024, 5, 1), date(2024, 5, 20)),
    ("2024年6月底前整改到位", date(2024, 6, 21), date(2024, 6, 30)),  # a stray 到 is no range
]


@pytest.mark.parametrize(("text", "first", "last"), SPANS)
def test_spans_first_day_and_deadline(text, first, last):
    assert parse_date(text, year=2024) == first
    assert parse_date(text, year=2024, end=True) == last


def test_a_year_less_deadline_before_after_is_next_years():
    assert parse_date("1月10日前", year=2024, end=True, after=date(2024, 12, 20)) == date(2025, 1, 10)
    assert parse_date("6月底前", year=2024, end=True, after=date(2024, 4, 10)) == date(2024, 6, 30)
    assert parse_date("第一季度", year=2024, end=True, after=date(2024, 5, 1)) == date(2025, 3, 31)
    assert parse_date("2024年1月", end=True, after=date(2024, 12, 20)) == date(2024, 1, 31)  # a stated year stays


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2024-02-30", "invalid"),
        ("2024年13月", "invalid"),
        ("1899-01-01", "invalid"),
        ("20240230x", None),
        ("6月30日", "no_year"),
        ("6月底前", "no_year"),
        ("年底前", "no_year"),
        ("第三季度", "no_year"),
        ("明年", "no_year"),
    ],
)
def test_text_written_as_a_date_that_cannot_be_one(text, reason):
    if reason is None:
        assert parse_date(text) is None  # digits that are no valid date state no date
        return
    with pytest.raises(DateError) as caught:
        parse_date(text)
    assert caught.value.reason == reason


def test_a_range_whose_end_cannot_be_read():
    assert parse_date("2024.5.1-2024.2.30") == date(2024, 5, 1)
    with pytest.raises(DateError):
        parse_date("2024.5.1-2024.2.30", end=True)
    assert parse_date("2024.5.1-下周", end=True) == date(2024, 5, 1)  # the end is no date: the one date given
