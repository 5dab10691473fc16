"""Chinese numerals, full-width characters and written dates: the one reading every importer uses.

Characters and numerals
- `halfwidth(text)`: NFKC, so full-width digits, letters and punctuation become ASCII
  ("２０２４．６．３０" → "2024.6.30", "（万元）" → "(万元)").
- `cn_int(text)`: one numeral → int: "12", "十二", "二十三", "〇", "两", "二〇二四" (read digit by digit).
- `to_digits(text)`: every run of Chinese numerals → Arabic digits ("一个月内" → "1个月内"), for a cell
  that holds one value (a date, an amount, a period).
- `date_digits(text)`: only the numerals of a written date — a four-numeral year before 年, a month
  before 月, a day before 日/号 ("二〇二四年六月三十日" → "2024年6月30日") — for running text, where
  "一年一次", "三年内" or "第一季度" must stay as written.

Dates: `parse_date(value, *, year=None, end=False, after=None)`
Reads 2024-06-30, 2024/6/30, 2024.6.30, 2024年6月30日(号), 二〇二四年六月三十日, ２０２４年６月, 20240630,
24.6.30, 6/30/2024, Excel serial numbers (45473, "45473"), 2024年6月 / 2024.6 / 2024-06, 2024年,
2024年第三季度, 2024年上半年, and with `year` (the caller's year: the plan's, the row's) the forms that
lack one: 6月30日, 6.30, 6月, 第三季度, 上半年, 年底, 年内, 明年. A range ("2024.5.1-5.20",
"2024年6月至2024年9月") is a span from its first to its last date. Text around a date is ignored
("于2024年5月31日前完成整改"). Returns None for text that states no date, and raises DateError for
text written as a date that cannot be one.

The agreed meaning: **every written date names a span of days; a deadline (`end=True`) is the last
day of the span, any other date (a found date, a start) its first day.**

    written                                   span                       deadline    other date
    2024年6月30日                              that day                   06-30       06-30
    2024年6月, 6月, 2024.6                     the month                  06-30       06-01
    6月初, 6月上旬, 月初                        days 1–10                  06-10       06-01
    6月中, 6月中旬, 月中                        days 11–20                 06-20       06-11
    6月底, 6月末, 6月下旬, 月底, 月末            day 21 to the month's end  06-30       06-21
    年初                                       January                    01-31       01-01
    上半年 / 下半年                             January–June / July–Dec.   06-30/12-31 01-01/07-01
    年中                                       June                       06-30       06-01
    年底, 年末                                  December                   12-31       12-01
    第三季度, 三季度                            the quarter                09-30       07-01
    2024年, 2024年度, 年内, 全年, 当年, 今年     the year                   12-31       01-01
    明年, 次年                                  the next year              12-31       01-01

So "6月初" as a deadline is 10 June (the end of the early part of June), and "2024年3月" as a found
date is 1 March. A two-digit year is 20xx; a year outside 1990–2100 is no date.
"""

import calendar
import functools
import re
import unicodedata
from datetime import date, datetime, timedelta

