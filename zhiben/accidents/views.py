"""Accident pages: list (filters, export), record, detail with the reporting clocks, 补报, the investigation
(group, deadlines, parties, measures, education), the 四不放过 check and closure, documents and timeline;
figures against last year and the targets; the targets page."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhiben.core.db import whole_number
from zhiben.core.forms import form_service, run_service
from zhiben.core.offline import offline_form, saved
from zhiben.core.tables import minute
from zhiben.core.timeline import subject_events
from zhiben.core.views import (
    evidence_response,
    export_report,
    export_xlsx,
    list_context,
    query_without,
    require_capability,
)
from zhiben.enterprises.selectors import enterprise_from_text
from zhiben.regions.models import Industry, Region
from zhiben.regions.selectors import place_name

from . import selectors, services
from .choices import Status
from .forms import (
    AccidentForm,
    ApproveForm,
    ExtendForm,
    HandleForm,
    InvestigationForm,
    ListForm,
    MeasureForm,
    PartyForm,
    StartForm,
    StepForm,
    SubmitForm,
    SupplementForm,
    TargetForm,
)
from .models import Attachment, Investigation, Measure, Party
from .selectors import ACCIDENT_FILTERS

AccidentFilterForm = ACCIDENT_FILTERS.form_class("AccidentFilterForm")


@login_required
def accident_list(request):
    require_capability(request.user, "accident.view")
    qs = selectors.accident_list(user=request.user, filters=request.GET)
    return render(request, "accidents/accident_list.html", list_context(request, qs, AccidentFilterForm))


HEADERS = ["事故编号", "发生时间", "事故单位", "发生地", "行业领域", "事故类别", "死亡", "失踪", "重伤", "轻伤"]
HEADERS += ["直接经济损失（元）", "事故等级", "状态", "挂牌督办"]


@login_required
def accident_export(request):
    require_capability(request.user, "accident.view")
    qs = selectors.accident_list(user=request.user, filters=request.GET)
    rows = (
        [
            a.number,
            minute(a.occurred_at),
            a.subject_name,
            a.region.name,
            a.industry.name,
            a.get_type_display(),
            a.deaths,
            a.missing,
            a.serious_injuries,
            a.minor_injuries,
            a.direct_loss,
            a.get_grade_display(),
            a.get_status_display(),
            "是" if a.listed else "",
        ]
        for a in qs.iterator(chunk_size=1000)
    )
    return export_xlsx(
        request,
        action="accident.export",
        object_type="accidents.accident",
        title="生产安全事故",
        headers=HEADERS,
        rows=rows,
    )


def _enterprise_pk(user, text):
    """The named enterprise's id; None when none is named, -1 (refused by the service) when none matches."""
    if not (text or "").strip():
        return None
    match = enterprise_from_text(user, text)
    return match.pk if match else -1


@login_required
@offline_form
def accident_new(request):
    require_capability(request.user, "accident.report")
    user = request.user
    form = AccidentForm(
        request.POST or None,
        request.FILES or None,
        regions=Region.objects.for_user(user).filter(level__gte=4).order_by("code")[:500] if user.region_id else [],
        industries=Industry.objects.order_by("sort", "id"),
        enterprise_user=bool(user.enterprise_id),
        initial={"occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")},
    )
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "files"}
        if "enterprise" in data:
            data["enterprise"] = _enterprise_pk(user, data["enterprise"])
            if data["enterprise"] == -1:
                form.add_error("enterprise", "没有找到该单位（须在您的管辖范围内）；非登记企业请填写场所名称。")
        if not form.errors:
            accident = form_service(
                form, lambda: services.accident_report(actor=user, data=data, files=form.cleaned_data["files"])
            )
            if accident is not None:
                messages.success(request, f"已报告事故：{accident}。")
                return saved(redirect(accident))
    return render(request, "accidents/accident_form.html", {"form": form})


def _forms(accident):
    investigation = Investigation.objects.filter(accident=accident).first()
    return {
        "step_form": StepForm(),
        "supplement_form": SupplementForm(initial={n: getattr(accident, n) for n in services.FIGURES}),
        "start_form": StartForm(initial={"started_on": timezone.localdate()}),
        "investigation_form": InvestigationForm(
            initial={
                n: getattr(investigation, n) for n in ("members", "experts", "causes", "education_on", "education_note")
            }
            if investigation
            else None
        ),
        "extend_form": ExtendForm(),
        "submit_form": SubmitForm(initial={"submitted_on": timezone.localdate()}),
        "approve_form": ApproveForm(initial={"approved_on": timezone.localdate()}),
        "party_form": PartyForm(),
        "handle_form": HandleForm(),
        "measure_form": MeasureForm(),
        "list_form": ListForm(),
    }


