"""Reads: an enterprise's reports, the reports in scope (filters declared once for the API), a report in scope
with its deadline and standing, and the compliance list of a period with the page's parameters."""

from collections import namedtuple
from datetime import datetime, time, timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import Case, CharField, Count, F, FilteredRelation, Q, Value, When
from django.http import Http404
from django.utils import timezone

from zhiben.core.db import MappedRows
from zhiben.core.exceptions import ApplicationError
from zhiben.core.filters import Filter, FilterSet, InvalidFilter, Sort, region_param
from zhiben.core.middleware import api_request
from zhiben.core.scoping import subtree_q
from zhiben.core.tables import minute
from zhiben.enterprises.choices import Status as EnterpriseStatus
from zhiben.enterprises.filters import region_options
from zhiben.enterprises.models import Enterprise

from .choices import COMPLIANCE_TONES, Compliance, Kind, ReportStatus
from .models import PeriodReport
from .periods import closed_periods, parse_period
from .services import Deadlines, deadline_for
from .statistics import figure

# the capabilities of the pages and the API: an enterprise's own user fills in and submits its reports, supervisors
# read them and the compliance of their jurisdiction, and export it
SUBMIT, MONITOR, EXPORT = "duty.submit", "duty.monitor", "duty.export"


def can_view(user):
    """Whether `user` reads reports at all: its enterprise's user, or a supervisor."""
    return user.can(SUBMIT) or user.can(MONITOR)


def require_view(user):
    """PermissionDenied (a 403) for a user who reads no reports (the API checks it before any lookup)."""
    if not can_view(user):
        raise PermissionDenied("您的角色无权进行此操作。")


def require_enterprise_user(user):
    """PermissionDenied unless `user` is an enterprise's own user, who fills in, signs and submits its reports."""
    if not user.can(SUBMIT):
        raise PermissionDenied("您的角色无权进行此操作。")
    if not user.enterprise_id:
        raise PermissionDenied("您的账号未关联生产经营单位。")


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
    if not can_view(user):
        raise Http404
    report = (
        PeriodReport.objects.for_user(user)
        .select_related("enterprise", "enterprise__region", "generated_by", "attested_by", "submitted_by")
        .filter(pk=pk)
        .first()
    )
    if report is None:
        raise Http404
    return report


def answered_deadline(report, deadline):
    """The deadline a report answers to: for one submitted, the deadline in force when it went (kept with it, what
    its 按期/逾期 was judged by), else `deadline` (the rule in force now)."""
    if report is not None and report.status == ReportStatus.SUBMITTED and report.deadline:
        return report.deadline
    return deadline


def report_standing(report, today=None):
    """(deadline, Compliance) of a report as its page shows them: the deadline of its period where the enterprise is
    (the rule in force now, or when it was submitted) and where the enterprise stands for the period."""
    deadline = answered_deadline(report, deadline_for(report.period_obj, report.enterprise.region_id))
    return deadline, compliance_of(report, deadline, today or timezone.localdate(), report.enterprise)


def is_own(user, report):
    """Whether `user` is the report's enterprise's own user (who fills it in, as the page's buttons show)."""
    return user.can(SUBMIT) and user.enterprise_id == report.enterprise_id


def report_actions(user, report):
    """The steps `user` may take on `report` now, as its page offers them: regenerate (按最新台账重新生成) until it is
    submitted, attest (签字确认) a draft, submit (报送) an attested one; none for anyone but the enterprise's own user."""
    if not is_own(user, report) or report.status == ReportStatus.SUBMITTED:
        return []
    actions = ["regenerate"]
    if report.status == ReportStatus.DRAFT:
        actions.append("attest")
    if report.status == ReportStatus.ATTESTED:
        actions.append("submit")
    return actions


def _period_q(value, ctx):
    """The rows of one reporting period ("2026Q3", "2026"); None (a 422 on the API) for anything else."""
    try:
        return Q(period=parse_period(value).code)
    except ApplicationError:
        return None


