"""Pages: the duty desk (who is on duty, the handover received, the log, handing over), the roster (a week,
filled on one page or imported), a duty day (with its 值班日报), and information reports (list with filters
and export, new, detail with the chain's clocks, pass on, 书面报告, 续报, 终报)."""

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhiben.core.excel import write_xlsx
from zhiben.core.exceptions import ApplicationError
from zhiben.core.forms import form_service, raise_for_refusal, run_service
from zhiben.core.tables import minute
from zhiben.core.timeline import subject_events
from zhiben.core.views import audit_export, download, export_xlsx, list_context, require_capability, tell_sheets
from zhiben.regions.models import Region

from . import selectors, services
from .forms import HandoverForm, LogForm, PassOnForm, ReportForm, UpdateForm, UploadForm
from .selectors import REPORT_FILTERS
from .workflow import allowed_actions

ReportFilterForm = REPORT_FILTERS.form_class("ReportFilterForm")


def _unit(request, *, default_may_be_none=False):
    """The unit asked for (404 when it is not in the user's view) or the user's default one; with
    `default_may_be_none` a user whose jurisdiction keeps no roster (a village grid worker) gets None."""
    require_capability(request.user, "watch.view")
    pk = request.GET.get("unit") or request.POST.get("unit")
    unit = selectors.unit_get(request.user, pk) if pk else selectors.default_unit(request.user)
    if unit is None and (pk or not default_may_be_none):
        raise Http404
    return unit


def _no_unit(request, title):
    """The desk or roster of a user whose jurisdiction has no unit keeping a roster: say so, and point to
    the information reports they can still file."""
    return render(request, "watch/no_unit.html", {"title": title})


def _day(text, default):
    try:
        return date.fromisoformat(text or "")
    except ValueError:
        return default


# ---------------------------------------------------------------- the duty desk


