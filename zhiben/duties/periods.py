"""Reporting periods: "2026Q3" (a quarter) and "2026" (a year), and deadlines computed from a rule.

A reporting period is a quarter or a year of core.periods (its days, its code, the period before),
named as the 统计分析表 names it ("2026年第三季度", "2026年度").

A deadline rule is data: {"month": M, "day": D} — day D of the M-th month after the period ends
(16号令: quarterly {"month": 1, "day": 15}, annual {"month": 1, "day": 31}) — or {"days": N}, N days
after the period ends (a bare integer means the same).
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from zhiben.core import periods as core
from zhiben.core.exceptions import ApplicationError

from .choices import Kind

QUARTER_NAMES = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}
CODE_RE = re.compile(r"^\d{4}(?:Q[1-4])?$")  # how a reporting period may be written (case aside)


@dataclass(frozen=True)
class Period(core.OfPeriod):
    """A quarter (`quarter` 1 to 4) or a year (`quarter` None), as a report row stores it."""

    year: int
    quarter: int | None = None

    @classmethod
    def of(cls, period):
        """The reporting period of a core.periods quarter or year."""
        return cls(period.start.year, core.quarter_of(period.start) if period.kind == "quarter" else None)

    @property
    def period(self):
        """This quarter or year as a core.periods Period."""
        if self.quarter:
            return core.period_of("quarter", date(self.year, 3 * self.quarter, 1))
        return core.period_of("year", date(self.year, 1, 1))

    @property
    def kind(self):
        return Kind.QUARTERLY if self.quarter else Kind.ANNUAL

    @property
    def label(self):
        return f"{self.year}年{QUARTER_NAMES[self.quarter]}" if self.quarter else f"{self.year}年度"

    def previous(self):
        return Period.of(self.period.previous())

    def __str__(self):
        return self.code


def parse_period(code):
    """The reporting period of "2026Q3" or "2026" (read by core.periods, 2000 to 2100); a Chinese message
    for anything else, including the periods core.periods reads that are not reporting periods."""
    text = str(code or "").strip().upper()
    try:
        period = core.parse_period(text) if CODE_RE.match(text) else None
    except core.PeriodError:
        period = None
    if period is None or period.kind not in ("quarter", "year") or period.start.year < 2000:
        raise ApplicationError(f"报告期“{code}”无效，应为 2026Q3（季度）或 2026（年度）。")
    return Period.of(period)


def quarter_of(day):
    """The reporting quarter containing `day`."""
    return Period(day.year, core.quarter_of(day))


def closed_periods(today, kind, count):
    """The `count` most recent periods of `kind` that ended before `today`, newest first."""
    period = core.period_of("quarter" if kind == Kind.QUARTERLY else "year", today)
    found = []
    while len(found) < count:
        period = period.previous()
        found.append(Period.of(period))
    return found


def validate_spec(spec):
    """Chinese errors for a deadline rule value ([] when valid)."""
    if isinstance(spec, bool):
        return ["报送期限设置无效。"]
    if isinstance(spec, int):
        spec = {"days": spec}
    if not isinstance(spec, dict):
        return ["报送期限设置无效。"]
    if "days" in spec:
        days = spec["days"]
        if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 366:
            return ["期满后天数应为 1 至 366 之间的整数。"]
        return []
    month, day = spec.get("month"), spec.get("day")
    errors = []
    if not isinstance(month, int) or isinstance(month, bool) or not 1 <= month <= 12:
        errors.append("期满后第几个月应为 1 至 12 之间的整数。")
    if not isinstance(day, int) or isinstance(day, bool) or not 1 <= day <= 31:
        errors.append("日期应为 1 至 31 之间的整数（该月天数不足时取月末）。")
    return errors


def deadline_from(spec, period):
    """The last day to submit `period`'s report under rule value `spec`."""
    if validate_spec(spec):
        raise ApplicationError("报送期限规则设置有误：" + "；".join(validate_spec(spec)))
    if isinstance(spec, int):
        spec = {"days": spec}
    end = period.end
    if "days" in spec:
        return end + timedelta(days=spec["days"])
    index = end.year * 12 + end.month - 1 + spec["month"]
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(spec["day"], calendar.monthrange(year, month)[1]))


def describe_spec(spec):
    if isinstance(spec, int):
        spec = {"days": spec}
    if not isinstance(spec, dict) or validate_spec(spec):
        return "（设置无效）"
    if "days" in spec:
        return f"期满后 {spec['days']} 日内"
    if spec["month"] == 1:
        return f"期满后次月 {spec['day']} 日前"
    return f"期满后第 {spec['month']} 个月的 {spec['day']} 日前"
