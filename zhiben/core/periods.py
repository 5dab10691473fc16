"""Statistical periods (统计期): a year, half-year, quarter, month or ISO week written as text, and the
figure filters' period (`year`, or `start`/`end`) as a pair of dates.

    "2026" · "2026H1" · "2026Q3" · "2026-05" · "2026W07" · "2026-03-01~2026-03-15"
"""

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from .db import whole_number


class PeriodError(ValueError):
    """A period that cannot be read; the message is Chinese and names the text."""


@dataclass(frozen=True)
class Period:
    kind: str  # year, half, quarter, month, week, range
    start: date
    end: date  # inclusive
    text: str

    @property
    def label(self):
        s, e = self.start, self.end
        return {
            "year": f"{s.year}年",
            "half": f"{s.year}年{'上' if s.month == 1 else '下'}半年",
            "quarter": f"{s.year}年第{quarter_of(s)}季度",
            "month": f"{s.year}年{s.month}月",
            "week": f"{s.isocalendar()[0]}年第{s.isocalendar()[1]}周（{s:%m-%d}至{e:%m-%d}）",
        }.get(self.kind, f"{s:%Y-%m-%d}至{e:%Y-%m-%d}")

    @property
    def filters(self):
        """The figure filters of this period (see core.registry.Figure): year, start and end."""
        return {"year": str(self.start.year), "start": self.start.isoformat(), "end": self.end.isoformat()}

    @property
    def code(self):
        """The period written the way parse_period reads it, however the text was written ("2026q4" →
        "2026Q4", "2026-3" → "2026-03", "2026年" → "2026"), and for a period computed rather than read."""
        if self.kind == "range":
            return f"{self.start:%Y-%m-%d}~{self.end:%Y-%m-%d}"
        return _code(self.kind, self.start)

    def previous(self):
        """The period just before, of the same kind and length (a range: the same number of days)."""
        return self._shift(-1)

    def next(self):
        """The period just after, of the same kind and length."""
        return self._shift(1)

    def year_before(self):
        """The same period one year earlier (同比)."""
        if self.kind == "week":
            iso = self.start.isocalendar()
            try:
                return parse_period(f"{iso[0] - 1}W{iso[1]:02d}")
            except PeriodError:  # week 53 in a year without one
                return parse_period(f"{iso[0] - 1}W52")
        return Period(self.kind, _minus_year(self.start), _minus_year(self.end), "")

    def _shift(self, step):
        if self.kind == "year":
            return parse_period(str(self.start.year + step))
        if self.kind in ("half", "quarter", "month"):
            months = {"half": 6, "quarter": 3, "month": 1}[self.kind]
            index = self.start.year * 12 + self.start.month - 1 + step * months
            start = date(index // 12, index % 12 + 1, 1)
            end_index = index + months - 1
            end_year, end_month = end_index // 12, end_index % 12 + 1
            return Period(self.kind, start, date(end_year, end_month, monthrange(end_year, end_month)[1]), "")
        days = (self.end - self.start).days + 1
        start = self.start + timedelta(days=step * days)
        return Period(self.kind, start, start + timedelta(days=days - 1), "")


def _minus_year(day):
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


PATTERNS = [
    (re.compile(r"^(\d{4})年?$"), "year"),
    (re.compile(r"^(\d{4})\s*[Hh]([12])$"), "half"),
    (re.compile(r"^(\d{4})\s*[Qq]([1-4])$"), "quarter"),
    (re.compile(r"^(\d{4})-(\d{1,2})$"), "month"),
    (re.compile(r"^(\d{4})-?[Ww](\d{1,2})$"), "week"),
    (re.compile(r"^(\d{4}-\d{2}-\d{2})\s*[~～至]\s*(\d{4}-\d{2}-\d{2})$"), "range"),
]


def parse_period(text):
    """A Period from its text (see the module docstring); PeriodError with a Chinese message otherwise."""
    text = (text or "").strip()
    for pattern, kind in PATTERNS:
        match = pattern.match(text)
        if not match:
            continue
        a, b = match.groups() if len(match.groups()) == 2 else (match.group(1), None)
        try:
            if kind == "year":
                year = int(a)
                start, end = date(year, 1, 1), date(year, 12, 31)
            elif kind in ("half", "quarter"):
                months = 6 if kind == "half" else 3
                first = (int(b) - 1) * months + 1
                last = first + months - 1
                start, end = date(int(a), first, 1), date(int(a), last, monthrange(int(a), last)[1])
            elif kind == "month":
                start = date(int(a), int(b), 1)
                end = date(start.year, start.month, monthrange(start.year, start.month)[1])
            elif kind == "week":
                start = date.fromisocalendar(int(a), int(b), 1)
                end = start + timedelta(days=6)
            else:
                start, end = date.fromisoformat(a), date.fromisoformat(b)
        except ValueError:
            break
        if end < start:
            raise PeriodError(f"统计期“{text}”的结束日期早于开始日期。")
        if start.year < 1990 or end.year > 2100:
            raise PeriodError(f"统计期“{text}”超出可统计的年份（1990—2100）。")
        return Period(kind, start, end, text)
    raise PeriodError(f"无法识别统计期“{text}”：可写 2026、2026H1、2026Q3、2026-05、2026W07 或 2026-03-01~2026-03-15。")


def _code(kind, day):
    """The text of the `kind` period (not a range) containing `day`."""
    return {
        "year": f"{day.year}",
        "half": f"{day.year}H{1 if day.month <= 6 else 2}",
        "quarter": f"{day.year}Q{quarter_of(day)}",
        "month": f"{day.year}-{day.month:02d}",
        "week": "{}W{:02d}".format(*day.isocalendar()),
    }[kind]


def quarter_of(day):
    """The quarter (1 to 4) of the year that `day` falls in."""
    return (day.month - 1) // 3 + 1


def current_period(kind="year", today=None):
    """The period of `kind` containing `today`."""
    return parse_period(_code(kind, today or timezone.localdate()))


class OfPeriod:
    """A module's own view of a core `Period` (its labels, its duty buckets, a stored shape) held in `period`: the
    days and the code are the period's."""

    @property
    def start(self):
        return self.period.start

    @property
    def end(self):
        return self.period.end

    @property
    def code(self):
        """The text that reads back this period (?period=, stored codes, file names)."""
        return self.period.code


def period_of(kind, day):
    """The `kind` period (year, half, quarter, month or week) containing `day`, in any year: a period
    computed, not read (current_period reads its code back, so keeps to the years parse_period reads)."""
    if kind == "week":
        start = day - timedelta(days=day.weekday())
        return Period(kind, start, start + timedelta(days=6), "")
    months = {"year": 12, "half": 6, "quarter": 3, "month": 1}[kind]
    first = (day.month - 1) // months * months + 1
    last = first + months - 1
    return Period(kind, date(day.year, first, 1), date(day.year, last, monthrange(day.year, last)[1]), "")


def filter_range(filters, today=None):
    """(start, end) of a figure's filters (core.registry.Figure): start/end when given, else the whole
    `year`, else the current year. Unreadable dates fall back the same way."""
    filters = filters or {}
    try:
        start, end = date.fromisoformat(filters.get("start") or ""), date.fromisoformat(filters.get("end") or "")
        if start <= end:
            return start, end
    except ValueError:
        pass
    year = whole_number(filters.get("year"))
    year = year if year is not None and 1990 <= year <= 2100 else (today or timezone.localdate()).year
    return date(year, 1, 1), date(year, 12, 31)