@login_required
def desk(request):
    unit = _unit(request, default_may_be_none=True)
    if unit is None:
        return _no_unit(request, "值班")
    now = timezone.now()
    manage = selectors.can_manage_unit(request.user, unit)
    rows = selectors.on_duty(unit=unit, at=now)
    committee = selectors.committee_of(unit.region_id)
    if committee is not None and committee.pk != unit.pk:
        rows += selectors.on_duty(unit=committee, at=now)
    data = selectors.desk(unit, now)
    received = data["received"]
    return render(
        request,
        "watch/desk.html",
        {
            "unit": unit,
            "rows": rows,
            "desk": data,
            "manage": manage,
            "show_phones": manage,
            "log_form": LogForm(),
            "handover_form": HandoverForm(initial={"open_items": received.open_items if received else ""}),
            "units": selectors.roster_units(request.user),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def log_add(request, unit_pk):
    unit = selectors.unit_get(request.user, unit_pk)
    form = LogForm(request.POST)
    if form.is_valid():
        run_service(
            request,
            lambda: services.log_add(actor=request.user, unit=unit, data=form.cleaned_data),
            "已记录值班日志。",
        )
    else:
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
    return redirect(reverse("watch:desk") + f"?unit={unit.pk}")


@login_required
@require_POST
def handover(request, unit_pk):
    unit = selectors.unit_get(request.user, unit_pk)
    form = HandoverForm(request.POST)
    if form.is_valid():
        run_service(
            request,
            lambda: services.handover_create(actor=request.user, unit=unit, data=form.cleaned_data),
            "已完成交接班。",
        )
    return redirect(reverse("watch:desk") + f"?unit={unit.pk}")


# ---------------------------------------------------------------- the roster


def _week(request):
    today = timezone.localdate()
    day = _day(request.GET.get("week"), today)
    return day - timedelta(days=day.weekday())


@login_required
def roster(request):
    unit = _unit(request, default_may_be_none=True)
    if unit is None:
        return _no_unit(request, "值班表")
    monday = _week(request)
    today = timezone.localdate()
    manage = selectors.can_manage_unit(request.user, unit)
    return render(
        request,
        "watch/roster.html",
        {
            "unit": unit,
            "grid": selectors.roster_week(unit, monday),
            "monday": monday,
            "previous": monday - timedelta(days=7),
            "next": monday + timedelta(days=7),
            "sunday": monday + timedelta(days=6),
            "export_days": selectors.ROSTER_EXPORT_DAYS,
            "gaps": selectors.gaps(unit, today),
            "manage": manage,
            "show_phones": manage,
            "units": selectors.roster_units(request.user),
            "today": today,
        },
    )


@login_required
def roster_export(request):
    """The roster of a period (起止日期, at most ROSTER_EXPORT_DAYS days) as Excel, in the columns the roster import
    reads: the unit shown, or with scope=all every unit keeping a roster in the user's view, each row naming its
    unit (the 汇总 a 安委办 sends up before a holiday). Phones as the pages show them: in full to whoever keeps
    the unit's roster, masked to the others."""
    unit = _unit(request, default_may_be_none=True)
    everyone = request.GET.get("scope") == "all"
    first, last = _day(request.GET.get("start"), None), _day(request.GET.get("end"), None)
    units = list(selectors.roster_units(request.user)) if everyone else [unit] if unit else []
    problem = selectors.roster_period_problem(first, last)
    if problem is None and not units:
        problem = "您的辖区内没有编排值班表的单位。"
    if problem:
        messages.error(request, problem)
        week = f"&week={first.isoformat()}" if first else ""
        return redirect(reverse("watch:roster") + (f"?unit={unit.pk}{week}" if unit else ""))
    rows = selectors.roster_export_rows(
        units, first, last, full_phones=lambda u: selectors.can_manage_unit(request.user, u), with_unit=everyone
    )
    headers = (["单位"] if everyone else []) + selectors.ROSTER_HEADERS
    data = write_xlsx(
        headers, rows, sheet_title="值班表", widths=([20] if everyone else []) + [12, 8, 10, 13, 16, 16, 24, 24]
    )
    title = "值班表汇总" if everyone else f"值班表_{unit.name}"
    audit_export(request, action="watch.roster_export", object_type="watch.dutyslot", label=f"{title}导出")
    return download(data, f"{title}_{first:%Y%m%d}-{last:%Y%m%d}.xlsx")


def _cell_name(day, index, role):
    return f"d{day:%Y%m%d}_{index}_{role}"


@login_required
def roster_edit(request):
    """A week on one page: for each day and shift, the 带班领导 and the 值班人员 ("姓名 电话", several separated
    by 、). Days gone by are shown, not edited."""
    unit = _unit(request)
    if not selectors.can_manage_unit(request.user, unit):
        raise PermissionDenied("只能编排本单位的值班表。")
    monday = _week(request)
    today = timezone.localdate()
    grid = selectors.roster_week(unit, monday)
    errors = []
    for row in grid:
        row["editable"] = row["day"] >= today
        for cell in row["cells"]:
            slot = cell["slot"]
            for role in ("leaders", "staff"):
                name = _cell_name(row["day"], cell["index"], role)
                if request.method == "POST":
                    value = request.POST.get(name, "")
                else:
                    value = services.people_text(getattr(slot, role)) if slot else ""
                cell[role] = {"name": name, "value": value}
    if request.method == "POST":
        rows = [
            {
                "label": f"{row['day']:%m月%d日}{cell['shift'] if len(row['cells']) > 1 else ''}",
                "day": row["day"],
                "shift": cell["shift"],
                "leaders": cell["leaders"]["value"],
                "staff": cell["staff"]["value"],
            }
            for row in grid
            if row["editable"]
            for cell in row["cells"]
        ]
        try:
            services.roster_save(actor=request.user, unit=unit, rows=rows, today=today)
        except ApplicationError as exc:
            raise_for_refusal(exc)
            errors = [e["message"] for e in exc.errors] or [exc.message]
            messages.error(request, exc.message)
        else:
            messages.success(request, "值班表已保存。")
            return redirect(reverse("watch:roster") + f"?unit={unit.pk}&week={monday.isoformat()}")
    return render(
        request,
        "watch/roster_edit.html",
        {"unit": unit, "grid": grid, "monday": monday, "errors": errors, "today": today},
    )


@login_required
def roster_import(request):
    unit = _unit(request)
    if not selectors.can_manage_unit(request.user, unit):
        raise PermissionDenied("只能编排本单位的值班表。")
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload, sheets = form.cleaned_data["file"], []
        try:
            rows = services.roster_import(
                actor=request.user, unit=unit, upload=upload, filename=upload.name, sheets=sheets
            )
        except ApplicationError as exc:
            raise_for_refusal(exc)
            form.add_error(None, exc.message)
            for error in exc.errors:
                form.add_error(None, error["message"])
            tell_sheets(request, sheets)
        else:
            messages.success(request, f"已导入 {len(rows)} 个班次的值班安排。")
            tell_sheets(request, sheets)
            first = min(r["day"] for r in rows)
            return redirect(reverse("watch:roster") + f"?unit={unit.pk}&week={first.isoformat()}")
    return render(
        request,
        "watch/roster_import.html",
        {"form": form, "unit": unit, "shifts": selectors.shifts_for(unit.region_id)},
    )


@login_required
def roster_template(request):
    require_capability(request.user, "watch.view")
    today = timezone.localdate()
    rows = [[today + timedelta(days=1), "", "张三", "13800000000", "李四、王五", "023-65000000"]]
    data = write_xlsx(["日期", "班次", "带班领导", "带班领导电话", "值班人员", "联系电话"], rows, sheet_title="值班表")
    return download(data, "值班表导入模板.xlsx")


# ---------------------------------------------------------------- a duty day


@login_required
def day(request, unit_pk, day):
    unit = selectors.unit_get(request.user, unit_pk)
    when = _day(day, None)
    if when is None:
        raise Http404
    duty_day = selectors.duty_day_for(request.user, unit, when)
    summary = selectors.day_summary(duty_day, user=request.user) if duty_day else None
    manage = selectors.can_manage_unit(request.user, unit)
    return render(
        request,
        "watch/day.html",
        {
            "unit": unit,
            "day": when,
            "duty_day": duty_day,
            "summary": summary,
            "show_phones": manage,
            "previous": when - timedelta(days=1),
            "next": when + timedelta(days=1),
            "events": subject_events(duty_day) if duty_day else [],
        },
    )


# ---------------------------------------------------------------- the duty log across days

LogFilterForm = selectors.LOG_FILTERS.form_class("LogFilterForm")
LOG_HEADERS = ["时间", "值班单位", "类型", "内容", "记录人"]


@login_required
def log_list(request):
    """值班日志查询: the log entries of every unit in view, across days, by unit, kind, dates and words."""
    require_capability(request.user, "watch.view")
    qs = selectors.log_list(user=request.user, filters=request.GET)
    return render(request, "watch/log_list.html", list_context(request, qs, LogFilterForm))


@login_required
def log_export(request):
    require_capability(request.user, "watch.view")
    qs = selectors.log_list(user=request.user, filters=request.GET)
    rows = (
        [minute(e.at), e.unit.name, e.get_kind_display(), e.content, e.recorded_by_name]
        for e in qs.iterator(chunk_size=1000)
    )
    return export_xlsx(
        request,
        action="watch.log_export",
        object_type="watch.dutylogentry",
        title="值班日志",
        headers=LOG_HEADERS,
        rows=rows,
        widths=[17, 18, 10, 60, 10],
    )


# ---------------------------------------------------------------- information reports


@login_required
def report_list(request):
    require_capability(request.user, "watch.view")
    qs = selectors.report_list(user=request.user, filters=request.GET)
    return render(
        request,
        "watch/report_list.html",
        list_context(
            request,
            qs,
            ReportFilterForm,
            can_create=request.user.can("watch.manage") and selectors.user_level(request.user) in (3, 4),
        ),
    )


REPORT_HEADERS = ["编号", "类别", "事件名称", "事发地", "具体地点", "发生时间", "死亡", "失踪", "受伤"]
REPORT_HEADERS += ["报告单位", "已报至", "状态", "迟报", "终报时间"]


@login_required
def report_export(request):
    require_capability(request.user, "watch.view")
    qs = selectors.report_list(user=request.user, filters=request.GET)
    levels = dict(Region._meta.get_field("level").choices)
    rows = (
        [
            r.number,
            r.get_kind_display(),
            r.title,
            r.region.name,
            r.place,
            minute(r.occurred_at),
            r.deaths,
            r.missing,
            r.injured,
            r.reporter_unit.name if r.reporter_unit_id else "",
            levels.get(r.reached_level, ""),
            r.get_status_display(),
            "是" if r.is_late else "",
            minute(r.closed_at),
        ]
        for r in qs.iterator(chunk_size=1000)
    )
    return export_xlsx(
        request,
        action="watch.report_export",
        object_type="watch.eventreport",
        title="信息报送",
        headers=REPORT_HEADERS,
        rows=rows,
    )


def _region_choices(user):
    level = selectors.user_level(user)
    regions = Region.objects.for_user(user).filter(level__in=(level, level + 1, level + 2)).order_by("code")
    return [(r.code, ("　" * (r.level - level)) + r.name) for r in regions]


@login_required
def report_new(request):
    require_capability(request.user, "watch.manage")
    if selectors.user_level(request.user) not in (3, 4):
        raise PermissionDenied("信息首报由镇街或区县值班部门录入。")
    form = ReportForm(
        request.POST or None, regions=_region_choices(request.user), initial={"region": request.user.region_id}
    )
    if request.method == "POST" and form.is_valid():
        report = form_service(form, lambda: services.report_create(actor=request.user, data=form.cleaned_data))
        if report is not None:
            messages.success(request, f"已录入信息 {report.number}，请在时限内上报上一级。")
            return redirect(report)
    return render(request, "watch/report_form.html", {"form": form, "title": "信息首报"})


@login_required
def report_detail(request, pk):
    report = selectors.report_get(user=request.user, pk=pk)
    now = timezone.now()
    chain = selectors.chain_view(report, now)
    own = next((row["level"] for row in chain if row["level"].region_id == request.user.region_id), None)
    actions = allowed_actions(report, request.user) if own is not None else []
    return render(
        request,
        "watch/report_detail.html",
        {
            "report": report,
            "chain": chain,
            "own": own,
            "can_pass": "pass_on" in actions and own.passed_at is None and not own.is_top,
            "can_write": own is not None
            and own.written_at is None
            and own.written_deadline_at is not None
            and request.user.can("watch.manage"),
            "actions": actions,
            "pass_form": PassOnForm(),
            "update_form": UpdateForm(),
            "events": subject_events(report),
            "now": now,
        },
    )


@login_required
@require_POST
def report_pass_on(request, pk):
    report = selectors.report_get(user=request.user, pk=pk)
    form = PassOnForm(request.POST)
    data = form.cleaned_data if form.is_valid() else {"passed_at": request.POST.get("passed_at")}
    run_service(
        request,
        lambda: services.report_pass_on(actor=request.user, report=report, data=data),
        lambda own: "已上报上一级" + ("（已超过时限，记为迟报）。" if own.late() else "。"),
    )
    return redirect(report)


@login_required
@require_POST
def report_written(request, pk):
    report = selectors.report_get(user=request.user, pk=pk)
    run_service(request, lambda: services.report_written(actor=request.user, report=report), "已记录书面报告。")
    return redirect(report)


@login_required
@require_POST
def report_update(request, pk, kind):
    report = selectors.report_get(user=request.user, pk=pk)
    if kind not in ("followup", "final"):
        raise Http404
    form = UpdateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect(report)
    run_service(
        request,
        lambda: services.report_update(actor=request.user, report=report, kind=kind, data=form.cleaned_data),
        "已终报，该信息已办结。" if kind == "final" else "已续报。",
    )
    return redirect(report)
