"""Milestones from a task's deadline, and the periods (years, quarters, months) of the 一张表.

Pure functions: no database. A task's deadline is its dates and/or its recurrence as the parser
read them; over the plan's years that becomes one milestone per period:
  once       → one per date ("2025年 2026年" → two);
  yearly     → each year's end (or each year's month/day when the text names one: "每年6月底前");
  semiannual → 30 June and 31 December of each year;
  quarterly  → each quarter's end;
  monthly    → each month's end;
  ongoing    → none (a standing task is followed through its reports).

The periods are core.periods' (years, halves, quarters, months), computed for any year a plan spans;
the labels a quarter gets here are the plan's own ("2026年第三季度"; a column of the table "2026年3季度").
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from zhiben.core.periods import OfPeriod, period_of, quarter_of
from zhiben.core.periods import Period as CorePeriod

from .choices import Granularity, Recurrence

CN_QUARTERS = "一二三四"


@dataclass(frozen=True)
class MilestoneSpec:
    label: str
    period_start: date | None
    due_date: date


def _periods(kind, years):
    """The core.periods periods of `kind` (year, half, quarter or month) over `years`, in order."""
    months = {"half": 6, "quarter": 3, "month": 1}.get(kind, 12)
    return [period_of(kind, date(y, m, 1)) for y in years for m in range(1, 13, months)]


def _quarter_label(period):
    return f"{period.start.year}年第{CN_QUARTERS[quarter_of(period.start) - 1]}季度"


def _once_label(day):
    if day.month == 12 and day.day == 31:
        return f"{day.year}年"
    if (day + timedelta(days=1)).day == 1:  # the last day of its month
        return f"{day.year}年{day.month}月底"
    return f"{day.year}年{day.month}月{day.day}日"


def milestones_for(recurrence, dates, start_year, end_year):
    """The milestones of a task whose deadline reads as `dates` (date objects) and `recurrence`."""
    dates = sorted(set(dates or []))
    years = range(start_year, max(start_year, end_year) + 1)
    if recurrence == Recurrence.YEARLY:
        days = sorted({(d.month, d.day) for d in dates}) or [(12, 31)]
        out = []
        for y in years:
            for m, d in days:
                due = date(y, m, min(d, calendar.monthrange(y, m)[1]))
                out.append(MilestoneSpec(f"{y}年" if (m, d) == (12, 31) else f"{y}年{m}月{d}日前", date(y, 1, 1), due))
        return out
    if recurrence == Recurrence.SEMIANNUAL:  # "2026年上半年", "2026年下半年"
        return [MilestoneSpec(p.label, p.start, p.end) for p in _periods("half", years)]
    if recurrence == Recurrence.QUARTERLY:
        return [MilestoneSpec(_quarter_label(p), p.start, p.end) for p in _periods("quarter", years)]
    if recurrence == Recurrence.MONTHLY:  # "2026年3月"
        return [MilestoneSpec(p.label, p.start, p.end) for p in _periods("month", years)]
    if recurrence == Recurrence.ONGOING:
        return []
    return [MilestoneSpec(_once_label(d), None, d) for d in dates]


@dataclass(frozen=True)
class Period(OfPeriod):
    """A column of the 一张表: a core.periods year, quarter or month under the label the table gives it."""

    period: CorePeriod
    label: str

    @property
    def key(self):
        return self.code

    def contains(self, day):
        return self.start <= day <= self.end


def periods(start_year, end_year, granularity):
    """The columns for the plan's years: years, quarters ("2026年3季度") or months."""
    kind = {Granularity.QUARTER: "quarter", Granularity.MONTH: "month"}.get(granularity, "year")
    out = []
    for period in _periods(kind, range(start_year, max(start_year, end_year) + 1)):
        label = f"{period.start.year}年{quarter_of(period.start)}季度" if kind == "quarter" else period.label
        out.append(Period(period, label))
    return out


def quarter_period(year, quarter):
    """The quarter `quarter` (1 to 4) of `year`, labelled "2026年第三季度"."""
    period = period_of("quarter", date(year, 3 * quarter, 1))
    return Period(period, _quarter_label(period))
