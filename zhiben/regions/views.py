"""The jurisdiction tree (drill-down with counts), region import, and unit pages.

Object pages look the object up in the viewer's scope first (404 outside it), then check the capability (403).
"""

from copy import copy
from dataclasses import replace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from zhiben.core.exceptions import ApplicationError
from zhiben.core.forms import form_service
from zhiben.core.tables import Column, Table, badge, detail_link, esc, labels, link_to
from zhiben.core.views import export_xlsx, paginate, query_without, require_capability, tell_sheets

from . import selectors, services
from .choices import Level, UnitKind
from .forms import RegionImportForm, UnitFilterForm, UnitForm
from .importers import read_region_rows
from .selectors import REGION_SORT

MAX_SHOWN_ERRORS = 200


LEVEL_LABELS = labels(Level)

REGIONS = Table(
    columns=(
        Column("区划代码", (), lambda r, _: f"<code>{esc(r.code)}</code>", label="代码", sort="code"),
        Column("名称", (), lambda r, c: f'<a href="{c["detail"](r.code)}">{esc(r.name)}</a>', sort="name"),
        Column("层级", (), lambda r, _: esc(LEVEL_LABELS.get(r.level, "")), sort="level"),
        Column("上级", (), lambda r, _: esc(r.parent.name if r.parent_id else "—")),
    ),
)


@login_required
def region_list(request):
    """The top of the user's tree, or search results for ?q= (sorted from the headers); both export."""
    require_capability(request.user, "region.view")
    text = (request.GET.get("q") or "").strip()
    context = {"q": text, "export_query": query_without(request, "page")}
    if text:
        sort = request.GET.get("sort", "")
        page = paginate(request, selectors.region_search(user=request.user, text=text, sort=sort), default=50)
        table = replace(REGIONS, empty=f"没有找到“{text}”。")
        context |= {
            "page": page,
            "query": query_without(request, "page"),
            "head": table.head_html(query=query_without(request, "page", "sort"), current=REGION_SORT.shown(sort)),
            "rows": table.rows_html(page, detail=link_to("regions:region_detail")),
        }
    else:
        context["roots"] = selectors.with_counts(user=request.user, regions=selectors.region_roots(user=request.user))
    return render(request, "regions/region_list.html", context)


@login_required
def region_export(request):
    """区划表: the regions the search shows (same text, same order), or every region of the jurisdiction without a
    text; its 区划代码 and 名称 columns import back as they are."""
    require_capability(request.user, "region.view")
    regions = selectors.region_search(
        user=request.user, text=request.GET.get("q") or "", sort=request.GET.get("sort", "")
    )
    rows = (
        [r.code, r.name, LEVEL_LABELS.get(r.level, ""), r.parent_id or "", r.parent.name if r.parent_id else ""]
        for r in regions.iterator(chunk_size=2000)
    )
    return export_xlsx(
        request, action="region.export", object_type="regions.region", title="行政区划",
        headers=["区划代码", "名称", "层级", "上级区划代码", "上级名称"], rows=rows, widths=[16, 24, 10, 16, 24],
    )  # fmt: skip


@login_required
def region_detail(request, code):
    if not code.isdigit():
        raise Http404
    region = selectors.region_get(user=request.user, code=code.ljust(12, "0"))
    require_capability(request.user, "region.view")
    children = selectors.with_counts(user=request.user, regions=region.children.order_by("code"))
    (region,) = selectors.with_counts(user=request.user, regions=[region])
    units = selectors.unit_list(user=request.user).filter(region=region)
    return render(
        request,
        "regions/region_detail.html",
        {
            "region": region,
            "children": children,
            "units": units,
            "breadcrumb": selectors.region_breadcrumb(user=request.user, region=region),
        },
    )


@login_required
def region_import(request):
    require_capability(request.user, "region.import")
    form = RegionImportForm(request.POST or None, request.FILES or None)
    errors, more = [], 0
    if request.method == "POST" and form.is_valid():
        upload, sheets = form.cleaned_data["file"], []
        try:
            rows, columns = read_region_rows(upload, filename=upload.name, sheets=sheets)
            result = services.region_import(actor=request.user, rows=rows, columns=columns)
        except ApplicationError as exc:
            form.add_error("file" if not exc.errors else None, exc.message)
            errors, more = exc.errors[:MAX_SHOWN_ERRORS], max(0, len(exc.errors) - MAX_SHOWN_ERRORS)
            tell_sheets(request, sheets)
        else:
            messages.success(
                request,
                f"导入完成：新增 {result['created']} 个，更名 {result['renamed']} 个，未变 {result['unchanged']} 个。",
            )
            tell_sheets(request, sheets)
            return redirect("regions:region_list")
    return render(request, "regions/region_import.html", {"form": form, "errors": errors, "more": more})


