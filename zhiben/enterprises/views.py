"""Enterprise pages: list with filters and export, detail with history, create/edit, Excel import."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from zhiben.core.crypto import mask_phone
from zhiben.core.exceptions import ApplicationError
from zhiben.core.registry import backlinks
from zhiben.core.tables import Column, Table, badge, day, detail_link, esc, labels, link_to
from zhiben.core.views import download, paginate, query_without, require_capability, tell_sheets
from zhiben.regions.models import Industry

from . import importers, selectors, services
from .choices import Scale, Status
from .forms import GROUPS, EnterpriseFilterForm, EnterpriseForm, ImportForm, label

SHOWN_IMPORT_ERRORS = 500
SCALE_LABELS, STATUS_LABELS = labels(Scale), labels(Status)


def _name(e, context):
    badges = (" " + badge("高危", "red") if e.high_risk else "") + (
        " " + badge("重点", "blue") if e.directly_supervised else ""
    )
    return detail_link(e, context, e.name) + badges


def _status(e, _):
    text = STATUS_LABELS.get(e.status, e.status)
    return esc(text) if e.status == Status.OPERATING else badge(text, "orange")


# The list page's table (sort keys: filters.SORTS): what it shows of an enterprise, not the other contacts' encrypted
# phones, the address or the remarks.
TABLE = Table(
    columns=(
        Column("单位名称", ("name", "high_risk", "directly_supervised"), _name, sort="name"),
        Column(
            "统一社会信用代码",
            ("credit_code",),
            lambda e, _: f"<code>{esc(e.credit_code)}</code>",
            label="信用代码",
            sort="credit_code",
        ),
        Column("所在区划", ("region__name",), lambda e, _: esc(e.region.name), sort="region"),
        Column("监管行业", ("industry__name",), lambda e, _: esc(e.industry.name), sort="industry"),
        Column("规模", ("scale",), lambda e, _: esc(SCALE_LABELS.get(e.scale, e.scale) or "—")),
        Column("主要负责人", ("principal",), lambda e, _: esc(e.principal or "—")),
        Column("联系电话", ("principal_phone",), lambda e, _: esc(mask_phone(e.principal_phone) or "—")),
        Column("经营状态", ("status",), _status),
        Column("更新时间", ("updated_at",), lambda e, _: day(e.updated_at), sort="updated"),
    ),
    empty="没有符合条件的单位。",
)


def _filtered(request):
    """(filter form, filters, queryset): one path for the list page and the export, so both show the same rows."""
    form = EnterpriseFilterForm(request.GET, user=request.user)
    filters = form.filters
    if filters is None:
        return form, {"sort": ""}, selectors.enterprise_list(user=request.user).none()
    return form, filters, selectors.enterprise_list(user=request.user, filters=filters)


@login_required
def enterprise_list(request):
    require_capability(request.user, "enterprise.view")
    form, filters, qs = _filtered(request)
    return render(
        request,
        "enterprises/enterprise_list.html",
        {
            "form": form,
            "page": (page := paginate(request, qs.only(*TABLE.fields))),
            "head": TABLE.head_html(query=query_without(request, "page", "sort"), current=filters["sort"]),
            "rows": TABLE.rows_html(page, detail=link_to("enterprises:detail")),
            "query": query_without(request, "page"),
            "export_query": query_without(request, "page", "per_page"),
        },
    )


@login_required
def enterprise_lookup(request):
    """The enterprise picker's suggestions (static/zhiben/picker.js): ?q= part of a name or the start of a code;
    only the jurisdiction's enterprises."""
    require_capability(request.user, "enterprise.view")
    found = selectors.enterprise_suggestions(user=request.user, text=request.GET.get("q", ""))
    return JsonResponse(
        {
            "results": [
                {
                    "id": e.pk,
                    "name": e.name,
                    "code": e.credit_code,
                    "region": e.region.name,
                    "text": selectors.picked_text(e),
                }
                for e in found
            ]
        }
    )


@login_required
def enterprise_export(request):
    require_capability(request.user, "enterprise.export")
    _, filters, qs = _filtered(request)
    content = services.enterprise_export(actor=request.user, queryset=qs, filters=filters)
    return download(content, f"生产经营单位_{timezone.localdate():%Y%m%d}.xlsx")


