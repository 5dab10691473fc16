"""Risk pages: the four-colour list (filters, sort by level, export), a point (scores, grade, measures, review,
hazards citing it, its place on the site plan, timeline), record and edit, an enterprise's risk picture
(its list, the site plan with coloured markers, inspection frequency), the plan image, the red/orange
counts by industry, and citing a point from a hazard."""

from decimal import Decimal, InvalidOperation

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhiben.core.db import as_id
from zhiben.core.forms import form_service, run_service
from zhiben.core.timeline import subject_events
from zhiben.core.views import (
    evidence_response,
    export_report,
    export_xlsx,
    list_context,
    query_without,
    require_capability,
)
from zhiben.documents.builders import cn_date
from zhiben.enterprises.models import Enterprise
from zhiben.enterprises.selectors import enterprise_from_text
from zhiben.regions.models import Region
from zhiben.regions.selectors import place_name

from . import selectors, services
from .choices import LEVELS_HIGH_FIRST, Level, level_label
from .forms import (
    CiteForm,
    LinkForm,
    MeasureForm,
    PlaceForm,
    PlanForm,
    PointForm,
    RetireForm,
    ReviewForm,
    point_initial,
)
from .models import ControlMeasure, SitePlan
from .selectors import RISK_FILTERS

RiskFilterForm = RISK_FILTERS.form_class("RiskFilterForm")


def _criteria_items(user, enterprise):
    """Items of current standards that apply to the enterprise's industry and region (the form's select)."""
    from django.db.models import Q

    from zhiben.hazards.criteria import applies_to_region, visible_items

    qs = visible_items(user).filter(standard__is_current=True).select_related("standard")
    if enterprise is not None:
        qs = qs.filter(Q(standard__industries=enterprise.industry_id) | Q(standard__industries__isnull=True))
    items = qs.distinct().order_by("standard__name", "sort", "id")[:400]
    return [i for i in items if enterprise is None or applies_to_region(i.standard, enterprise.region_id)]


@login_required
def point_list(request):
    require_capability(request.user, "risk.view")
    qs = selectors.point_list(user=request.user, filters=request.GET)
    enterprise = None
    if (pk := as_id(request.GET.get("enterprise"))) is not None:
        enterprise = Enterprise.objects.for_user(request.user).filter(pk=pk).first()
    return render(
        request,
        "risk/point_list.html",
        list_context(request, qs, RiskFilterForm, enterprise=enterprise, today=timezone.localdate()),
    )


HEADERS = ["风险点", "生产经营单位", "所在区划", "行业", "类型", "位置", "危险有害因素", "可能导致的事故类型"]
HEADERS += ["评价方法", "L", "E", "C", "S", "风险值", "风险等级", "颜色", "直接判定理由", "管控层级", "管控责任人"]
HEADERS += ["管控措施", "下次评审日期"]


def _n(value):
    return "" if value is None else float(value) if isinstance(value, Decimal) else value


@login_required
def point_export(request):
    """The filtered list as the enterprise's 风险分级管控清单 (xlsx)."""
    require_capability(request.user, "risk.view")
    qs = selectors.point_list(user=request.user, filters=request.GET).prefetch_related("measures")

    def measures(point):
        return "；".join(
            f"[{m.get_type_display()}/{m.get_control_level_display()}] {m.text}（{m.responsible}）"
            for m in point.measures.all()
        )

    rows = (
        [
            p.name,
            p.enterprise.name,
            p.region.name,
            p.industry.name,
            p.get_kind_display(),
            p.location,
            p.factors,
            p.accident_types,
            p.method.upper(),
            _n(p.l_score),
            _n(p.e_score),
            _n(p.c_score),
            _n(p.s_score),
            _n(p.score),
            p.get_level_display(),
            p.colour,
            p.direct_reason,
            p.get_control_level_display(),
            p.responsible,
            measures(p),
            p.next_review.isoformat() if p.next_review else "",
        ]
        for p in qs.iterator(chunk_size=500)
    )
    return export_xlsx(
        request,
        action="risk.export",
        object_type="risk.riskpoint",
        title="风险分级管控清单",
        headers=HEADERS,
        rows=rows,
    )


