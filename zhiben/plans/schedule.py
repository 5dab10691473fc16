"""Milestones from a task's deadline, and the periods (years, quarters, months) of the 一张表.

Pure functions: no database. A task's deadline is its dates and/or its recurrence as the parser
read them; over the plan's years that becomes one milestone per period:
  once       → one per date ("2025年 2026年" → two);
  yearly     → each year's end (or each year's month/day when the text names one: "每年6月底前");
  semiannual → 30 June and 31 December of each year;
  quarterly  → each quarter's end;
  monthly    → each month's end;
  ongoing    → none (a standing task is followed through its reports).
"""

import calendar
from dataclasses import dataclass
from datetime import date

from .choices import Granularity, Recurrence

CN_QUARTERS = "一二三四"


@dataclass(frozen=True)
class MilestoneSpec:
    label: str
    period_start: date | None
    due_date: date


def month_end(year, month):
    return date(year, month, calendar.monthrange(year, month)[1])


def quarter_of(day):
    return (day.month - 1) // 3 + 1


def _once_label(day):
    if day.month == 12 and day.day == 31:
        return f"{day.year}年"
    if day == month_end(day.year, day.month):
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
    if recurrence == Recurrence.SEMIANNUAL:
        return [
            spec
            for y in years
            for spec in (
                MilestoneSpec(f"{y}年上半年", date(y, 1, 1), date(y, 6, 30)),
                MilestoneSpec(f"{y}年下半年", date(y, 7, 1), date(y, 12, 31)),
            )
        ]
    if recurrence == Recurrence.QUARTERLY:
        return [
            MilestoneSpec(f"{y}年第{CN_QUARTERS[q - 1]}季度", date(y, 3 * q - 2, 1), month_end(y, 3 * q))
            for y in years
            for q in range(1, 5)
        ]
    if recurrence == Recurrence.MONTHLY:
        return [MilestoneSpec(f"{y}年{m}月", date(y, m, 1), month_end(y, m)) for y in years for m in range(1, 13)]
    if recurrence == Recurrence.ONGOING:
        return []
    return [MilestoneSpec(_once_label(d), None, d) for d in dates]


@dataclass(frozen=True)
class Period:
    """A column of the 一张表."""

    key: str
    label: str
    start: date
    end: date

    def contains(self, day):
        return self.start <= day <= self.end


def periods(start_year, end_year, granularity):
    """The columns for the plan's years: years, quarters or months."""
    out = []
    for y in range(start_year, max(start_year, end_year) + 1):
        if granularity == Granularity.QUARTER:
            out += [
                Period(f"{y}Q{q}", f"{y}年{q}季度", date(y, 3 * q - 2, 1), month_end(y, 3 * q)) for q in range(1, 5)
            ]
        elif granularity == Granularity.MONTH:
            out += [Period(f"{y}-{m:02d}", f"{y}年{m}月", date(y, m, 1), month_end(y, m)) for m in range(1, 13)]
        else:
            out.append(Period(str(y), f"{y}年", date(y, 1, 1), date(y, 12, 31)))
    return out


def quarter_period(year, quarter):
    return Period(
        f"{year}Q{quarter}",
        f"{year}年第{CN_QUARTERS[quarter - 1]}季度",
        date(year, 3 * quarter - 2, 1),
        month_end(year, 3 * quarter),
    )