_DIGITS = {
    "〇": 0,
    "零": 0,
    "○": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_NUMERAL_RUN = re.compile("[〇零○一二两三四五六七八九十]+")
_DATE_NUMERALS = re.compile(
    r"[〇零○一二三四五六七八九]{4}(?=\s*年)|(?<![〇零○一二三四五六七八九十])[一二三四五六七八九十]{1,3}(?=\s*[月日号])"
)


def display_width(text):
    """Columns `text` takes in a fixed-width layout: a Chinese character (or a mark set as wide, “ — …) two, a Latin
    one."""
    return sum(2 if unicodedata.east_asian_width(c) in "WFA" else 1 for c in text)


def halfwidth(text):
    """NFKC: full-width digits, letters and punctuation as ASCII; None → ""."""
    return unicodedata.normalize("NFKC", text if isinstance(text, str) else str(text or ""))


_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def ascii_digits(text):
    """`text` (None → "") with its full-width digits as ASCII ("１２", as a Chinese input method types a number), for
    core.db.whole_number to read a count someone typed; "²", "①" or "❶" stay as they are (no number)."""
    return ("" if text is None else str(text)).translate(_FULL_WIDTH_DIGITS)


@functools.cache
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


@functools.lru_cache(maxsize=4096)
def to_simplified(text):
    """Traditional characters (繁體: Hong Kong, Macau, Taiwan, old templates) as Simplified; other text unchanged."""
    if not text or text.isascii():
        return text or ""
    return _t2s().convert(text)


def _ascii_digits(text):
    """Whether `text` is a whole number in ASCII digits that int() reads: str.isdigit() also holds for "❶", "⓵" or
    "፩" (what NFKC leaves of circled and other scripts' digits), which int() refuses, and int() refuses a text of
    more digits than sys.get_int_max_str_digits() (4300)."""
    return text.isascii() and text.isdigit() and len(text) <= 4300


def cn_int(text):
    """The integer a numeral writes, Arabic or Chinese ("12", "十二", "二十三", "两", "二〇二四"); None otherwise."""
    t = halfwidth(text).strip()
    if _ascii_digits(t):
        return int(t)
    if not t or any(ch not in _DIGITS and ch != "十" for ch in t):
        return None
    if "十" in t:
        tens, _, ones = t.partition("十")
        return (_DIGITS.get(tens, 1) if tens else 1) * 10 + (_DIGITS.get(ones, 0) if ones else 0)
    digits = "".join(str(_DIGITS[ch]) for ch in t)
    return int(digits) if _ascii_digits(digits) else None  # None past the digits int() reads


def to_digits(text):
    """Every run of Chinese numerals as Arabic digits: "二〇二四年五月一日" → "2024年5月1日", "两周" → "2周"."""
    return _NUMERAL_RUN.sub(lambda m: str(n) if (n := cn_int(m.group(0))) is not None else m.group(0), text)


def date_digits(text):
    """Only the Chinese numerals that belong to a written date (year before 年, month before 月, day before 日/号)."""
    return _DATE_NUMERALS.sub(lambda m: str(cn_int(m.group(0))), text)


def excel_date(number):
    """The date of an Excel serial number (20000–80000, i.e. 1954–2119), else None."""
    if 20000 <= number <= 80000:
        return date(1899, 12, 30) + timedelta(days=int(number))
    return None


class DateError(ValueError):
    """Text written as a date that cannot be one. `reason` is "invalid" (2024-02-30, 1899-01-01) or
    "no_year" (a month, day or part of a year without a year, and no `year` to complete it)."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


# ---------------------------------------------------------------- spans: (first day, last day)

_MONTH_PARTS = {
    "上旬": 1,
    "月初": 1,
    "初": 1,
    "中旬": 2,
    "月中": 2,
    "中": 2,
    "下旬": 3,
    "月底": 3,
    "月末": 3,
    "底": 3,
    "末": 3,
}
_YEAR_PARTS = {
    "年初": (1, 1),
    "初": (1, 1),
    "上半年": (1, 6),
    "年中": (6, 6),
    "中": (6, 6),
    "下半年": (7, 12),
    "年底": (12, 12),
    "年末": (12, 12),
    "底": (12, 12),
    "末": (12, 12),
}  # anything else: the whole year


def _year(y):
    y = int(y)
    y = y + 2000 if y < 100 else y
    if not 1990 <= y <= 2100:
        raise DateError("invalid")
    return y


def _month_end(y, m):
    return date(y, m, calendar.monthrange(y, m)[1])


def _day_span(y, m, d):
    try:
        day = date(_year(y), int(m), int(d))
    except ValueError:
        raise DateError("invalid") from None
    return day, day


def _month_span(y, m, part=None):
    """The month, or its 上旬/中旬/下旬 (月初 = 上旬, 月中 = 中旬, 月底 = 月末 = 下旬)."""
    y, m = _year(y), int(m)
    if not 1 <= m <= 12:
        raise DateError("invalid")
    third = _MONTH_PARTS.get(part)
    if third is None:
        return date(y, m, 1), _month_end(y, m)
    return date(y, m, third * 10 - 9), (_month_end(y, m) if third == 3 else date(y, m, third * 10))


def _quarter_span(y, q):
    y = _year(y)
    return date(y, 3 * q - 2, 1), _month_end(y, 3 * q)


def _year_span(y, part=None):
    """The year, or its 年初 (January), 上半年, 年中 (June), 下半年, 年底/年末 (December)."""
    y = _year(y)
    first, last = _YEAR_PARTS.get(part, (1, 12))
    return date(y, first, 1), _month_end(y, last)


# ---------------------------------------------------------------- the written forms

_PART = r"(上旬|中旬|下旬|月初|月中|月底|月末|初|中|底|末)"
_Q = r"([1-4])"
_FULL_DATE = re.compile(r"(?<!\d)(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)")
_MDY = re.compile(r"(?<!\d)(\d{1,2})/(\d{1,2})/(\d{4})(?!\d)")  # 5/1/2024 from an English-locale CSV
_SHORT_DATE = re.compile(r"(?<!\d)(\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)")
_COMPACT = re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)")
_YEAR_QUARTER = re.compile(rf"(?<!\d)(\d{{4}})\s*年\s*(?:第\s*)?{_Q}\s*季度?")
_YEAR_MONTH = re.compile(rf"(?<!\d)(\d{{4}})\s*[-/.年]\s*(\d{{1,2}})\s*月?份?{_PART}?(?!\d)")
_YEAR_PART = re.compile(r"(?<!\d)(\d{4})\s*年\s*(上半年|下半年|年初|年中|年底|年末|初|中|底|末)?")
_MONTH_DAY = re.compile(r"(?<!\d)(\d{1,2})\s*[月.]\s*(\d{1,2})\s*[日号]")
_DOTTED = re.compile(r"(\d{1,2})[.](\d{1,2})")
_MONTH = re.compile(rf"(?<!\d)(\d{{1,2}})\s*月份?{_PART}?")
_QUARTER = re.compile(rf"(?<![\d年])(?:第\s*)?{_Q}\s*季度")
_NEXT_YEAR = re.compile(r"明年|次年|下一?年")
_YEAR_WORD = re.compile(r"(?<!\d)(上半年|下半年|年初|年中|年底|年末|年度内|年内|本年度|本年|当年|今年|全年)")
_RANGE_SHORT_END = re.compile(
    r"^(\d{4}[./年]\d{1,2}[./月]\d{1,2}日?)\s*-\s*(\d{1,2}[./月]\d{1,2}日?)$"
)  # 2024.5.1-5.20
# (?<!\s): a separator's blanks are taken from their first, so a long run of blanks is not scanned again from each
_RANGE_SEP = re.compile(r"(?<!\s)\s*(?:至|到|~|〜|—+|–|\s-\s)\s*")


def parse_date(value, *, year=None, end=False, after=None):
    """The date `value` (text, a date, or an Excel serial number) states, read as the table above
    says: the last day of its span when `end` (a deadline), else the first. `year` completes a
    form without one; with `after`, such a form that would fall before `after` moves on a year
    ("1月10日前" set on 20 December is next January's). None when no date is stated; DateError when
    the text is written as a date that cannot be one."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return excel_date(value)
    return _parse_text(str(value), year, end, after)


@functools.lru_cache(maxsize=4096)  # tables repeat their date strings: read each one once
def _parse_text(text, year, end, after):
    if len(text) == 10 and text[4] == "-" and text[7] == "-" and text[:4].isdigit():
        try:
            found = date.fromisoformat(text)
            if 1990 <= found.year <= 2100:
                return found
        except ValueError:
            pass
    t = to_digits(halfwidth(text)).strip()
    if re.fullmatch(r"\d+(\.0+)?", t):
        digits = t.split(".")[0]
        if len(digits) == 8:
            m = _COMPACT.fullmatch(digits)
            return _valid_day(m) if m else None
        if len(digits) == 4 and digits[:2] in ("19", "20"):
            return _pick(_year_span(digits), end)
        return excel_date(int(digits)) if len(digits) <= 4300 else None  # int() refuses more digits
    days = _FULL_DATE.findall(t)
    if len(days) >= 2:  # "2024-05-01-2024-05-20", "2024.5.1—2024.5.20"
        return _pick(_day_span(*(days[-1] if end else days[0])), end)
    t = _RANGE_SHORT_END.sub(r"\1至\2", t)
    parts = [p for p in _RANGE_SEP.split(t) if p.strip()]
    if len(parts) > 1:
        return _range(parts[0], parts[-1], year, end, after)
    return _read(t, year, end, after)


def _range(first, last, year, end, after):
    """A span written "A至B", "A-B": its first day from A, its last day from B (B may leave out A's year)."""
    if not end:
        return _read(first, year, False, after)
    try:
        start = _read(first, year, False, after)
    except DateError:
        start = None
    try:
        finish = _read(last, start.year if start else year, True, after)
    except DateError:
        if start is None:
            raise
        finish = None
    if finish is None and start is not None:  # "6月底前整改到位": one date and a stray 到
        return _read(first, year, True, after)
    return finish


def _valid_day(m):
    try:
        return _day_span(m[1], m[2], m[3])[0]
    except DateError:
        return None


def _pick(span, end):
    return span[1] if end else span[0]


def _read(t, year, end, after):
    """One date (no range) in `t`, its digits already Arabic."""
    t = re.sub(r"\s+", " ", t).strip()
    m = _FULL_DATE.search(t)
    if m:
        return _pick(_day_span(m[1], m[2], m[3]), end)
    m = _MDY.search(t)
    if m:
        return _pick(_day_span(m[3], m[1], m[2]), end)
    m = _SHORT_DATE.search(t)
    if m:
        return _pick(_day_span(m[1], m[2], m[3]), end)
    m = _COMPACT.search(t)
    if m and _valid_day(m):
        return _valid_day(m)
    m = _YEAR_QUARTER.search(t)
    if m:
        return _pick(_quarter_span(m[1], int(m[2])), end)
    m = _YEAR_MONTH.search(t)
    if m:
        return _pick(_month_span(m[1], m[2], m[3]), end)
    m = _YEAR_PART.search(t)
    if m:
        return _pick(_year_span(m[1], m[2]), end)
    m = _MONTH_DAY.search(t) or _DOTTED.fullmatch(t)
    if m:
        return _without_year(lambda y: _day_span(y, m[1], m[2]), year, end, after)
    m = _MONTH.search(t)
    if m:
        return _without_year(lambda y: _month_span(y, m[1], m[2]), year, end, after)
    m = _QUARTER.search(t)
    if m:
        return _without_year(lambda y: _quarter_span(y, int(m[1])), year, end, after)
    if _NEXT_YEAR.search(t):
        return _without_year(lambda y: _year_span(y + 1), year, end, None)
    m = _YEAR_WORD.search(t)
    if m:
        return _without_year(lambda y: _year_span(y, m[1]), year, end, after)
    return None


def _without_year(span, year, end, after):
    if not year:
        raise DateError("no_year")
    found = _pick(span(year), end)
    if after is not None and found < after:
        found = _pick(span(year + 1), end)
    return found


# ---------------------------------------------------------------- around a table's records: footers, totals, numbering

FOOTER_START = re.compile(
    r"^(注|注意|说明|备注|附注|填表说明|填报说明|附件|附)\s*[0-9一二三四五六七八九十]*\s*[:：]|"
    r"^(填表人|填报人|制表人|制表|填表|统计人|统计|审核人|审核|审批人|审批|核对人|复核人|负责人|单位负责人|主要负责人|分管领导|分管负责人|部门负责人|"
    r"安全负责人|联系人|联系电话|填报日期|制表日期|填表日期|报送日期|日期|签字|签名|盖章|单位盖章|单位\(盖章\)|填报单位)\s*[:：(（]"
)
FOOTER_WORDS = ("填表人", "审核人", "制表人", "填报人", "负责人：", "负责人:", "联系电话", "填报日期", "签字", "盖章")
TOTAL = re.compile(r"^(合计|总计|小计|共计|累计)")


def is_numbering_row(values):
    """A row "1 2 3 …" (or "（1）（2）…") under the header that numbers its columns."""
    nums = []
    for t in values:
        if not t:
            continue
        n = halfwidth(t).strip("()（） .、")
        if not _ascii_digits(n):
            return False
        nums.append(int(n))
    return len(nums) >= 3 and nums == sorted(nums) and len(set(nums)) == len(nums) and nums[0] <= 2


def is_table_edge(cells):
    """A row below a table's records that is not one: a note ("注：…"), a signature or contact line ("填表人：… 审核人：…"),
    or a total (合计/小计). `cells` are the row's texts."""
    values = [c for c in cells if c]
    if not values or len(set(values)) > 4:  # a record holds many distinct texts
        return False
    first = values[0]
    joined = " ".join(values)
    return bool(FOOTER_START.match(first) or TOTAL.match(first) or sum(1 for w in FOOTER_WORDS if w in joined) >= 2)