def _display(enterprise, field):
    kind = services.FIELDS[field][1]
    value = getattr(enterprise, field)
    if field == "region":
        return f"{enterprise.region.full_name}（{enterprise.region_id}）"
    if kind == "bool":
        return "是" if value else "否"
    if kind.startswith("choice"):
        return getattr(enterprise, f"get_{field}_display")() or "—"
    return "—" if value in (None, "") else str(value)


def _change_text(field, value, industries):
    kind = services.FIELDS.get(field, ("", ""))[1]
    if value in (None, ""):
        return "（空）"
    if kind == "bool":
        return "是" if value else "否"
    if kind.startswith("choice"):
        return str(dict(services.CHOICES[kind.split(":")[1]].choices).get(value, value))
    if field == "industry":
        return industries.get(value, value)
    return str(value)


def _history(user, enterprise):
    """The change history as rows of (event, action title, [details]) — regulators only."""
    industries = dict(Industry.objects.values_list("code", "name"))
    rows = []
    for event in selectors.enterprise_history(user=user, enterprise=enterprise):
        data = event.data or {}
        if event.action == "enterprise.update":
            title = "修改"
            details = [
                f"{label(f) if f in services.FIELDS else f}：{_change_text(f, old, industries)} → {_change_text(f, new, industries)}"
                for f, (old, new) in data.get("changes", {}).items()
            ]
        elif event.action == "enterprise.import":
            row = data.get("row") or getattr(event, "import_row", None)  # events of earlier versions name the row
            title, details = "导入", [f"来自“{data.get('source') or '文件'}”第 {row} 行"]
        elif event.action == "enterprise.create":
            title, details = "登记", []
        else:
            title, details = event.action, []
        rows.append((event, title, details))
    return rows


@login_required
def enterprise_detail(request, pk):
    require_capability(request.user, "enterprise.view")
    enterprise = selectors.enterprise_get(user=request.user, pk=pk)
    groups = [(title, [(label(f), _display(enterprise, f)) for f in fields]) for title, fields in GROUPS]
    return render(
        request,
        "enterprises/enterprise_detail.html",
        {
            "enterprise": enterprise,
            "groups": groups,
            "history": _history(request.user, enterprise),
            "show_history": selectors.may_see_history(request.user),
            "links": backlinks(enterprise, request.user),
        },
    )


@login_required
def enterprise_create(request):
    require_capability(request.user, "enterprise.add")
    form = EnterpriseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        messages.success(request, f"已登记“{form.enterprise.name}”。")
        return redirect("enterprises:detail", form.enterprise.pk)
    return render(request, "enterprises/enterprise_form.html", {"form": form, "title": "新增生产经营单位"})


@login_required
def enterprise_edit(request, pk):
    require_capability(request.user, "enterprise.change")
    enterprise = selectors.enterprise_get(user=request.user, pk=pk)
    form = EnterpriseForm(request.POST or None, user=request.user, instance=enterprise)
    if request.method == "POST" and form.is_valid():
        messages.success(request, f"已保存“{form.enterprise.name}”。")
        return redirect("enterprises:detail", enterprise.pk)
    return render(
        request,
        "enterprises/enterprise_form.html",
        {"form": form, "enterprise": enterprise, "title": f"编辑：{enterprise.name}"},
    )


@login_required
def enterprise_import(request):
    require_capability(request.user, "enterprise.import")
    form = ImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        upload, sheets = form.cleaned_data["file"], []
        try:
            result = importers.import_file(actor=request.user, source=upload, filename=upload.name, sheets=sheets)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            errors = exc.errors
            tell_sheets(request, sheets)
        else:
            messages.success(request, f"导入成功：新增 {result['created']} 家生产经营单位。")
            tell_sheets(request, sheets)
            return redirect("enterprises:list")
    return render(
        request,
        "enterprises/enterprise_import.html",
        {
            "form": form,
            "errors": errors[:SHOWN_IMPORT_ERRORS],
            "error_count": len(errors),
            "columns": importers.column_help(),
        },
    )


@login_required
def enterprise_import_template(request):
    require_capability(request.user, "enterprise.import")
    return download(importers.template_xlsx(), "生产经营单位导入模板.xlsx")
