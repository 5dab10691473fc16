"""Pages: drills (list, new with photos, detail), the drill duty's compliance with who is missing this
period, rescue teams/stations/equipment and the construction rates per region and year against their
targets. Every list filters, sorts, paginates and exports."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from zhiben.core.db import whole_number
from zhiben.core.excel import write_xlsx
from zhiben.core.forms import form_service
from zhiben.core.views import download, evidence_response, list_context, paginate, query_without, require_capability
from zhiben.enterprises.filters import industry_options, region_options

from . import selectors, services
from .forms import DrillEntryForm, EquipmentForm, StationForm, TeamForm
from .models import DrillPhoto, Equipment, RescueStation

VIEW, MANAGE = selectors.VIEW, selectors.MANAGE
DrillFilterForm = selectors.DRILL_FILTERS.form_class("DrillFilterForm")
TeamFilterForm = selectors.TEAM_FILTERS.form_class("TeamFilterForm")


def _xlsx(headers, rows, title):
    text = [["" if v is None else (v.strftime("%Y-%m-%d") if isinstance(v, date) else str(v)) for v in r] for r in rows]
    return download(write_xlsx(headers, text, sheet_title=title), f"{title}-{timezone.localdate():%Y%m%d}.xlsx")


def _form_page(request, form, title, back):
    return render(request, "form_page.html", {"form": form, "title": title, "back": back})


@login_required
def drill_list(request):
    require_capability(request.user, VIEW)
    qs = selectors.drill_list(user=request.user, filters=request.GET)
    return render(
        request,
        "drills/drill_list.html",
        list_context(request, qs, DrillFilterForm, can_manage=request.user.can(MANAGE)),
    )


@login_required
def drill_export(request):
    require_capability(request.user, VIEW)
    rows = [
        [
            d.held_on,
            d.enterprise.name,
            d.get_kind_display(),
            d.get_form_display(),
            d.participants,
            d.scenario,
            d.evaluation,
        ]
        for d in selectors.drill_list(user=request.user, filters=request.GET)
    ]
    return _xlsx(["演练日期", "企业", "演练类型", "演练形式", "参演人数", "演练情景", "评估总结"], rows, "应急演练")


@login_required
def drill_new(request):
    require_capability(request.user, MANAGE)
    form = DrillEntryForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        drill = form_service(
            form,
            lambda: services.drill_save(
                actor=request.user, data=form.data_for_service(), photos=form.cleaned_data.get("photos") or []
            ),
        )
        if drill is not None:
            messages.success(request, "演练已登记。")
            return redirect(drill.get_absolute_url())
    return render(request, "form_page.html", {"form": form, "title": "登记应急演练", "back": reverse("drills:drills")})


@login_required
def drill_detail(request, pk):
    require_capability(request.user, VIEW)
    drill = selectors.drill_get(request.user, pk)
    return render(request, "drills/drill_detail.html", {"drill": drill, "photos": drill.photos.all()})


@login_required
def photo(request, pk):
    require_capability(request.user, VIEW)
    found = DrillPhoto.objects.filter(pk=pk).select_related("drill").first()
    if found is None:
        raise Http404
    selectors.drill_get(request.user, found.drill_id)
    return evidence_response(found, thumb=request.GET.get("thumb") == "1")


def _day(request):
    from zhiben.core.cntext import parse_date

    try:
        return parse_date(request.GET["day"]) if request.GET.get("day") else None
    except Exception:
        return None


def _compliance(request):
    result = selectors.compliance(
        request.user, day=_day(request), region=request.GET.get("region", ""), industry=request.GET.get("industry", "")
    )
    rows = result.listed(missing=request.GET.get("missing") == "1", by_last=request.GET.get("sort") == "last")
    return result, rows


@login_required
def compliance(request):
    require_capability(request.user, VIEW)
    result, rows = _compliance(request)
    return render(
        request,
        "drills/compliance.html",
        {
            "result": result,
            "page": paginate(request, rows),
            "regions": region_options(request.user),
            "industries": industry_options(request.user),
            "query": query_without(request, "page"),
            "sort_query": query_without(request, "page", "sort"),
        },
    )


@login_required
def compliance_export(request):
    require_capability(request.user, VIEW)
    _, rows = _compliance(request)
    data = [
        [
            r.enterprise.name,
            "高危" if r.enterprise.high_risk else "一般",
            r.label,
            r.start,
            r.end,
            r.last,
            "已演练" if r.done else "未演练",
        ]
        for r in rows
    ]
    return _xlsx(["企业", "类别", "周期", "周期起", "周期止", "本周期最近演练", "状态"], data, "应急演练完成情况")


@login_required
def team_list(request):
    require_capability(request.user, VIEW)
    qs = selectors.team_list(user=request.user, filters=request.GET)
    return render(
        request,
        "drills/team_list.html",
        list_context(
            request,
            qs,
            TeamFilterForm,
            can_manage=request.user.can(MANAGE),
            stations=RescueStation.objects.for_user(request.user).select_related("region")[:50],
            equipment=Equipment.objects.for_user(request.user).select_related("team", "station")[:50],
        ),
    )


@login_required
def team_export(request):
    require_capability(request.user, VIEW)
    rows = [
        [
            t.name,
            t.get_level_display(),
            t.region.name,
            t.industry.name if t.industry else "",
            t.members,
            t.leader,
            t.established_on,
            "在役" if t.active else "撤销",
        ]
        for t in selectors.team_list(user=request.user, filters=request.GET)
    ]
    return _xlsx(
        ["队伍名称", "类别", "所属区划", "专业行业", "队员人数", "负责人", "组建日期", "状态"], rows, "救援队伍"
    )


def _simple(request, form_class, service, title, success):
    require_capability(request.user, MANAGE)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        saved = form_service(form, lambda: service(actor=request.user, data=form.cleaned_data))
        if saved is not None:
            messages.success(request, success)
            return redirect(reverse("drills:teams"))
    return _form_page(request, form, title, reverse("drills:teams"))


@login_required
def team_new(request):
    return _simple(request, TeamForm, services.team_save, "登记救援队伍", "救援队伍已登记。")


@login_required
def station_new(request):
    return _simple(request, StationForm, services.station_save, "登记救援站点", "救援站点已登记。")


@login_required
def equipment_new(request):
    return _simple(request, EquipmentForm, services.equipment_save, "登记救援装备", "救援装备已登记。")


def _rates(request):
    year = whole_number(request.GET.get("year"))
    year = year if year is not None and 2000 <= year <= 2100 else timezone.localdate().year
    return year, selectors.rates(request.user, region=request.GET.get("region", ""), year=year)


@login_required
def rates(request):
    require_capability(request.user, VIEW)
    year, rows = _rates(request)
    return render(
        request,
        "drills/rates.html",
        {"year": year, "rows": rows, "regions": region_options(request.user), "query": query_without(request, "page")},
    )


@login_required
def rates_export(request):
    require_capability(request.user, VIEW)
    year, rows = _rates(request)
    data = [
        [
            r.label,
            year,
            r.have,
            r.total,
            "—" if r.value is None else f"{r.value}%",
            f"{r.target:g}%",
            "达标" if r.met else "未达标",
            "、".join(r.missing),
        ]
        for r in rows
    ]
    return _xlsx(["指标", "年度", "已建", "应建", "建成率", "目标", "是否达标", "未建名单"], data, "救援力量建成率")
