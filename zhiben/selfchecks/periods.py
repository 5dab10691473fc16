"""Periods of self-inspection duties: the buckets a record falls in, and the window a compliance view covers.

A record's bucket is the index of the duty's period that contains its date — the day (its ordinal), the
week (Monday to Sunday), the month, the quarter or the year — stored with the record, so compliance is
a count of distinct buckets. A window is a statistical period of core.periods (a month "2026-11", a
quarter "2026Q4", a year "2026", any span of days "2026-03-01~2026-04-15" as analytics asks, …), read
by its parser; it is judged on every duty period that overlaps it: a week running from 30 January to
5 February counts in both months and is met by a record on any of its days.
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from zhiben.core.exceptions import ApplicationError
from zhiben.core.periods import OfPeriod, Period, PeriodError, current_period, parse_period

from .choices import Frequency


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
class Window(OfPeriod):
    """The span a compliance view covers: a core.periods Period, with the duty periods it overlaps."""

    period: Period

    @property
    def label(self):
        return self.period.label

    @property
    def kind(self):
        return self.period.kind

    def buckets(self, frequency):
        """The indexes of the `frequency` periods overlapping this window, first to last."""
        return range(bucket_of(self.start, frequency), bucket_of(self.end, frequency) + 1)

    def previous(self):
        """The window just before, as long (a span of days: the same number of days)."""
        return _window(self.period.previous())

    def next(self):
        return _window(self.period.next())


def _window(period):
    return span_window(period.start, period.end) if period.kind == "range" else Window(period)


def span_window(start, end):
    """The window of the days from `start` to `end` (both included): a whole month, quarter or year is
    named as such, any other span "2026-03-01~2026-04-15"."""
    for kind in ("month", "quarter", "year"):
        period = current_period(kind, start)
        if (period.start, period.end) == (start, end):
            return Window(period)
    return Window(Period("range", start, end, ""))


def window_containing(day, kind="month"):
    """The `kind` window (month, quarter, year, …) containing `day`."""
    return Window(current_period(kind, day))


def parse_window(code):
    """The window of a statistical period's text (core.periods.parse_period: '2026-11', '2026Q4', '2026',
    '2026-03-01~2026-04-15', …), a span that is a whole month, quarter or year named as one; a Chinese
    message otherwise."""
    try:
        period = parse_period(code)
    except PeriodError as exc:
        raise ApplicationError(
            f"统计期间“{code}”无效，应为 2026-11（月）、2026Q4（季度）、2026（年度）"
            "或 2026-03-01~2026-04-15（起止日期，开始不晚于结束）。"
        ) from exc
    return _window(period)
