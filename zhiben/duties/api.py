"""Statutory reporting endpoints (统计报送: the quarterly and annual 隐患排查治理统计分析表 of 16号令), for the provincial
systems the figures go up to and an enterprise's own system: the reports in the caller's view (an enterprise's user
its own), one report with its figures, deadline, standing and record, the steps of the report page (生成并填报,
按最新台账重新生成, 主要负责人签字确认, 报送) through the same services as its buttons, and the compliance of a period as
the 报送情况 page counts it, with its list of enterprises. Scoped like the pages: out of view is a 404, without
`duty.submit` or `duty.monitor` a 403; a step only the enterprise's own user takes is a 403 for anyone else, one the
report's state refuses a 400."""

from datetime import date, datetime

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from zhiben.core.api import Pages, refusals
from zhiben.core.db import MappedRows
from zhiben.core.views import require_capability

from . import selectors, services

router = Router(tags=["统计报送"])


class DutyReportOut(Schema):
    """An enterprise's report for a period (`kind` quarterly: 季度, annual: 年度; `status` pending: 未填报, draft:
    待签字确认, attested: 已签字确认, submitted: 已报送). `deadline` is the period's deadline where the enterprise is, by
    the rule in force; `state` where the enterprise stands for the period (on_time: 按期报送, late: 逾期报送, overdue:
    逾期未报, open: 待报送, exempt: 入驻平台前已到期（不计应报））."""

    id: int
    enterprise_id: int
    enterprise_name: str = Field(alias="enterprise.name")
    credit_code: str = Field(alias="enterprise.credit_code")
    region_code: str = Field(alias="enterprise.region_id")
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    period: str = Field(description="报告期：2026Q3（季度）或 2026（年度）")
    period_label: str = Field(alias="label")
    period_start: date
    period_end: date
    status: str
    status_label: str = Field(alias="get_status_display")
    deadline: date = Field(description="报送期限")
    state: str = Field(description="报送情况")
    state_label: str
    late: bool = Field(description="逾期报送")
    generated_at: datetime | None
    attested_name: str = Field(description="签字确认的主要负责人")
    attested_at: datetime | None
    submitted_at: datetime | None

    @staticmethod
    def resolve_deadline(obj):
        return _standing(obj)[0]

    @staticmethod
    def resolve_state(obj):
        return _standing(obj)[1].value

    @staticmethod
    def resolve_state_label(obj):
        return _standing(obj)[1].label


class DutyReportRowOut(Schema):
    """A row of the table (found: 本期排查发现隐患, rectified: 本期完成整改, closed: 本期审核销号, open_end: 期末未销号,
    overdue_end: 期末逾期未整改), by level."""

    key: str
    label: str
    general: int
    major: int
    total: int


class DutyReportChannelOut(Schema):
    channel: str
    label: str
    total: int = Field(description="本期发现隐患数")


class DutyReportMajorHazardOut(Schema):
    """A 重大事故隐患 found in the period or open at its end, as it stood when the figures were generated."""

    number: str
    description: str
    found_date: date
    deadline: date | None
    rectified_date: date | None
    status_label: str
    listed_label: str = Field(description="挂牌督办级别，空为未挂牌")

    @staticmethod
    def resolve_deadline(obj):
        return obj["deadline"] or None

    @staticmethod
    def resolve_rectified_date(obj):
        return obj["rectified_date"] or None

    @staticmethod
    def resolve_status_label(obj):
        return obj["status"]

    @staticmethod
    def resolve_listed_label(obj):
        return obj["listed"]


class DutyReportFiguresOut(Schema):
    """The figures generated from the enterprise's hazard ledger (`rectification_rate` in percent, null when nothing
    was found; `funds` 元)."""

    rows: list[DutyReportRowOut]
    rectification_rate: float | None
    found_rectified: int
    funds: str
    by_channel: list[DutyReportChannelOut]
    major_hazards: list[DutyReportMajorHazardOut]


class DutyReportEventOut(Schema):
    at: datetime
    actor_name: str
    action: str = Field(description="generate, attest, submit, reminder 或 overdue")
    action_label: str
    note: str