REPORT_FILTERS = FilterSet(
    Filter("period", "报告期", "text", q=_period_q, help="2026Q3（季度）或 2026（年度）"),
    Filter("kind", "类型", "choice", choices=Kind.choices, lookup="kind"),
    Filter("status", "状态", "choice", choices=ReportStatus.choices, lookup="status"),
    Filter(
        "region",
        "区划",
        "choice",
        choices=region_options,
        q=lambda value, ctx: subtree_q(value, "enterprise__region_id"),
    ),
    Filter("q", "单位名称/信用代码", "search", search=("enterprise__name", "enterprise__credit_code")),
    Sort(
        "sort",
        {
            "period": ("period_end", "kind", "enterprise_id"),
            "-submitted": (F("submitted_at").desc(nulls_last=True), "-period_end", "kind", "enterprise_id"),
            "submitted": (F("submitted_at").asc(nulls_last=True), "-period_end", "kind", "enterprise_id"),
        },
        default=("-period_end", "kind", "enterprise_id"),
    ),
)


def report_list(*, user, filters=None):
    """The reports `user` sees (an enterprise's user its own, supervisors their jurisdiction's), the latest period
    first, narrowed by REPORT_FILTERS. A report 未填报 exists once the enterprise opened it or a reminder or an overdue
    mark was issued for it; who owes a period without one is `compliance_list`'s to say."""
    if not can_view(user):
        return PeriodReport.objects.none()
    qs = PeriodReport.objects.for_user(user).select_related("enterprise")
    return REPORT_FILTERS.filter(qs, filters, user=user)


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
        report = reports.get(period.code)
        deadline = answered_deadline(report, deadlines(period, enterprise.region_id))
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

    Returns (period, rows, summary). Filters: region (a code within scope), state, q (name or code). The standing
    of each enterprise is found by the database (compliance_of in SQL: its report, its place's deadline, when it
    registered), so the summary is one grouped count and the rows are read a page at a time (`core.db.MappedRows`):
    a district's 30,000 enterprises judged in Python took 0.5 s of every page."""
    today = today or timezone.localdate()
    filters = filters or {}
    period = parse_period(period_code)
    enterprises = Enterprise.objects.for_user(user).exclude(status=EnterpriseStatus.CLOSED)
    region = subtree_q(filters.get("region"))
    if region is not None:
        enterprises = enterprises.filter(region)
    q = (filters.get("q") or "").strip()
    if q:
        enterprises = enterprises.filter(Q(name__icontains=q) | Q(credit_code__icontains=q))
    deadlines = Deadlines()
    by_deadline = {}  # the places in scope by their deadline (a county's rule is usually one for all)
    for region_id in enterprises.order_by().values_list("region_id", flat=True).distinct():
        by_deadline.setdefault(deadlines(period, region_id), []).append(region_id)
    of_region = {region_id: deadline for deadline, regions in by_deadline.items() for region_id in regions}
    standing = [  # compliance_of, in the same order
        When(report_status=ReportStatus.SUBMITTED, report_late=True, then=Value(Compliance.LATE)),
        When(report_status=ReportStatus.SUBMITTED, then=Value(Compliance.ON_TIME)),
    ]
    default = Compliance.OPEN
    for deadline, regions in by_deadline.items():
        after = timezone.make_aware(datetime.combine(deadline + timedelta(days=1), time.min))
        unsent = Compliance.OVERDUE if today > deadline else Compliance.OPEN
        if len(by_deadline) == 1:  # one deadline for all: no place to tell apart
            standing.append(When(created_at__gte=after, then=Value(Compliance.EXEMPT)))
            default = unsent
            continue
        standing += [  # registered after the deadline: not owed on the platform
            When(region_id__in=regions, created_at__gte=after, then=Value(Compliance.EXEMPT)),
            When(region_id__in=regions, then=Value(unsent)),
        ]
    judged = enterprises.annotate(  # the period's report joined (one per enterprise and period), not probed per row
        report=FilteredRelation("period_reports", condition=Q(period_reports__period=period.code)),
        report_status=F("report__status"),
        report_late=F("report__late"),
    ).annotate(state=Case(*standing, default=Value(default), output_field=CharField()))
    summary = dict.fromkeys(Compliance.values, 0)
    summary.update(judged.order_by().values("state").annotate(n=Count("pk")).values_list("state", "n"))
    # 应报单位: the enterprises that owe this period's report on the platform, so that 按期 + 逾期报送 +
    # 逾期未报 + 待报送 = 应报; those registered after the deadline are counted apart (issue 25)
    summary["total"] = sum(summary[s] for s in Compliance.values if s != Compliance.EXEMPT)
    summary["submitted"] = summary[Compliance.ON_TIME] + summary[Compliance.LATE]
    state = filters.get("state") or ""
    shown = judged.filter(state=state) if state in Compliance.values else judged
    count = summary[state] if state in Compliance.values else sum(summary[s] for s in Compliance.values)

    def made_rows(page):
        reports = {
            r.enterprise_id: r
            for r in PeriodReport.objects.filter(
                period=period.code, enterprise_id__in=[values[0] for values in page]
            ).select_related("attested_by", "submitted_by")
        }
        made = []
        for values in page:
            enterprise, state = Listed._make(values[:-1]), Compliance(values[-1])
            report = reports.get(enterprise.pk)
            deadline = answered_deadline(
                report, of_region.get(enterprise.region_id) or deadlines(period, enterprise.region_id)
            )
            made.append(
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
        return made

    listed = shown.annotate(region_name=F("region__name"), industry_name=F("industry__name"))
    order = _compliance_order(filters.get("sort"))
    rows = MappedRows(listed.order_by(*order).values_list(*Listed._fields, "state"), made_rows, count)
    return period, rows, summary


def compliance_args(user, *, period="", region="", state="", q="", sort="", today=None):
    """The period code and the filters of `compliance_list` from the compliance page's parameters (the page, its
    export and the API): `period` one of the ended periods the page offers (`period_choices`; empty: the latest),
    `region` a region code within the user's jurisdiction (another jurisdiction's is a 404), `state` a Compliance
    value, `q` a name or credit code, `sort` a COMPLIANCE_SORTS key. On the API a value the page offers no choice for
    raises InvalidFilter naming it (a 422); on a page (whose form has checked the rest) it is left out."""
    strict = api_request()
    periods = period_choices(today or timezone.localdate())
    filters = {"region": "", "state": "", "q": (q or "").strip(), "sort": ""}
    period = (period or "").strip().upper()
    if period not in {p.code for p in periods}:
        if period and strict:
            codes = "、".join(p.code for p in periods)
            raise InvalidFilter("period", f"不是可选的报告期（{codes}）。")
        period = periods[0].code
    filters["region"] = region_param(user, region)
    state = (state or "").strip()
    if state in Compliance.values:
        filters["state"] = state
    elif state and strict:
        raise InvalidFilter("state", "不是可选值之一。")
    sort = (sort or "").strip()
    if sort in COMPLIANCE_SORTS:
        filters["sort"] = sort
    elif sort and strict:
        raise InvalidFilter("sort", "不是可选值之一。")
    return period, filters


# 报送情况 from the most to the least pressing: who is overdue first, then who sent late, then who may still send
_PRESSING = [Compliance.OVERDUE, Compliance.LATE, Compliance.OPEN, Compliance.ON_TIME, Compliance.EXEMPT]
COMPLIANCE_SORTS = {  # key → (label, order); "" is the default (by place, then name)
    "": ("区划", ("region_id", "name", "pk")),
    "name": ("单位名称", ("name", "pk")),
    "state": ("逾期未报优先", ("pressing", "region_id", "name", "pk")),
    "-submitted": ("报送时间↓", (F("report__submitted_at").desc(nulls_last=True), "region_id", "name", "pk")),
    "submitted": ("报送时间↑", (F("report__submitted_at").asc(nulls_last=True), "region_id", "name", "pk")),
}


def _compliance_order(key):
    """The order_by of compliance_list for the page's `sort` (an unknown key: the default)."""
    order = COMPLIANCE_SORTS.get(key or "", COMPLIANCE_SORTS[""])[1]
    if "pressing" in order:
        pressing = Case(*(When(state=s, then=Value(i)) for i, s in enumerate(_PRESSING)), default=Value(9))
        order = tuple(pressing if o == "pressing" else o for o in order)
    return order


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
