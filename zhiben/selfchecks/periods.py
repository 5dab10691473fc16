"""Periods of self-inspection duties: the buckets a record falls in, and the window a compliance view covers.

A record's bucket is the index of the duty's period that contains its date — the day (its ordinal), the
week (Monday to Sunday), the month, the quarter or the year — stored with the record, so compliance is
a count of distinct buckets. A window (a month "2026-11", a quarter "2026Q4", a year "2026", or any span
of days "2026-03-01~2026-04-15", as analytics asks) is judged on every duty period that overlaps it: a
week running from 30 January to 5 February counts in both months and is met by a record on any of its
days.
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from zhiben.core.exceptions import ApplicationError

from .choices import Frequency

WINDOW_RE = re.compile(r"^(\d{4})(?:-(\d{1,2})|Q([1-4]))?$")
RANGE_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s*[~～至]\s*(\d{4}-\d{2}-\d{2})$")


def bucket_of(day, frequency):
    """The index of the `frequency` period containing `day`."""
    if frequency == Frequency.DAY:
        return day.toordinal()
    if frequency == Frequency.WEEK:
        return (day.toordinal() - 1) // 7  # ordinal 1 (0001-01-01) is a Monday
    if frequency == Frequency.MONTH:
        return day.year * 12 + day.month - 1
    if frequency == Frequency.QUARTER:
        return day.year * 4 + (day.month - 1) // 3
    if frequency == Frequency.YEAR:
        return day.year
    raise ValueError(f"unknown frequency {frequency!r}")


def bucket_bounds(bucket, frequency):
    """(first day, last day) of bucket `bucket`."""
    if frequency == Frequency.DAY:
        day = date.fromordinal(bucket)
        return day, day
    if frequency == Frequency.WEEK:
        first = date.fromordinal(bucket * 7 + 1)
        return first, first + timedelta(days=6)
    if frequency == Frequency.MONTH:
        year, month = divmod(bucket, 12)
        return _month(year, month + 1)
    if frequency == Frequency.QUARTER:
        year, quarter = divmod(bucket, 4)
        first, _ = _month(year, 3 * quarter + 1)
        _, last = _month(year, 3 * quarter + 3)
        return first, last
    if frequency == Frequency.YEAR:
        return date(bucket, 1, 1), date(bucket, 12, 31)
    raise ValueError(f"unknown frequency {frequency!r}")


def bucket_label(bucket, frequency):
    first, last = bucket_bounds(bucket, frequency)
    if frequency == Frequency.DAY:
        return f"{first:%Y-%m-%d}"
    if frequency == Frequency.WEEK:
        return f"{first:%m-%d}至{last:%m-%d}"
    if frequency == Frequency.MONTH:
        return f"{first.year}年{first.month}月"
    if frequency == Frequency.QUARTER:
        return f"{first.year}年第{(first.month - 1) // 3 + 1}季度"
    return f"{first.year}年"


def _month(year, month):
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


@dataclass(frozen=True)
class Window:
    """The span a compliance view covers: a month, a quarter or a year."""

    code: str
    start: date
    end: date
    label: str

    def buckets(self, frequency):
        """The indexes of the `frequency` periods overlapping this window, first to last."""
        return range(bucket_of(self.start, frequency), bucket_of(self.end, frequency) + 1)

    def previous(self):
        if self.kind == "range":
            return span_window(self.start - (self.end - self.start) - timedelta(days=1), self.start - timedelta(days=1))
        return window_containing(self.start - timedelta(days=1), self.kind)

    def next(self):
        if self.kind == "range":
            return span_window(self.end + timedelta(days=1), self.end + (self.end - self.start) + timedelta(days=1))
        return window_containing(self.end + timedelta(days=1), self.kind)

    @property
    def kind(self):
        if "~" in self.code:
            return "range"
        return "month" if "-" in self.code else ("quarter" if "Q" in self.code else "year")


def span_window(start, end):
    """The window of the days from `start` to `end` (both included): a whole month, quarter or year is
    named as such, any other span "2026-03-01~2026-04-15"."""
    for kind in ("month", "quarter", "year"):
        window = window_containing(start, kind)
        if (window.start, window.end) == (start, end):
            return window
    return Window(f"{start:%Y-%m-%d}~{end:%Y-%m-%d}", start, end, f"{start:%Y-%m-%d}至{end:%Y-%m-%d}")


def window_containing(day, kind="month"):
    if kind == "quarter":
        return parse_window(f"{day.year}Q{(day.month - 1) // 3 + 1}")
    if kind == "year":
        return parse_window(str(day.year))
    return parse_window(f"{day.year}-{day.month:02d}")


def parse_window(code):
    """'2026-11' (a month), '2026Q4' (a quarter), '2026' (a year) or '2026-03-01~2026-04-15' (the days
    between, both included); a Chinese message otherwise."""
    text = str(code or "").strip().upper()
    span = RANGE_RE.match(text)
    if span:
        try:
            start, end = date.fromisoformat(span.group(1)), date.fromisoformat(span.group(2))
        except ValueError:
            start = end = None
        if start is None or end < start or not (start.year >= 2000 and end.year <= 2100):
            raise ApplicationError(f"统计期间“{code}”无效：起止日期应为有效日期，且开始不晚于结束。")
        return span_window(start, end)
    match = WINDOW_RE.match(text)
    if not match or not 2000 <= int(match.group(1)) <= 2100 or (match.group(2) and not 1 <= int(match.group(2)) <= 12):
        raise ApplicationError(
            f"统计期间“{code}”无效，应为 2026-11（月）、2026Q4（季度）、2026（年度）或 2026-03-01~2026-04-15（起止日期）。"
        )
    year = int(match.group(1))
    if match.group(2):
        month = int(match.group(2))
        start, end = _month(year, month)
        return Window(f"{year}-{month:02d}", start, end, f"{year}年{month}月")
    if match.group(3):
        quarter = int(match.group(3))
        start, end = bucket_bounds(year * 4 + quarter - 1, Frequency.QUARTER)
        return Window(f"{year}Q{quarter}", start, end, f"{year}年第{quarter}季度")
    return Window(str(year), date(year, 1, 1), date(year, 12, 31), f"{year}年")