KIND_LABELS = labels(UnitKind)


def _unit_name(u, context):
    return detail_link(u, context, u.name) + ("" if u.is_active else " " + badge("停用"))


UNITS = Table(
    columns=(
        Column("单位名称", (), _unit_name, sort="name"),
        Column("简称", (), lambda u, _: esc(u.short_name or "—")),
        Column("类型", (), lambda u, _: esc(KIND_LABELS.get(u.kind, u.kind)), sort="kind"),
        Column("区划", (), lambda u, _: esc(u.region.name), sort="region"),
        Column("监管行业", (), lambda u, _: esc("、".join(i.name for i in u.industries.all()) or "—")),
        Column("发文机关代字", (), lambda u, _: esc(u.doc_prefix or "—"), label="代字"),
    ),
    empty="没有符合条件的单位。",
)


@login_required
def unit_list(request):
    require_capability(request.user, "unit.view")
    form = UnitFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = paginate(request, selectors.unit_list(user=request.user, filters=filters), default=50)
    context = {
        "page": page,
        "form": form,
        "query": query_without(request, "page"),
        "head": UNITS.head_html(
            query=query_without(request, "page", "sort"), current=selectors.UNIT_SORT.shown(filters.get("sort"))
        ),
        "rows": UNITS.rows_html(page, detail=link_to("regions:unit_detail")),
    }
    return render(request, "regions/unit_list.html", context)


UNIT_HEADERS = ["单位名称", "简称", "类型", "所属区划", "区划代码", "监管行业", "发文机关代字", "别名", "状态"]


@login_required
def unit_export(request):
    """The units the list shows (same filters), with the industries each supervises: the 职责清单 as a sheet."""
    require_capability(request.user, "unit.view")
    form = UnitFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = [
        [
            u.name,
            u.short_name,
            u.get_kind_display(),
            u.region.full_name,
            u.region_id,
            "、".join(i.name for i in u.industries.all()),
            u.doc_prefix,
            u.aliases,
            "启用" if u.is_active else "停用",
        ]
        for u in selectors.unit_list(user=request.user, filters=filters)
    ]
    return export_xlsx(
        request, action="unit.export", object_type="regions.unit", title="单位", headers=UNIT_HEADERS, rows=rows,
        widths=[28, 12, 12, 30, 14, 40, 14, 24, 8],
    )  # fmt: skip


@login_required
def unit_detail(request, pk):
    unit = selectors.unit_get(user=request.user, pk=pk)
    require_capability(request.user, "unit.view")
    return render(
        request, "regions/unit_detail.html", {"unit": unit, "user_count": unit.users.filter(is_active=True).count()}
    )


def _save_unit(request, form, unit=None):
    """Call the service with the form's data; return the unit, or None with the errors placed on the form."""
    if unit is None:
        return form_service(form, lambda: services.unit_create(actor=request.user, data=form.service_data()))
    return form_service(form, lambda: services.unit_update(actor=request.user, unit=unit, data=form.service_data()))


@login_required
def unit_create(request):
    require_capability(request.user, "unit.manage")
    form = UnitForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        unit = _save_unit(request, form)
        if unit is not None:
            messages.success(request, f"已创建单位“{unit.name}”。")
            return redirect("regions:unit_detail", pk=unit.pk)
    return render(request, "regions/unit_form.html", {"form": form, "creating": True})


@login_required
def unit_edit(request, pk):
    unit = selectors.unit_get(user=request.user, pk=pk)
    require_capability(request.user, "unit.manage")
    form = UnitForm(request.POST or None, instance=copy(unit), actor=request.user)  # the form edits a copy
    if request.method == "POST" and form.is_valid():
        saved = _save_unit(request, form, unit)
        if saved is not None:
            messages.success(request, f"已保存单位“{saved.name}”。")
            return redirect("regions:unit_detail", pk=saved.pk)
    return render(request, "regions/unit_form.html", {"form": form, "unit": unit})