class DutyReportDetailOut(DutyReportOut):
    """A report with its figures (null until generated), the analysis signed with them, who did what, its record,
    and `actions`: the steps the caller may take now (regenerate, attest, submit), as the report page offers them."""

    analysis: str
    figures: DutyReportFiguresOut | None
    generated_by_name: str = Field("", alias="generated_by.name")
    attested_by_name: str = Field("", alias="attested_by.name", description="签字确认时登录的账号")
    submitted_by_name: str = Field("", alias="submitted_by.name")
    events: list[DutyReportEventOut]
    actions: list[str]

    @staticmethod
    def resolve_figures(obj):
        return obj.data if obj.data.get("rows") else None

    @staticmethod
    def resolve_events(obj):
        return list(obj.events.all())

    @staticmethod
    def resolve_actions(obj, context):
        return selectors.report_actions(context["request"].user, obj)


class DutyReportOpenIn(Schema):
    period: str = Field(description="报告期：2026Q3（季度）或 2026（年度），须已结束")


class DutyReportAttestIn(Schema):
    name: str = Field("", max_length=50, description="主要负责人姓名，须与单位登记的主要负责人一致")
    confirmed: bool = Field(False, description="须为 true：确认统计数据真实、准确、完整")
    analysis: str = Field("", description="分析说明：排查治理情况分析、存在问题和下一步措施（可选）")


class DutyComplianceFilters(Schema):
    period: str = Field("", description="报告期：最近 8 个季度或 3 个年度之一（如 2026Q3、2025），默认最近结束的季度")
    region: str = Field("", description="区划代码（本辖区内；其他辖区的为 404），空为整个辖区")
    state: str = Field(
        "",
        description="报送情况：on_time（按期报送）、late（逾期报送）、overdue（逾期未报）、open（待报送）、exempt（入驻平台前已到期）",
    )
    q: str = Field("", description="单位名称或统一社会信用代码")
    sort: str = Field(
        "",
        description="单位列表的排序：空（按区划）、name（单位名称）、state（逾期未报优先）、-submitted、submitted（报送时间）",
    )


class DutyComplianceOut(Schema):
    """The figures of a period as the 报送情况 page counts them, for the region and name asked (`state` and `sort` only
    choose the list): `total` (应报单位) = `on_time` + `late` + `overdue` + `open`; `exempt` registered on the platform
    only after their deadline, counted apart (not owed, not late); `submitted` = `on_time` + `late`."""

    period: str
    period_label: str
    total: int
    submitted: int
    on_time: int
    late: int
    overdue: int
    open: int
    exempt: int


class DutyComplianceRowOut(Schema):
    """An enterprise that owes the period's report (or is exempt), with its deadline and standing; `report_id` is its
    report once it has one (null while it has none), `overdue_days` how long it is overdue (0 unless overdue)."""

    enterprise_id: int
    enterprise_name: str
    credit_code: str
    region_code: str
    region_name: str
    industry_name: str
    deadline: date
    state: str
    state_label: str
    overdue_days: int
    report_id: int | None
    report_status: str
    submitted_at: datetime | None
    attested_name: str


DutyReportFilters = selectors.REPORT_FILTERS.schema("DutyReportFilters")


@router.get("/reports", response={200: list[DutyReportOut], **refusals(403)})
@paginate(Pages, page_size=50)
def list_reports(request, filters: Query[DutyReportFilters]):
    """Reports in the caller's view (an enterprise's user: its own), the latest period first. A report 未填报
    (pending) exists once the enterprise opened it or a reminder or an overdue mark was issued; who owes a period
    without a report is in /compliance/enterprises."""
    selectors.require_view(request.user)
    return selectors.report_list(user=request.user, filters=filters.dict())


@router.post("/reports", response={200: DutyReportDetailOut, **refusals(400, 403)})
def open_report(request, payload: DutyReportOpenIn):
    """生成并填报: the enterprise's own user opens its report for an ended period; created if needed and, unless
    already signed or submitted, generated from the hazard ledger as it stands now (as the button on the 统计分析表
    page)."""
    selectors.require_enterprise_user(request.user)
    report = services.report_open(actor=request.user, period_code=payload.period)
    return selectors.report_get(user=request.user, pk=report.pk)