@login_required
def accident_detail(request, pk):
    accident = selectors.accident_get(user=request.user, pk=pk)
    investigation = Investigation.objects.filter(accident=accident).first()
    now = timezone.now()
    manage = request.user.can("accident.manage")
    can_supplement = request.user.can("accident.report") and services.supplement_open(accident, now)
    return render(
        request,
        "accidents/accident_detail.html",
        {
            "accident": accident,
            "investigation": investigation,
            "clocks": selectors.clocks(accident, now),
            "window": services.supplement_window(accident),
            "can_supplement": can_supplement,
            "supplements": accident.supplements.all(),
            "parties": accident.parties.all(),
            "measures": accident.measures.select_related("hazard"),
            "checks": services.four_checks(accident),
            "attachments": accident.attachments.all(),
            "events": subject_events(accident),
            "manage": manage and accident.status != Status.CLOSED,
            "can_list": request.user.can("accident.list") and not accident.listed,
            "today": timezone.localdate(),
            **(_forms(accident) if manage else {}),
            # an enterprise or grid user may 补报 without managing the case
            "supplement_form": SupplementForm(initial={n: getattr(accident, n) for n in services.FIGURES}),
        },
    )


@login_required
@require_POST
def accident_do(request, pk, what):
    accident = selectors.accident_get(user=request.user, pk=pk)
    user, data = request.user, request.POST.dict()
    calls = {
        "step": (lambda: services.step_report(actor=user, accident=accident, data=data), "已登记上报。"),
        "supplement": (lambda: services.accident_supplement(actor=user, accident=accident, data=data), "已补报。"),
        "start": (lambda: services.investigation_start(actor=user, accident=accident, data=data), "已成立调查组。"),
        "update": (lambda: services.investigation_update(actor=user, accident=accident, data=data), "已保存调查情况。"),
        "extend": (
            lambda: services.investigation_extend(
                actor=user, accident=accident, days=data.get("days"), reason=data.get("reason")
            ),
            "已延长调查期限。",
        ),
        "submit": (lambda: services.investigation_submit(actor=user, accident=accident, data=data), "已提交调查报告。"),
        "approve": (lambda: services.accident_approve(actor=user, accident=accident, data=data), "已登记批复。"),
        "party": (lambda: services.party_add(actor=user, accident=accident, data=data), "已认定责任者。"),
        "measure": (lambda: services.measure_add(actor=user, accident=accident, data=data), "已添加整改措施。"),
        "close": (lambda: services.accident_close(actor=user, accident=accident), "已结案。"),
        "list": (lambda: services.accident_list(actor=user, accident=accident, note=data.get("note")), "已挂牌督办。"),
    }
    if what not in calls:
        raise Http404
    call, success = calls[what]
    run_service(request, call, success)
    return redirect(accident)


@login_required
@require_POST
def party_handle(request, pk):
    party = get_object_or_404(Party, pk=pk)
    accident = selectors.accident_get(user=request.user, pk=party.accident_id)
    run_service(
        request,
        lambda: services.party_handle(actor=request.user, party=party, data=request.POST.dict()),
        "已登记处理结果。",
    )
    return redirect(accident)


@login_required
@require_POST
def measure_do(request, pk, what):
    measure = get_object_or_404(Measure.objects.select_related("hazard"), pk=pk)
    accident = selectors.accident_get(user=request.user, pk=measure.accident_id)
    calls = {
        "done": (lambda: services.measure_done(actor=request.user, measure=measure), "已登记落实。"),
        "hazard": (
            lambda: services.measure_to_hazard(actor=request.user, measure=measure),
            lambda h: f"已形成隐患 {h.number} 跟踪。",
        ),
    }
    if what not in calls:
        raise Http404
    call, success = calls[what]
    run_service(request, call, success)
    return redirect(accident)


