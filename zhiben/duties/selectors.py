"""Reads: an enterprise's reports, a report in scope, and the compliance list of a period."""

from collections import namedtuple
from datetime import datetime, time, timedelta

from django.db.models import F
from django.http import Http404
from django.utils import timezone

from zhiben.core.scoping import subtree_q
from zhiben.core.tables import minute
from zhiben.enterprises.choices import Status as EnterpriseStatus
from zhiben.enterprises.models import Enterprise

from .choices import COMPLIANCE_TONES, Compliance, Kind, ReportStatus
from .models import PeriodReport
from .periods import closed_periods, parse_period
from .services import Deadlines
from .statistics import figure


def compliance_of(report, deadline, today, enterprise=None, *, registered_late=None):
    """Where an enterprise stands for a period. One registered on the platform after the deadline is
    not counted as late (the duties job does not mark it either); `registered_late` says so when the caller knows."""
    if report is not None and report.status == ReportStatus.SUBMITTED:
        return Compliance.LATE if report.late else Compliance.ON_TIME
    if registered_late is None:
        registered_late = enterprise is not None and registered_after(enterprise, deadline)
    if registered_late:
        return Compliance.EXEMPT
    return Compliance.OVERDUE if today > deadline else Compliance.OPEN


# an enterprise as the compliance list shows it
Listed = namedtuple("Listed", ("pk", "name", "credit_code", "region_id", "created_at", "region_name", "industry_name"))


def registered_after(enterprise, deadline):
    return timezone.localdate(enterprise.created_at) > deadline


def report_get(*, user, pk):
    """A report visible to `user` (its enterprise's users; supervisors within their jurisdiction), else 404."""
    if not (user.can("duty.submit") or user.can("duty.monitor")):
        raise Http404
    report = (
        PeriodReport.objects.for_user(user)
        .select_related("enterprise", "enterprise__region", "attested_by", "submitted_by")
        .filter(pk=pk)
        .first()
    )
    if report is None:
        raise Http404
    return report


def period_choices(today, quarters=8, years=3):
    """Recent ended periods, newest first, for the period pickers."""
    return closed_periods(today, Kind.QUARTERLY, quarters) + closed_periods(today, Kind.ANNUAL, years)


def enterprise_periods(*, user, today=None):
    """For an enterprise user: the recent periods with deadline, report and standing, newest first."""
    today = today or timezone.localdate()
    enterprise = user.enterprise
    deadlines = Deadlines()
    periods = sorted(
        period_choices(today, quarters=4, years=2), key=lambda p: (p.end, p.kind == Kind.ANNUAL), reverse=True
    )
    reports = {r.period: r for r in PeriodReport.objects.filter(enterprise=enterprise)}
    rows = []
    for period in periods:
        deadline = deadlines(period, enterprise.region_id)
        report = reports.get(period.code)
        state = compliance_of(report, deadline, today, enterprise)
        rows.append(
            {
                "period": period,
                "deadline": deadline,
                "report": report,
                "state": state,
                "state_label": state.label,
                "tone": COMPLIANCE_TONES[state],
                "days_left": (deadline - today).days,
            }
        )
    older = [r for code, r in reports.items() if code not in {p.code for p in periods}]
    return rows, sorted(older, key=lambda r: r.period_end, reverse=True)


def compliance_list(*, user, period_code, filters=None, today=None):
    """Every obliged enterprise in the user's scope for one period: deadline, report, standing.

    Returns (period, rows, summary). Filters: region (a code within scope), state, q (name or code)."""
    today = today or timezone.localdate()
    filters = filters or {}
    period = parse_period(period_code)
    # what the rows show (a district's 30,000 enterprises read whole, with their region and industry, took most of
    # a 1.8 s page; read as model instances, 0.3 s of a 0.9 s one)
    enterprises = (
        Enterprise.objects.for_user(user)
        .exclude(status=EnterpriseStatus.CLOSED)
        .annotate(region_name=F("region__name"), industry_name=F("industry__name"))
        .order_by("region_id", "name")
    )
    region = subtree_q(filters.get("region"))
    if region is not None:
        enterprises = enterprises.filter(region)
    q = (filters.get("q") or "").strip()
    if q:
        from django.db.models import Q

        enterprises = enterprises.filter(Q(name__icontains=q) | Q(credit_code__icontains=q))
    reports = {
        r.enterprise_id: r
        for r in PeriodReport.objects.filter(
            period=period.code, enterprise__in=enterprises.values("pk")
        ).select_related("attested_by", "submitted_by")
    }
    deadlines, by_region = Deadlines(), {}  # a region's deadline, and the first moment after its day
    rows, summary = [], dict.fromkeys(Compliance.values, 0)
    for enterprise in enterprises.values_list(*Listed._fields):
        enterprise = Listed._make(enterprise)
        try:
            deadline, after = by_region[enterprise.region_id]
        except KeyError:
            deadline = deadlines(period, enterprise.region_id)
            after = timezone.make_aware(datetime.combine(deadline + timedelta(days=1), time.min))
            by_region[enterprise.region_id] = deadline, after
        report = reports.get(enterprise.pk)
        state = compliance_of(report, deadline, today, registered_late=enterprise.created_at >= after)
        summary[state] += 1
        rows.append(
            {
                "enterprise": enterprise,
                "report": report,
                "deadline": deadline,
                "state": state,
                "state_label": state.label,
                "tone": COMPLIANCE_TONES[state],
                "overdue_days": (today - deadline).days if state == Compliance.OVERDUE else 0,
            }
        )
    state = filters.get("state") or ""
    if state in Compliance.values:
        rows = [row for row in rows if row["state"] == state]
    # 应报单位: the enterprises that owe this period's report on the platform, so that 按期 + 逾期报送 +
    # 逾期未报 + 待报送 = 应报; those registered after the deadline are counted apart (issue 25)
    summary["total"] = sum(summary[s] for s in Compliance.values if s != Compliance.EXEMPT)
    summary["submitted"] = summary[Compliance.ON_TIME] + summary[Compliance.LATE]
    return period, rows, summary


EXPORT_HEADERS = [
    "单位名称",
    "统一社会信用代码",
    "所在区划",
    "行业",
    "报告期",
    "报送期限",
    "报送情况",
    "逾期天数",
    "报送时间",
    "签字确认人",
    "本期发现隐患",
    "其中重大隐患",
    "本期完成整改",
    "期末未销号",
    "期末逾期未整改",
]


def export_rows(period, rows):
    for row in rows:
        enterprise, report = row["enterprise"], row["report"]
        data = report.data if report is not None and report.status == ReportStatus.SUBMITTED else {}
        yield [
            enterprise.name,
            enterprise.credit_code,
            enterprise.region_name,
            enterprise.industry_name,
            period.label,
            row["deadline"].isoformat(),
            row["state_label"],
            row["overdue_days"] or "",
            minute(report.submitted_at) if report is not None else "",
            report.attested_name if report is not None else "",
            *(
                [
                    figure(data, "found"),
                    figure(data, "found", "major"),
                    figure(data, "rectified"),
                    figure(data, "open_end"),
                    figure(data, "overdue_end"),
                ]
                if data
                else [""] * 5
            ),
        ]
