"""Pages: an enterprise's own duties and records, recording from a phone, a record, the record list,
compliance over a period (with export), the "查不出问题" list, import, and the duties."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from zhiben.core.excel import write_xlsx
from zhiben.core.exceptions import ApplicationError
from zhiben.core.forms import form_service
from zhiben.core.offline import offline_form, saved
from zhiben.core.services import actor_covers
from zhiben.core.views import (
    PAGE_SIZES,
    audit_export,
    download,
    export_xlsx,
    paginate,
    query_without,
    require_capability,
    sort_links,
    tell_sheets,
)

from . import selectors, services
from .choices import State
from .exports import compliance_xlsx, records_xlsx, template_xlsx
from .filters import RECORD_FILTERS
from .forms import ComplianceForm, DutyForm, RecordFilterForm, RecordForm, UploadForm
from .models import Duty
from .periods import parse_window, window_containing


def _window(request):
    """The window asked for (?period=), else the current month; a bad value is reported and replaced."""
    code = request.GET.get("period", "").strip()
    if code:
        try:
            return parse_window(code)
        except ApplicationError as exc:
            messages.error(request, exc.message)
    return window_containing(timezone.localdate())


@login_required
def home(request):
    if request.user.enterprise_id and request.user.can("selfcheck.record"):
        return redirect("selfchecks:mine")
    require_capability(request.user, "selfcheck.monitor")
    return redirect("selfchecks:compliance")


def _own_enterprise(request):
    require_capability(request.user, "selfcheck.record")
    if not request.user.enterprise_id:
        raise PermissionDenied("您的账号未关联生产经营单位。")
    return request.user.enterprise


@login_required
def mine(request):
    enterprise = _own_enterprise(request)
    window = _window(request)
    records = enterprise.self_inspections.select_related("duty").order_by("-date", "-id")
    return render(
        request,
        "selfchecks/mine.html",
        {
            "enterprise": enterprise,
            "window": window,
            "cells": selectors.enterprise_standing(enterprise, window),
            "page": paginate(request, records, default=10),
            "query": query_without(request, "page"),
        },
    )


@login_required
@offline_form
def record_new(request):
    enterprise = _own_enterprise(request)
    duties = selectors.duties_for(enterprise)
    form = RecordForm(request.POST or None, duties=duties, initial={"duty": request.GET.get("duty", "")})
    if request.method == "POST" and form.is_valid():
        record = form_service(form, lambda: services.selfcheck_record(actor=request.user, data=form.service_data()))
        if record is not None:
            found = record.hazards.count()
            messages.success(
                request,
                f"已记录{record.duty.name}（{record.date}）。" + (f"发现的 {found} 条隐患已上报。" if found else ""),
            )
            return saved(redirect("selfchecks:mine"))
    return render(request, "selfchecks/record_form.html", {"form": form, "enterprise": enterprise})


@login_required
def record_detail(request, pk):
    record = selectors.record_get(user=request.user, pk=pk)
    return render(
        request,
        "selfchecks/record_detail.html",
        {"record": record, "hazards": record.hazards.select_related("region").order_by("id")},
    )


def _records(request):
    if not (request.user.can("selfcheck.monitor") or request.user.can("selfcheck.record")):
        raise PermissionDenied("您的角色无权查看企业自查记录。")
    from .models import SelfInspection

    qs = SelfInspection.objects.for_user(request.user).select_related("enterprise", "enterprise__region", "duty")
    return RECORD_FILTERS.filter(qs, request.GET, user=request.user)


@login_required
def record_list(request):
    qs = _records(request)
    return render(
        request,
        "selfchecks/record_list.html",
        {
            "form": RecordFilterForm(initial=request.GET.dict(), user=request.user),
            "page": paginate(request, qs),
            "query": query_without(request, "page"),
            "sort_query": query_without(request, "page", "sort"),
            "export_query": query_without(request, "page"),
        },
    )


@login_required
def record_export(request):
    qs = _records(request)
    audit_export(request, action="selfcheck.export", object_type="selfchecks.selfinspection", label="企业自查记录导出")
    return download(records_xlsx(qs), f"企业自查记录_{timezone.localdate():%Y%m%d}.xlsx")


def _compliance(request):
    require_capability(request.user, "selfcheck.monitor")
    window = _window(request)
    duties = selectors.active_duties()
    asked = request.GET.copy()
    asked["period"] = window.code  # the window shown, in the box: the one asked for, or the current month
    form = ComplianceForm(asked, user=request.user, duties=duties)
    filters = form.cleaned_data if form.is_valid() else {}
    duty = next((d for d in duties if str(d.pk) == filters.get("duty")), None)
    rows, shown, summary = selectors.compliance(
        user=request.user,
        window=window,
        region=filters.get("region", ""),
        industry=filters.get("industry", ""),
        duty=duty,
    )
    state = filters.get("state", "")
    if state == "undone":
        rows = [r for r in rows if r.state != State.DONE]
    elif state in State.values:
        rows = [r for r in rows if r.state == state]
    return window, form, selectors.sort_rows(rows, request.GET.get("sort")), shown, summary


@login_required
def compliance(request):
    window, form, rows, duties, summary = _compliance(request)
    try:
        size = int(request.GET.get("per_page", 20))
    except ValueError:
        size = 20
    page = Paginator(rows, size if size in PAGE_SIZES else 20).get_page(request.GET.get("page"))
    base = query_without(request, "page", "period")
    return render(
        request,
        "selfchecks/compliance.html",
        {
            "window": window,
            "form": form,
            "page": page,
            "duties": duties,
            "summary": summary,
            "query": query_without(request, "page"),
            "export_query": query_without(request, "page"),
            "base": base,
            "states": State,
            **sort_links(request, selectors.COMPLIANCE_SORTS),
        },
    )


@login_required
def compliance_export(request):
    window, form, rows, duties, summary = _compliance(request)
    audit_export(
        request,
        action="selfcheck.compliance_export",
        object_type="selfchecks.selfinspection",
        label=f"{window.label}企业自查完成情况导出",
    )
    return download(compliance_xlsx(window, rows, duties), f"企业自查完成情况_{window.code}.xlsx")


@login_required
def blind_spots(request):
    require_capability(request.user, "selfcheck.monitor")
    window = _window(request) if request.GET.get("period") else window_containing(timezone.localdate(), "quarter")
    form = ComplianceForm(request.GET or None, user=request.user)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = selectors.blind_spots(
        user=request.user, window=window, region=filters.get("region", ""), industry=filters.get("industry", "")
    )
    if request.GET.get("export"):
        data = write_xlsx(
            ["单位名称", "所在区划", "行业", "自查记录数", "自查发现隐患数", "检查发现隐患数", "其中重大隐患"],
            [
                [r["enterprise"].name, r["enterprise"].region.name, r["enterprise"].industry.name, r["records"], 0]
                + [r["inspector_hazards"], r["major_hazards"]]
                for r in rows
            ],
            sheet_title="查不出问题",
        )
        audit_export(
            request,
            action="selfcheck.blind_spots_export",
            object_type="selfchecks.selfinspection",
            label=f"{window.label}自查查不出问题企业导出",
        )
        return download(data, f"自查查不出问题企业_{window.code}.xlsx")
    return render(
        request,
        "selfchecks/blind_spots.html",
        {"window": window, "form": form, "rows": rows, "export_query": query_without(request, "export")},
    )


@login_required
def import_records(request):
    require_capability(request.user, "selfcheck.import")
    form = UploadForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload, sheets = form.cleaned_data["file"], []
        try:
            result = services.selfcheck_import(actor=request.user, upload=upload, filename=upload.name, sheets=sheets)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            for error in exc.errors:
                form.add_error(None, error["message"])
            tell_sheets(request, sheets)
        else:
            messages.success(request, f"已导入 {len(result)} 条自查记录。")
            tell_sheets(request, sheets)
            return redirect("selfchecks:records" if not request.user.enterprise_id else "selfchecks:mine")
    return render(request, "selfchecks/import.html", {"form": form})


@login_required
def import_template(request):
    require_capability(request.user, "selfcheck.import")
    return download(template_xlsx(with_enterprise=not request.user.enterprise_id), "企业自查记录导入模板.xlsx")


def _duty_reader(request):
    if not (request.user.can("selfcheck.monitor") or request.user.can("selfcheck.record")):
        raise PermissionDenied("您的角色无权查看自查制度。")


@login_required
def duty_list(request):
    _duty_reader(request)
    return render(
        request,
        "selfchecks/duty_list.html",
        {"duties": selectors.duty_list(user=request.user), "can_manage": request.user.can("selfcheck.manage")},
    )


@login_required
def duty_export(request):
    """自查制度: the duties the list shows, in its order."""
    _duty_reader(request)
    rows = (
        [
            d.name, d.level, d.get_frequency_display(), d.get_applies_to_display(), d.required_percent,
            d.region.name if d.region_id else "全国默认", "启用" if d.active else "停用", d.basis,
        ]
        for d in selectors.duty_list(user=request.user)
    )  # fmt: skip
    return export_xlsx(
        request, action="selfcheck.duty_export", object_type="selfchecks.duty", title="自查制度",
        headers=["名称", "排查层级", "频次", "适用企业", "达标比例（%）", "制定区划", "状态", "依据"], rows=rows,
        widths=[24, 16, 8, 12, 12, 14, 8, 40],
    )  # fmt: skip


@login_required
def duty_edit(request, pk=None):
    require_capability(request.user, "selfcheck.manage")
    duty = get_object_or_404(Duty, pk=pk) if pk else None
    if duty is not None and duty.region_id and not actor_covers(request.user, duty.region_id):
        raise Http404
    initial = {f: getattr(duty, f) for f in services.DUTY_FIELDS} if duty else None
    form = DutyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data, "active": "1" if form.cleaned_data["active"] else "0"}
        saved = form_service(form, lambda: services.duty_save(actor=request.user, data=data, duty=duty))
        if saved is not None:
            messages.success(request, f"自查制度“{saved.name}”已保存。")
            return redirect("selfchecks:duties")
    return render(request, "selfchecks/duty_form.html", {"form": form, "duty": duty})
