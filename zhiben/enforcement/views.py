"""Pages: cases (list with filters and export, new, detail with transitions, documents and timeline,
typical cases), orders (list, new, detail, review), statistics per unit with the 零处罚 flag."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhiben.core.excel import write_xlsx
from zhiben.core.forms import form_service, run_service
from zhiben.core.scoping import normalize_code
from zhiben.core.tables import Column, Table, badge, day, detail_link, esc, labels, link_to, minute
from zhiben.core.timeline import subject_events
from zhiben.core.views import audit_export, download, list_context, paginate, query_without, require_capability
from zhiben.enterprises.selectors import enterprise_from_text
from zhiben.regions.models import Region

from . import selectors, services
from .choices import CaseStatus, OrderStatus
from .forms import CaseEditForm, CaseForm, DecideForm, OrderEditForm, OrderForm, ReviewForm
from .selectors import CASE_FILTERS, CASE_SORT, ORDER_FILTERS, ORDER_SORT
from .services import EDITABLE
from .workflow import allowed_actions

CaseFilterForm = CASE_FILTERS.form_class("CaseFilterForm")
OrderFilterForm = ORDER_FILTERS.form_class("OrderFilterForm")


def _enterprise_pk(user, text):
    return getattr(enterprise_from_text(user, text), "pk", None)


CASE_LABELS, ORDER_LABELS = labels(CaseStatus), labels(OrderStatus)


def _case_number(c, context):
    typical = " " + badge("典型", "orange") if c.typical else ""
    return detail_link(c, context, c.number) + typical


def _party(row, _):
    """The enterprise of a case or an order and, below it, the unit that filed the case or issued the order."""
    return f'{esc(row.enterprise.name)}<br><small class="muted">{esc(row.unit.name)}</small>'


def _measures(c, _):
    return esc(c.measure_labels or "—")


def _fine(c, _):
    return c.fine_text or "—"  # digits and separators: nothing to escape


# The case list's table (sort keys: selectors.CASE_SORT)
CASES = Table(
    columns=(
        Column("案件编号", ("number", "typical"), _case_number, label="编号", sort="number"),
        Column("当事单位", ("enterprise__name", "unit__name"), _party),
        Column("处罚措施", ("measures",), _measures),
        Column("罚款（元）", ("fine",), _fine, label="罚款", sort="fine", css="num"),
        Column("立案日期", ("filed_date",), lambda c, _: day(c.filed_date), sort="filed"),
        Column("决定日期", ("decision_date",), lambda c, _: day(c.decision_date) or "—", sort="decided"),
        Column("状态", ("status",), lambda c, _: badge(CASE_LABELS.get(c.status, c.status))),
    ),
    empty="没有符合条件的案件。",
)


@login_required
def case_list(request):
    require_capability(request.user, "enforcement.view")
    qs = selectors.case_list(user=request.user, filters=request.GET, related=CASES.related)
    context = list_context(request, qs.only(*CASES.fields), CaseFilterForm)
    context["head"] = CASES.head_html(query=context["sort_query"], current=CASE_SORT.shown(request.GET.get("sort")))
    context["rows"] = CASES.rows_html(context["page"], detail=link_to("enforcement:case_detail"))
    return render(request, "enforcement/case_list.html", context)


CASE_HEADERS = ["案件编号", "当事单位", "所在区划", "执法单位", "违法事实", "处罚措施", "罚款（元）", "决定书文号"]
CASE_HEADERS += ["立案日期", "决定日期", "状态", "典型案例", "列为典型案例人", "列为典型案例时间"]


def _case_row(c):
    return [
        c.number,
        c.enterprise.name,
        c.region.name,
        c.unit.name,
        c.violation,
        c.measure_labels,
        c.fine,
        c.decision_number,
        c.filed_date,
        c.decision_date,
        c.get_status_display(),
        "是" if c.typical else "",
        c.typical_by.display_name if c.typical_by_id else "",
        minute(c.typical_at),
    ]


@login_required
def case_export(request):
    require_capability(request.user, "enforcement.view")
    qs = selectors.case_list(user=request.user, filters=request.GET).select_related("typical_by")
    rows = (_case_row(c) for c in qs.iterator(chunk_size=1000))
    title = "典型案例" if request.GET.get("typical") == "1" else "执法案件"
    audit_export(
        request, action="enforcement.case_export", object_type="enforcement.enforcementcase", label=f"{title}导出"
    )
    return download(write_xlsx(CASE_HEADERS, rows, sheet_title=title), f"{title}_{timezone.localdate():%Y%m%d}.xlsx")


def _marked(c, _):
    who = c.typical_by.display_name if c.typical_by_id else ""
    return f'{esc(who)}<br><small class="muted">{minute(c.typical_at)}</small>'


TYPICAL = Table(
    columns=(
        Column(
            "案件编号",
            (),
            lambda c, ctx: f'<a href="{ctx["detail"](c.pk)}">{esc(c.number)}</a>',
            label="编号",
            sort="number",
        ),
        Column("当事单位", (), _party),
        Column("处罚措施", (), _measures),
        Column("罚款（元）", (), _fine, label="罚款", sort="fine", css="num"),
        Column("决定书文号", (), lambda c, _: esc(c.decision_number)),
        Column("列为典型", (), _marked, sort="marked"),
    ),
    empty="还没有典型案例。",
)


@login_required
def typical_list(request):
    """典型案例 for upward reporting: who marked each and when, sorted from the headers; its export is the case export
    of the same query with typical=1."""
    require_capability(request.user, "enforcement.view")
    filters = {**request.GET.dict(), "typical": "1"}
    qs = selectors.case_list(user=request.user, filters=filters).select_related("typical_by")
    page = paginate(request, qs)
    return render(
        request,
        "enforcement/typical_list.html",
        {
            "page": page,
            "head": TYPICAL.head_html(
                query=query_without(request, "page", "sort"), current=CASE_SORT.shown(request.GET.get("sort"))
            ),
            "rows": TYPICAL.rows_html(page, detail=link_to("enforcement:case_detail")),
            "query": query_without(request, "page"),
            "export_query": "&".join(p for p in (query_without(request, "page", "typical"), "typical=1") if p),
        },
    )


@login_required
def case_new(request):
    require_capability(request.user, "enforcement.manage")
    inspection = selectors.inspection_for(request.user, request.GET.get("inspection"))
    form = CaseForm(
        request.POST or None,
        initial={
            "filed_date": timezone.localdate(),
            "inspection": inspection.pk if inspection else None,
            "enterprise": inspection.enterprise.credit_code if inspection else request.GET.get("enterprise", ""),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data, "enterprise": _enterprise_pk(request.user, form.cleaned_data["enterprise"])}
        case = form_service(form, lambda: services.case_create(actor=request.user, data=data))
        if case is not None:
            messages.success(request, f"已立案 {case.number}。")
            return redirect(case)
    return render(request, "enforcement/case_form.html", {"form": form, "title": "立案", "inspection": inspection})


@login_required
def case_edit(request, pk):
    require_capability(request.user, "enforcement.manage")
    case = selectors.case_get(user=request.user, pk=pk)
    if case.unit_id != request.user.unit_id:
        raise PermissionDenied("只有立案的执法单位可以修改本案件。")
    form = CaseEditForm(
        request.POST or None,
        initial={
            "violation": case.violation,
            "legal_basis": case.legal_basis,
            "filed_date": case.filed_date,
            "inspection": case.inspection_id,
        },
    )
    if request.method == "POST" and form.is_valid():
        done = form_service(form, lambda: services.case_update(actor=request.user, case=case, data=form.cleaned_data))
        if done is not None:
            messages.success(request, "案件信息已修改。")
            return redirect(done)
    return render(request, "enforcement/case_form.html", {"form": form, "title": f"修改案件 {case.number}"})


@login_required
def case_detail(request, pk):
    case = selectors.case_get(user=request.user, pk=pk)
    manage = request.user.can("enforcement.manage") and request.user.unit_id == case.unit_id
    return render(
        request,
        "enforcement/case_detail.html",
        {
            "case": case,
            "actions": allowed_actions(case) if manage else [],
            "manage": manage,
            "editable": manage and case.status in EDITABLE,
            "decide_form": DecideForm(initial={"decision_date": timezone.localdate()}),
            "events": subject_events(case),
        },
    )


@login_required
@require_POST
def case_transition(request, pk, action):
    case = selectors.case_get(user=request.user, pk=pk)
    data = {
        "measures": request.POST.getlist("measures"),
        **{k: request.POST.get(k, "") for k in ("fine", "decision_number", "decision_date", "notice_date")},
    }
    if action == "typical":
        run_service(
            request, lambda: services.case_mark_typical(actor=request.user, case=case, typical=True), "已列为典型案例。"
        )
    elif action == "untypical":
        run_service(
            request,
            lambda: services.case_mark_typical(actor=request.user, case=case, typical=False),
            "已取消典型案例。",
        )
    elif action == "resume":
        run_service(
            request,
            lambda: services.case_resume(actor=request.user, case=case, note=request.POST.get("note", "")),
            "已准予复产。",
        )
    else:
        run_service(
            request,
            lambda: services.case_transition(actor=request.user, case=case, action=action, data=data),
            "案件状态已更新。",
        )
    return redirect(case)


def _deadline(o, context):
    return day(o.deadline) + (" " + badge("逾期", "red") if o.is_overdue(context["today"]) else "")


def _order_status(o, _):
    return badge(ORDER_LABELS.get(o.status, o.status), "green" if o.status == OrderStatus.PASSED else "")


# The order list's table (sort keys: selectors.ORDER_SORT)
ORDERS = Table(
    columns=(
        Column(
            "指令编号",
            ("number",),
            lambda o, context: detail_link(o, context, o.number),
            label="编号",
        ),
        Column("被责令单位", ("enterprise__name", "unit__name"), _party, label="单位"),
        Column("整改期限", ("deadline", "status"), _deadline, label="期限", sort="deadline"),
        Column("状态", ("status",), _order_status),
    ),
    empty="没有符合条件的指令。",
)


@login_required
def order_list(request):
    require_capability(request.user, "enforcement.view")
    qs = selectors.order_list(user=request.user, filters=request.GET, related=ORDERS.related)
    context = list_context(request, qs.only(*ORDERS.fields), OrderFilterForm)
    context["head"] = ORDERS.head_html(query=context["sort_query"], current=ORDER_SORT.shown(request.GET.get("sort")))
    context["rows"] = ORDERS.rows_html(
        context["page"], today=timezone.localdate(), detail=link_to("enforcement:order_detail")
    )
    return render(request, "enforcement/order_list.html", context)


@login_required
def order_new(request):
    require_capability(request.user, "enforcement.manage")
    inspection = selectors.inspection_for(request.user, request.GET.get("inspection"))
    initial = {"enterprise": request.GET.get("enterprise", "")}
    if inspection is not None:
        initial = {
            "inspection": inspection.pk,
            "enterprise": inspection.enterprise.credit_code,
            "items": services.inspection_items_text(inspection),
        }
    form = OrderForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data, "enterprise": _enterprise_pk(request.user, form.cleaned_data["enterprise"])}
        order = form_service(form, lambda: services.order_create(actor=request.user, data=data))
        if order is not None:
            messages.success(request, f"已下达责令限期整改指令 {order.number}。")
            return redirect(order)
    hazards = []
    if inspection is not None:
        hazards = selectors.hazards_of(request.user, services.inspection_hazard_ids(inspection))
    return render(
        request,
        "enforcement/case_form.html",
        {"form": form, "title": "责令限期整改", "inspection": inspection, "hazards": hazards},
    )


@login_required
def order_edit(request, pk):
    require_capability(request.user, "enforcement.manage")
    order = selectors.order_get(user=request.user, pk=pk)
    if order.unit_id != request.user.unit_id:
        raise PermissionDenied("只有发出指令的单位可以修改。")
    form = OrderEditForm(request.POST or None, initial={"items": order.items, "deadline": order.deadline})
    if request.method == "POST" and form.is_valid():
        done = form_service(
            form, lambda: services.order_update(actor=request.user, order=order, data=form.cleaned_data)
        )
        if done is not None:
            messages.success(request, "指令内容已修改。")
            return redirect(done)
    return render(request, "enforcement/case_form.html", {"form": form, "title": f"修改指令 {order.number}"})


ORDER_HEADERS = ["指令编号", "被责令单位", "所在区划", "责令单位", "存在的问题和整改要求", "整改期限", "状态"]
ORDER_HEADERS += ["逾期", "复查日期", "复查结论", "复查意见", "来源检查", "下达时间"]


@login_required
def order_export(request):
    require_capability(request.user, "enforcement.view")
    qs = selectors.order_list(user=request.user, filters=request.GET).select_related("inspection")
    today = timezone.localdate()
    rows = (
        [
            o.number,
            o.enterprise.name,
            o.region.name,
            o.unit.name,
            o.items,
            o.deadline,
            o.get_status_display(),
            "是" if o.is_overdue(today) else "",
            o.reviewed_on,
            o.review_conclusion,
            o.review_opinion,
            o.inspection.number if o.inspection_id else "",
            minute(o.created_at),
        ]
        for o in qs.iterator(chunk_size=1000)
    )
    audit_export(
        request, action="enforcement.order_export", object_type="enforcement.rectificationorder", label="责令整改导出"
    )
    return download(write_xlsx(ORDER_HEADERS, rows, sheet_title="责令整改"), f"责令整改_{today:%Y%m%d}.xlsx")


@login_required
def order_detail(request, pk):
    order = selectors.order_get(user=request.user, pk=pk)
    manage = request.user.can("enforcement.manage") and request.user.unit_id == order.unit_id
    return render(
        request,
        "enforcement/order_detail.html",
        {
            "order": order,
            "manage": manage and order.status == "open",
            "editable": manage and order.status == "open",
            "review_form": ReviewForm(initial={"reviewed_on": timezone.localdate()}),
            "hazards": order.hazards.all(),
            "events": subject_events(order),
            "overdue": order.is_overdue(),
        },
    )


@login_required
@require_POST
def order_review(request, pk):
    order = selectors.order_get(user=request.user, pk=pk)
    run_service(
        request,
        lambda: services.order_review(
            actor=request.user,
            order=order,
            passed=request.POST.get("passed") == "1",
            opinion=request.POST.get("opinion", ""),
            new_deadline=request.POST.get("new_deadline") or None,
            reviewed_on=request.POST.get("reviewed_on") or None,
        ),
        "已记录复查结果。",
    )
    return redirect(order)


def _period(request):
    today = timezone.localdate()
    try:
        start = date.fromisoformat(request.GET.get("start", ""))
    except ValueError:
        start = date(today.year, 1, 1)
    try:
        end = date.fromisoformat(request.GET.get("end", ""))
    except ValueError:
        end = today
    if end < start:
        messages.error(request, "统计截止日期早于起始日期，已改为起始日期当天。")
        end = start
    return start, end


STAT_HEADERS = [
    "单位",
    "完成检查",
    "其中执法检查",
    "发现隐患",
    "立案",
    "处罚案件",
    "罚款（元）",
    "责令整改",
    "整改逾期",
    "典型案例",
    "零处罚",
]


@login_required
def statistics(request):
    require_capability(request.user, "enforcement.view")
    if request.user.enterprise_id:
        raise PermissionDenied("执法统计仅供监管部门查看。")
    start, end = _period(request)
    region = normalize_code(request.GET.get("region"))  # a region's units only ("" for none or a bad code)
    rows, threshold = selectors.unit_statistics(user=request.user, start=start, end=end, region=region)
    if request.GET.get("zero") == "1":  # the 零处罚 units only (the analytics figure links here)
        rows = [r for r in rows if r["zero_penalty"]]
    if request.GET.get("export"):
        data = write_xlsx(
            STAT_HEADERS,
            [[r["unit"].name, *[r[k] for k in selectors.FIGURES], "是" if r["zero_penalty"] else ""] for r in rows],
            sheet_title="执法统计",
        )
        audit_export(
            request,
            action="enforcement.statistics_export",
            object_type="enforcement.enforcementcase",
            label="执法统计导出",
        )
        return download(data, f"执法统计_{start:%Y%m%d}-{end:%Y%m%d}.xlsx")
    return render(
        request,
        "enforcement/statistics.html",
        {
            "rows": rows,
            "start": start,
            "end": end,
            "threshold": threshold,
            "region": region,
            "region_name": Region.objects.filter(code=region).values_list("name", flat=True).first(),
            "zero": request.GET.get("zero") == "1",
            "export_query": query_without(request, "export"),
        },
    )
