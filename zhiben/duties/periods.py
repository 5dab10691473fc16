"""Reporting periods: "2026Q3" (a quarter) and "2026" (a year), and deadlines computed from a rule.

A deadline rule is data: {"month": M, "day": D} — day D of the M-th month after the period ends
(16号令: quarterly {"month": 1, "day": 15}, annual {"month": 1, "day": 31}) — or {"days": N}, N days
after the period ends (a bare integer means the same).
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from zhiben.core.exceptions import ApplicationError

from .choices import Kind

QUARTER_NAMES = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}
PERIOD_RE = re.compile(r"^(\d{4})(?:Q([1-4]))?$")


@dataclass(frozen=True)
class Period:
    year: int
    quarter: int | None = None

    @property
    def kind(self):
        return Kind.QUARTERLY if self.quarter else Kind.ANNUAL

    @property
    def code(self):
        return f"{self.year}Q{self.quarter}" if self.quarter else str(self.year)

    @property
    def label(self):
        return f"{self.year}年{QUARTER_NAMES[self.quarter]}" if self.quarter else f"{self.year}年度"

    @property
    def start(self):
        return date(self.year, 3 * self.quarter - 2, 1) if self.quarter else date(self.year, 1, 1)

    @property
    def end(self):
        if not self.quarter:
            return date(self.year, 12, 31)
        month = 3 * self.quarter
        return date(self.year, month, calendar.monthrange(self.year, month)[1])

    def previous(self):
        if not self.quarter:
            return Period(self.year - 1)
        return Period(self.year, self.quarter - 1) if self.quarter > 1 else Period(self.year - 1, 4)

    def __str__(self):
        return self.code


def parse_period(code):
    match = PERIOD_RE.match(str(code or "").strip().upper())
    if not match or not 2000 <= int(match.group(1)) <= 2100:
        raise ApplicationError(f"报告期“{code}”无效，应为 2026Q3（季度）或 2026（年度）。")
    return Period(int(match.group(1)), int(match.group(2)) if match.group(2) else None)


def quarter_of(day):
    return Period(day.year, (day.month - 1) // 3 + 1)


def closed_periods(today, kind, count):
    """The `count` most recent periods of `kind` that ended before `today`, newest first."""
    period = quarter_of(today) if kind == Kind.QUARTERLY else Period(today.year)
    found = []
    while len(found) < count:
        period = period.previous()
        found.append(period)
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