@router.get("/reports/{pk}", response={200: DutyReportDetailOut, **refusals(403, 404)})
def get_report(request, pk: int):
    """One report with its figures, deadline, standing and record; 404 when it does not exist or is out of the
    caller's view."""
    selectors.require_view(request.user)
    return selectors.report_get(user=request.user, pk=pk)


@router.post("/reports/{pk}/regenerate", response={200: DutyReportDetailOut, **refusals(400, 403, 404)})
def regenerate_report(request, pk: int):
    """按最新台账重新生成: the figures again from the ledger as it stands now; a signature given earlier no longer
    holds (the report is 待签字确认 again). Not once submitted (400)."""
    selectors.require_enterprise_user(request.user)
    report = selectors.report_get(user=request.user, pk=pk)
    services.report_regenerate(actor=request.user, report=report)
    return selectors.report_get(user=request.user, pk=pk)


@router.post("/reports/{pk}/attest", response={200: DutyReportDetailOut, **refusals(400, 403, 404)})
def attest_report(request, pk: int, payload: DutyReportAttestIn):
    """主要负责人签字确认 of a draft (400 in any other state): `name` must be the principal registered for the
    enterprise and `confirmed` true (400 naming the field otherwise)."""
    selectors.require_enterprise_user(request.user)
    report = selectors.report_get(user=request.user, pk=pk)
    services.report_attest(
        actor=request.user, report=report, name=payload.name, confirmed=payload.confirmed, analysis=payload.analysis
    )
    return selectors.report_get(user=request.user, pk=pk)


@router.post("/reports/{pk}/submit", response={200: DutyReportDetailOut, **refusals(400, 403, 404)})
def submit_report(request, pk: int):
    """报送 a signed report (400 before it is signed, once submitted, or when its figures changed after signing);
    one sent after the deadline is marked 逾期报送 (`late`)."""
    selectors.require_enterprise_user(request.user)
    report = selectors.report_get(user=request.user, pk=pk)
    services.report_submit(actor=request.user, report=report)
    return selectors.report_get(user=request.user, pk=pk)


@router.get("/compliance", response={200: DutyComplianceOut, **refusals(403, 404)})
def compliance(request, query: Query[DutyComplianceFilters]):
    """The compliance figures of a period in the caller's jurisdiction, as the 报送情况 page counts them."""
    require_capability(request.user, selectors.MONITOR)
    period_code, filters = selectors.compliance_args(request.user, **query.dict())
    period, _, summary = selectors.compliance_list(user=request.user, period_code=period_code, filters=filters)
    return {"period": period.code, "period_label": period.label, **summary}


@router.get("/compliance/enterprises", response={200: list[DutyComplianceRowOut], **refusals(403, 404)})
@paginate(Pages, page_size=50)
def compliance_enterprises(request, query: Query[DutyComplianceFilters]):
    """The enterprises of the compliance figures, as the 报送情况 page lists them (by place and name, `state` to pick
    one standing, `sort` to order them otherwise)."""
    require_capability(request.user, selectors.MONITOR)
    period_code, filters = selectors.compliance_args(request.user, **query.dict())
    _, rows, _ = selectors.compliance_list(user=request.user, period_code=period_code, filters=filters)
    return MappedRows(rows, lambda page: [_compliance_row(row) for row in page], len(rows))


def _standing(report):
    """(deadline, Compliance) of a report, worked out once per report answered."""
    if not hasattr(report, "_standing"):
        report._standing = selectors.report_standing(report)
    return report._standing


def _compliance_row(row):
    enterprise, report = row["enterprise"], row["report"]
    return {
        "enterprise_id": enterprise.pk,
        "enterprise_name": enterprise.name,
        "credit_code": enterprise.credit_code,
        "region_code": enterprise.region_id,
        "region_name": enterprise.region_name or "",
        "industry_name": enterprise.industry_name or "",
        "deadline": row["deadline"],
        "state": row["state"].value,
        "state_label": row["state_label"],
        "overdue_days": row["overdue_days"],
        "report_id": report.pk if report is not None else None,
        "report_status": report.status if report is not None else "",
        "submitted_at": report.submitted_at if report is not None else None,
        "attested_name": report.attested_name if report is not None else "",
    }