@login_required
def point_new(request):
    require_capability(request.user, "risk.manage")
    user = request.user
    enterprise = None
    if user.enterprise_id:
        enterprise = Enterprise.objects.get(pk=user.enterprise_id)
    elif (pk := as_id(request.GET.get("enterprise"))) is not None:
        enterprise = get_object_or_404(Enterprise.objects.for_user(user), pk=pk)
    form = PointForm(request.POST or None, items=_criteria_items(user, enterprise), ask_enterprise=enterprise is None)
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        target = enterprise
        if target is None:
            target = enterprise_from_text(user, data.get("enterprise"))
            if target is None:
                form.add_error("enterprise", "没有找到该单位（须在您的管辖范围内，填写统一社会信用代码或全称）。")
        if not form.errors:
            data["enterprise"] = target.pk
            point = form_service(form, lambda: services.point_create(actor=user, data=data))
            if point is not None:
                return redirect(point)
    return render(request, "risk/point_form.html", {"form": form, "enterprise": enterprise})


@login_required
def point_edit(request, pk):
    require_capability(request.user, "risk.manage")
    point = selectors.point_get(user=request.user, pk=pk)
    form = PointForm(
        request.POST or None,
        initial=point_initial(point),
        items=_criteria_items(request.user, point.enterprise),
        ask_enterprise=False,
    )
    if request.method == "POST" and form.is_valid():
        if form_service(form, lambda: services.point_update(actor=request.user, point=point, data=form.service_data())):
            return redirect(point)
    return render(request, "risk/point_form.html", {"form": form, "point": point, "enterprise": point.enterprise})


@login_required
def point_detail(request, pk):
    point = selectors.point_get(user=request.user, pk=pk)
    manage = request.user.can("risk.manage") and point.active
    plan = selectors.site_plan(point.enterprise)
    hazards = selectors.point_hazards(point, request.user)
    return render(
        request,
        "risk/point_detail.html",
        {
            "point": point,
            "measures": point.measures.all(),
            "hazards": hazards,
            "open_hazards": sum(1 for link in hazards if link.open),
            "plan": plan,
            "events": subject_events(point),
            "manage": manage,
            "today": timezone.localdate(),
            "frequency": selectors.inspection_frequency(point.level, point.region_id),
            **(
                {
                    "measure_form": MeasureForm(initial={"control_level": point.control_level}),
                    "review_form": ReviewForm(),
                    "place_form": PlaceForm(initial={"x": point.plan_x, "y": point.plan_y}),
                    "link_form": LinkForm(),
                    "retire_form": RetireForm(),
                }
                if manage
                else {}
            ),
        },
    )


def _click_position(post, plan):
    """(x, y) percentages from an <input type="image" name="pos"> click on the plan shown at its natural size."""
    try:
        x, y = Decimal(post["pos.x"]), Decimal(post["pos.y"])
    except (KeyError, InvalidOperation, ValueError):
        return None
    if plan is None or not plan.width or not plan.height:
        return None
    return (x * 100 / plan.width).quantize(Decimal("0.01")), (y * 100 / plan.height).quantize(Decimal("0.01"))


@login_required
@require_POST
def point_do(request, pk, what):
    point = selectors.point_get(user=request.user, pk=pk)
    user, data = request.user, request.POST.dict()
    if what == "place" and "pos.x" in data:
        clicked = _click_position(data, selectors.site_plan(point.enterprise))
        if clicked is not None:
            data["x"], data["y"] = clicked
    calls = {
        "measure": (lambda: services.measure_add(actor=user, point=point, data=data), "已添加管控措施。"),
        "review": (lambda: services.point_review(actor=user, point=point, data=data), "已登记评审。"),
        "place": (
            lambda: services.point_place(actor=user, point=point, x=data.get("x"), y=data.get("y")),
            "已更新平面图位置。",
        ),
        "link": (
            lambda: services.hazard_link(actor=user, point=point, hazard=data.get("hazard"), note=data.get("note")),
            "已关联隐患。",
        ),
        "unlink": (lambda: services.hazard_unlink(actor=user, point=point, hazard=data.get("hazard")), "已取消关联。"),
        "retire": (lambda: services.point_retire(actor=user, point=point, reason=data.get("reason")), "已撤销风险点。"),
    }
    if what not in calls:
        raise Http404
    call, success = calls[what]
    run_service(request, call, success)
    if data.get("next") == "enterprise":
        return redirect("risk:enterprise", point.enterprise_id)
    return redirect(point)


@login_required
@require_POST
def measure_remove(request, pk):
    measure = get_object_or_404(ControlMeasure, pk=pk)
    point = selectors.point_get(user=request.user, pk=measure.point_id)
    run_service(request, lambda: services.measure_remove(actor=request.user, measure=measure), "已删除管控措施。")
    return redirect(point)