@login_required
def attachment(request, pk):
    item = get_object_or_404(Attachment, pk=pk)
    selectors.accident_get(user=request.user, pk=item.accident_id)
    return evidence_response(item, thumb=request.GET.get("thumb") == "1")


def _year(text, default):
    year = whole_number(text)
    return year if year is not None and 2000 <= year <= 2100 else default


@login_required
def figures(request):
    require_capability(request.user, "accident.view")
    today = timezone.localdate()
    year = _year(request.GET.get("year"), today.year)
    if request.GET.get("year") and str(year) != request.GET["year"].strip():
        messages.warning(
            request, f"年度“{request.GET['year']}”无法识别（应为 2000 至 2100 的年份），已按 {year} 年统计。"
        )
    until = None
    if request.GET.get("until"):
        try:
            until = date.fromisoformat(request.GET["until"])
        except ValueError:
            messages.warning(request, f"截至日期“{request.GET['until']}”无法识别（应如 2026-06-30），已统计至今天。")
    region = request.GET.get("region") or None
    if region and not Region.objects.for_user(request.user).filter(code=region).exists():
        region = None
    data = selectors.figures(user=request.user, region_code=region, year=year, until=until)
    if request.GET.get("export"):
        return _figures_export(request, data, region)
    regions = Region.objects.for_user(request.user).filter(level__lte=4).order_by("code")[:300]
    return render(
        request,
        "accidents/figures.html",
        {"f": data, "regions": regions, "region": region, "export_query": query_without(request, "export")},
    )


COMPARED = ["起数", "上年同期", "死亡（含失踪）", "上年同期"]


def _figures_export(request, f, region):
    """The page as one sheet (core.excel.write_report): the totals against the same period of last year, the
    target and what broke it, and the three tables."""

    def change(key):
        value = f["change"].get(key)
        return "" if value is None else f"{value:+.1f}%"

    now, last = f["current"], f["previous"]
    totals = [
        ["事故起数", now["accidents"], last["accidents"], change("accidents")],
        ["死亡（含失踪）人数", now["deaths"], last["deaths"], change("deaths")],
        ["重伤人数", now["injuries"], last["injuries"], ""],
        ["直接经济损失（元）", now["loss"], last["loss"], ""],
        ["较大及以上事故起数", f["larger"], "", ""],
    ]
    target = f["target"]
    if target is None:
        goals = [["本辖区未设本年度控制目标"]]
    else:
        goals = [
            ["较大及以上事故", f"不超过 {target.max_larger} 起"],
            *([["事故起数", f"不超过 {target.max_accidents} 起"]] if target.max_accidents is not None else []),
            *([["死亡人数", f"不超过 {target.max_deaths} 人"]] if target.max_deaths is not None else []),
            *([["说明", target.note]] if target.note else []),
            *[["已突破", b] for b in f["broken"]],
        ]

    def table(rows):
        return [[r["label"], r["now"][0], r["last"][0], r["now"][1], r["last"][1]] for r in rows] or [["无事故"]]

    place = place_name(region, request.user)
    return export_report(
        request,
        action="accidents.figures_export",
        object_type="accidents.accident",
        title="事故统计",
        sections=[
            ("总体情况（与上年同期比）", ["指标", "本期", "上年同期", "增减"], totals),
            (f"控制目标（{f['year']}年）", ["项目", "内容"], goals),
            ("按等级", ["等级", *COMPARED], table(f["by_grade"])),
            ("按行业", ["行业", *COMPARED], table(f["by_industry"])),
            ("按事故类别", ["类别", *COMPARED], table(f["by_type"])),
        ],
        subtitle=f"{place}，{f['year']}年1月1日至{f['until'].month}月{f['until'].day}日",
        widths=[24, 14, 14, 16, 14],
    )


@login_required
def targets(request):
    require_capability(request.user, "accident.list")
    from .models import Target

    regions = Region.objects.for_user(request.user).filter(level__lte=4).order_by("code")
    form = TargetForm(request.POST or None, regions=regions, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        if form_service(
            form,
            lambda: services.target_save(
                actor=request.user, data={k: "" if v is None else str(v) for k, v in form.cleaned_data.items()}
            ),
        ):
            return redirect("accidents:targets")
    return render(
        request,
        "accidents/targets.html",
        {"form": form, "targets": Target.objects.for_user(request.user).select_related("region")},
    )
