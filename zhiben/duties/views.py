"""Pages: the enterprise's reports (open, sign, submit), a report, the compliance list with export.
The deadline and reminder rules are set on the platform's rules page (/rules/; /duties/rules/ redirects)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhiben.core.excel import write_xlsx
from zhiben.core.exceptions import ApplicationError
from zhiben.core.views import audit_export, download, paginate, query_without, require_capability, sort_links
from zhiben.regions.models import Region

from . import selectors, services
from .choices import Compliance, ReportStatus
from .forms import AttestForm, ComplianceFilterForm


@login_required
def mine(request):
    if not request.user.enterprise_id and request.user.can(selectors.MONITOR):
        return redirect("duties:compliance")
    selectors.require_enterprise_user(request.user)
    rows, older = selectors.enterprise_periods(user=request.user)
    return render(request, "duties/mine.html", {"rows": rows, "older": older, "enterprise": request.user.enterprise})


@login_required
@require_POST
def report_open(request):
    selectors.require_enterprise_user(request.user)
    try:
        report = services.report_open(actor=request.user, period_code=request.POST.get("period", ""))
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("duties:mine")
    return redirect("duties:detail", pk=report.pk)


@login_required
def report_detail(request, pk):
    report = selectors.report_get(user=request.user, pk=pk)
    own = selectors.is_own(request.user, report)
    deadline, state = selectors.report_standing(report)
    return render(
        request,
        "duties/report_detail.html",
        {
            "report": report,
            "own": own,
            "deadline": deadline,
            "state": state,
            "tone": selectors.COMPLIANCE_TONES[state],
            "data": report.data,
            "events": report.events.select_related("actor"),
            "attest_form": AttestForm(initial={"analysis": report.analysis})
            if own and report.status == ReportStatus.DRAFT
            else None,
        },
    )


def _own_action(request, pk, run, done):
    selectors.require_enterprise_user(request.user)
    report = selectors.report_get(user=request.user, pk=pk)
    try:
        run(report)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("duties:detail", pk=report.pk)


@login_required
@require_POST
def report_regenerate(request, pk):
    return _own_action(
        request,
        pk,
        lambda r: services.report_regenerate(actor=request.user, report=r),
        "已按最新隐患数据重新生成统计表。",
    )


@login_required
@require_POST
def report_attest(request, pk):
    form = AttestForm(request.POST)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    return _own_action(
        request,
        pk,
        lambda r: services.report_attest(
            actor=request.user,
            report=r,
            name=data.get("name", ""),
            confirmed=data.get("confirmed", False),
            analysis=data.get("analysis", ""),
        ),
        "主要负责人已签字确认，可以报送。",
    )


@login_required
@require_POST
def report_submit(request, pk):
    def run(report):
        submitted = services.report_submit(actor=request.user, report=report)
        if submitted.late:
            messages.warning(request, f"已报送，但超过报送期限 {submitted.deadline}，记为逾期报送。")

    return _own_action(request, pk, run, "统计分析表已报送。")


def _compliance_context(request):
    require_capability(request.user, selectors.MONITOR)
    today = timezone.localdate()
    periods = selectors.period_choices(today)
    regions = Region.objects.for_user(request.user).filter(level__in=[2, 3, 4]).order_by("code")[:500]
    form = ComplianceFilterForm(request.GET or None, periods=periods, regions=regions)
    values = {}
    if form.is_bound:  # each field that reads keeps its value: a bad one (a stale link's region) drops only itself
        form.is_valid()
        values = form.cleaned_data
    period_code, filters = selectors.compliance_args(
        request.user, **values, sort=request.GET.get("sort", ""), today=today
    )
    period, rows, summary = selectors.compliance_list(
        user=request.user, period_code=period_code, filters=filters, today=today
    )
    return form, period, rows, summary


@login_required
def compliance(request):
    form, period, rows, summary = _compliance_context(request)
    return render(
        request,
        "duties/compliance.html",
        {
            "form": form,
            "period": period,
            "page": paginate(request, rows),
            "summary": summary,
            "states": Compliance,
            "query": query_without(request, "page"),
            "export_query": query_without(request, "page"),
            **sort_links(request, selectors.COMPLIANCE_SORTS),
        },
    )


@login_required
def compliance_export(request):
    require_capability(request.user, selectors.EXPORT)
    form, period, rows, summary = _compliance_context(request)
    data = write_xlsx(
        selectors.EXPORT_HEADERS,
        selectors.export_rows(period, rows),
        sheet_title=f"{period.label}报送情况",
        widths=[32, 22, 14, 14, 16, 12, 10, 8, 17, 12, 12, 12, 12, 12, 14],
    )
    audit_export(
        request,
        action="duty.export",
        object_type="duties.periodreport",
        label=f"{period.label}统计分析表报送情况导出",
        data={"period": period.code, "rows": len(rows)},
    )
    return download(data, f"统计分析表报送情况_{period.code}.xlsx")