@login_required
def enterprise_page(request, pk):
    """An enterprise's risk picture: its highest level and inspection frequency, the site plan with the points
    placed on it, and its four-colour list."""
    enterprise = selectors.enterprise_get(user=request.user, pk=pk)
    points = list(selectors.enterprise_points(enterprise).prefetch_related("measures"))
    level = Level(points[0].level) if points else None
    counts = {lv: sum(1 for p in points if p.level == lv) for lv in LEVELS_HIGH_FIRST}
    manage = request.user.can("risk.manage")
    return render(
        request,
        "risk/enterprise.html",
        {
            "enterprise": enterprise,
            "points": points,
            "placed": [p for p in points if p.placed],
            "unplaced": [p for p in points if not p.placed],
            "level": level,
            "level_text": level_label(level) if level else "",
            "counts": [(lv, level_label(lv), counts[lv]) for lv in LEVELS_HIGH_FIRST],
            "frequency": selectors.inspection_frequency(level, enterprise.region_id),
            "plan": selectors.site_plan(enterprise),
            "manage": manage,
            "plan_form": PlanForm() if manage else None,
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def plan_upload(request, pk):
    require_capability(request.user, "risk.manage")
    enterprise = selectors.enterprise_get(user=request.user, pk=pk)
    run_service(
        request,
        lambda: services.plan_upload(actor=request.user, enterprise=enterprise, upload=request.FILES.get("image")),
        "已上传厂区平面图。",
    )
    return redirect("risk:enterprise", enterprise.pk)


@login_required
def plan_image(request, pk):
    """The site plan image (`pk` is the plan's), to a user who may see its enterprise's risk picture."""
    plan = get_object_or_404(SitePlan, pk=pk)
    selectors.enterprise_get(user=request.user, pk=plan.enterprise_id)
    return evidence_response(plan, thumb=request.GET.get("thumb") == "1")


@login_required
def figures(request):
    """Red and orange points by industry, and enterprises by their highest risk, in the user's scope."""
    require_capability(request.user, "risk.view")
    region = request.GET.get("region") or None
    if region and not Region.objects.for_user(request.user).filter(code=region).exists():
        region = None
    table, totals = selectors.region_counts(user=request.user, region_code=region)
    by_level = selectors.enterprises_by_level(user=request.user, region_code=region)
    by_level = [(lv, level_label(lv), by_level[lv]) for lv in LEVELS_HIGH_FIRST] + [
        (None, "未登记风险点", by_level["none"])
    ]
    if request.GET.get("export"):
        place = place_name(region, request.user)
        points = [[r["industry"], r["major"], r["larger"], r["enterprises"]] for r in table]
        return export_report(
            request,
            action="risk.figures_export",
            object_type="risk.riskpoint",
            title="风险统计",
            sections=[
                (
                    "重大、较大风险点（按行业）",
                    ["行业", "重大风险（红）", "较大风险（橙）", "涉及单位"],
                    [*points, ["合计", totals["major"], totals["larger"], totals["enterprises"]]] if points else [],
                ),
                ("单位按最高风险等级", ["等级", "单位数"], [[label, n] for _, label, n in by_level]),
            ],
            subtitle=f"{place}，截至{cn_date(timezone.localdate())}",
            widths=[26, 16, 16, 12],
        )
    regions = Region.objects.for_user(request.user).filter(level__lte=4).order_by("code")[:300]
    return render(
        request,
        "risk/figures.html",
        {
            "table": table,
            "totals": totals,
            "by_level": by_level,
            "regions": regions,
            "region": region,
            "export_query": query_without(request, "export"),
        },
    )


@login_required
def cite(request, hazard_pk):
    """From a hazard: cite the risk point of its enterprise whose control failed."""
    from zhiben.hazards.models import Hazard

    require_capability(request.user, "risk.manage")
    hazard = get_object_or_404(Hazard.objects.for_user(request.user).select_related("enterprise"), pk=hazard_pk)
    if not hazard.enterprise_id:
        raise Http404
    points = selectors.point_list(user=request.user, filters={"enterprise": str(hazard.enterprise_id)})
    form = CiteForm(request.POST or None, points=points)
    if request.method == "POST" and form.is_valid():
        point = points.filter(pk=int(form.cleaned_data["point"])).first()
        if point is None:
            raise Http404
        if form_service(
            form,
            lambda: services.hazard_link(
                actor=request.user, point=point, hazard=hazard, note=form.cleaned_data.get("note")
            ),
        ):
            return redirect("hazards:detail", hazard.pk)
    return render(request, "risk/cite.html", {"form": form, "hazard": hazard})
