"""Pages: devices (list with filters and export, register, detail with its chart, rules and refusals, edit,
new token), alarms (list, detail with acknowledge / close / to hazard), an enterprise's monitoring page;
and the HTTP ingest endpoint devices post their readings to."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from zhiben.core.forms import form_service, run_service
from zhiben.core.rules import rule
from zhiben.core.timeline import subject_events
from zhiben.core.views import export_xlsx, list_context, require_capability
from zhiben.enterprises.selectors import enterprise_from_text

from . import selectors, services
from .choices import Reason
from .forms import CloseForm, DeviceEditForm, DeviceForm, RuleForm
from .ingest import Item, Refused, count_refusals, decode, ingest
from .models import AlarmRule, Device
from .selectors import ALARM_FILTERS, DEVICE_FILTERS

DeviceFilterForm = DEVICE_FILTERS.form_class("DeviceFilterForm")
AlarmFilterForm = ALARM_FILTERS.form_class("AlarmFilterForm")
HOURS = (6, 24, 72, 168)


def _hours(request):
    try:
        hours = int(request.GET.get("hours", 24))
    except ValueError:
        hours = 24
    return hours if hours in HOURS else 24


# ---------------------------------------------------------------- devices


@login_required
def device_list(request):
    require_capability(request.user, selectors.VIEW)
    qs = selectors.device_list(user=request.user, filters=request.GET)
    return render(request, "monitoring/device_list.html", list_context(request, qs, DeviceFilterForm))


DEVICE_HEADERS = ["设备编码", "设备名称", "所属单位", "所在区划", "监测类型", "计量单位", "安装位置"]
DEVICE_HEADERS += ["正常生产负荷（kW）", "启用", "最新读数", "最新读数时间", "最近接收时间", "未关闭报警"]


def _when(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else ""


@login_required
def device_export(request):
    require_capability(request.user, selectors.VIEW)
    qs = selectors.device_list(user=request.user, filters=request.GET)
    rows = (
        [
            d.code,
            d.name,
            d.enterprise.name,
            d.region.name,
            d.get_kind_display(),
            d.unit,
            d.location,
            d.rated_power,
            "是" if d.active else "否",
            d.last_value,
            _when(d.last_ts),
            _when(d.last_seen),
            d.open_alarms,
        ]
        for d in qs.iterator(chunk_size=1000)
    )
    return export_xlsx(
        request,
        action="monitoring.device_export",
        object_type="monitoring.device",
        title="监测设备",
        headers=DEVICE_HEADERS,
        rows=rows,
    )


def _token_page(request, device, token):
    return render(request, "monitoring/device_token.html", {"device": device, "token": token})


@login_required
def device_new(request):
    require_capability(request.user, selectors.MANAGE)
    form = DeviceForm(request.POST or None, initial={"enterprise": request.GET.get("enterprise", "")})
    if request.user.enterprise_id:
        form.fields["enterprise"].widget = form.fields["enterprise"].hidden_widget()
    if request.method == "POST" and form.is_valid():
        data = {
            **form.cleaned_data,
            "enterprise": getattr(enterprise_from_text(request.user, form.cleaned_data["enterprise"]), "pk", None),
        }
        done = form_service(form, lambda: services.device_create(actor=request.user, data=data))
        if done is not None:
            device, token = done
            return _token_page(request, device, token)
    return render(request, "monitoring/device_form.html", {"form": form, "title": "登记监测设备"})


@login_required
def device_edit(request, pk):
    require_capability(request.user, selectors.MANAGE)
    device = selectors.device_get(user=request.user, pk=pk)
    initial = {f: getattr(device, f) for f in ("name", "kind", "unit", "location", "rated_power")}
    form = DeviceEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = form_service(
            form, lambda: services.device_update(actor=request.user, device=device, data=form.cleaned_data)
        )
        if done is not None:
            messages.success(request, "设备信息已修改。")
            return redirect(done)
    return render(request, "monitoring/device_form.html", {"form": form, "title": f"修改设备 {device.code}"})


@login_required
def device_detail(request, pk):
    device = selectors.device_get(user=request.user, pk=pk)
    rules = selectors.device_rules(device)
    hours = _hours(request)
    alarms = device.alarms.select_related("rule").order_by("-raised_at", "-id")[:20]
    return render(
        request,
        "monitoring/device_detail.html",
        {
            "device": device,
            "rules": [(r, r.describe(device.unit)) for r in rules],
            "chart": selectors.chart(device, hours=hours, rules=rules),
            "hours": hours,
            "hour_choices": HOURS,
            "alarms": alarms,
            "rejections": selectors.device_rejections(device),
            "manage": request.user.can(selectors.MANAGE),
            "rule_form": RuleForm(initial={"minutes": 0}),
            "events": subject_events(device),
        },
    )


@login_required
@require_POST
def device_token(request, pk):
    device = selectors.device_get(user=request.user, pk=pk)
    token = run_service(
        request,
        lambda: services.device_new_token(actor=request.user, device=device),
        "已更换接入令牌，旧令牌立即失效。",
    )
    if token is None:
        return redirect(device)
    return _token_page(request, device, token)


@login_required
@require_POST
def device_active(request, pk):
    device = selectors.device_get(user=request.user, pk=pk)
    active = request.POST.get("active") == "1"
    run_service(
        request,
        lambda: services.device_set_active(actor=request.user, device=device, active=active),
        "设备已启用。" if active else "设备已停用，其读数将被拒收。",
    )
    return redirect(device)


@login_required
@require_POST
def rule_add(request, pk):
    device = selectors.device_get(user=request.user, pk=pk)
    form = RuleForm(request.POST)
    data = form.cleaned_data if form.is_valid() else request.POST.dict()
    run_service(request, lambda: services.rule_add(actor=request.user, device=device, data=data), "报警规则已添加。")
    return redirect(device)


@login_required
@require_POST
def rule_remove(request, pk, rule_pk):
    device = selectors.device_get(user=request.user, pk=pk)
    item = AlarmRule.objects.filter(device=device, pk=rule_pk, active=True).first()
    if item is not None:
        run_service(request, lambda: services.rule_remove(actor=request.user, rule_obj=item), "报警规则已停用。")
    return redirect(device)


@login_required
def enterprise_monitoring(request, pk):
    enterprise, devices = selectors.enterprise_devices(user=request.user, enterprise_pk=pk)
    hours = _hours(request)
    charts = [(d, selectors.chart(d, hours=hours)) for d in devices]
    return render(
        request,
        "monitoring/enterprise.html",
        {"enterprise": enterprise, "charts": charts, "hours": hours, "hour_choices": HOURS},
    )


# ---------------------------------------------------------------- alarms


@login_required
def alarm_list(request):
    require_capability(request.user, selectors.VIEW)
    qs = selectors.alarm_list(user=request.user, filters=request.GET)
    return render(request, "monitoring/alarm_list.html", list_context(request, qs, AlarmFilterForm))


ALARM_HEADERS = ["报警时间", "所属单位", "设备编码", "设备名称", "报警类型", "报警内容", "触发读数", "状态"]
ALARM_HEADERS += ["确认时间", "确认人", "关闭时间", "关闭人", "处置情况", "超时上报时间", "转为隐患"]


@login_required
def alarm_export(request):
    """The alarms the list shows (same filters), every one of them, for the monthly 监测预警 report."""
    require_capability(request.user, selectors.VIEW)
    qs = selectors.alarm_list(user=request.user, filters=request.GET).select_related(
        "acknowledged_by", "closed_by", "hazard"
    )
    rows = (
        [
            _when(a.raised_at),
            a.enterprise.name,
            a.device.code,
            a.device.name,
            a.get_kind_display(),
            a.message,
            a.value,
            a.get_status_display(),
            _when(a.acknowledged_at),
            a.acknowledged_by.display_name if a.acknowledged_by else "",
            _when(a.closed_at),
            a.closed_by.display_name if a.closed_by else "",
            a.close_note,
            _when(a.escalated_at),
            a.hazard.number if a.hazard else "",
        ]
        for a in qs.iterator(chunk_size=1000)
    )
    return export_xlsx(
        request, action="monitoring.alarm_export", object_type="monitoring.alarm", title="监测报警",
        headers=ALARM_HEADERS, rows=rows,
    )  # fmt: skip


@login_required
def alarm_detail(request, pk):
    alarm = selectors.alarm_get(user=request.user, pk=pk)
    return render(
        request,
        "monitoring/alarm_detail.html",
        {
            "alarm": alarm,
            "manage": request.user.can(selectors.MANAGE),
            "to_hazard": request.user.can("hazard.report") and alarm.hazard_id is None,
            "close_form": CloseForm(),
            "events": subject_events(alarm),
        },
    )


@login_required
@require_POST
def alarm_action(request, pk, action):
    alarm = selectors.alarm_get(user=request.user, pk=pk)
    note = request.POST.get("note", "")
    if action == "acknowledge":
        run_service(
            request, lambda: services.alarm_acknowledge(actor=request.user, alarm=alarm, note=note), "报警已确认。"
        )
    elif action == "close":
        run_service(request, lambda: services.alarm_close(actor=request.user, alarm=alarm, note=note), "报警已关闭。")
    elif action == "hazard":
        hazard = run_service(
            request,
            lambda: services.alarm_to_hazard(actor=request.user, alarm=alarm),
            lambda h: f"已转为隐患 {h.number}。",
        )
        if hazard is not None:
            return redirect("hazards:detail", hazard.pk)
    return redirect(alarm)


# ---------------------------------------------------------------- HTTP ingest


def _answer(outcome, status=None):
    body = {
        "accepted": outcome.accepted,
        "rejected": len(outcome.rejected),
        "reasons": outcome.reasons(),
        "errors": [
            {"index": index, "reason": reason, "message": f"{Reason(reason).label}：{detail}"}
            for index, _code, reason, detail in outcome.rejected[:100]
        ],
        "alarms": len(outcome.alarms),
    }
    if status is None:
        status = 400 if outcome.rejected and not outcome.accepted else 200
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def _refuse(status, detail, code):
    return JsonResponse({"detail": detail, "code": code}, status=status, json_dumps_params={"ensure_ascii": False})


@csrf_exempt
@require_POST
def ingest_view(request):
    """POST readings of one device: `Authorization: Bearer <device token>`, body a JSON object
    {"ts", "value"[, "unit"]}, a list of them, or {"device": code, "readings": [...]}. The device may also be
    named in the X-Device-Code header. Replies with the counts accepted and refused, and why."""
    now = timezone.now()
    auth = request.headers.get("Authorization", "")
    token = auth[7:].strip() if auth[:7].lower() == "bearer " else ""
    entries, refused = decode(request.body)
    claimed = request.headers.get("X-Device-Code", "").strip()
    if entries is not None and len(entries) == 1 and isinstance(entries[0], dict) and "readings" in entries[0]:
        wrapper = entries[0]
        claimed = str(wrapper.get("device") or claimed)[:64]
        entries = wrapper["readings"] if isinstance(wrapper["readings"], list) else [wrapper["readings"]]
    device = services.device_for_token(token)
    named = Device.objects.filter(code=claimed).first() if claimed else None
    if device is None:
        if named is not None:
            count_refusals({(named.pk, Reason.BAD_TOKEN): (1, "令牌无效")}, now)
        return _refuse(401, "设备令牌无效。", Reason.BAD_TOKEN)
    if claimed and claimed != device.code:
        if named is not None:
            count_refusals({(named.pk, Reason.BAD_TOKEN): (1, f"使用了设备 {device.code} 的令牌")}, now)
        return _refuse(403, f"该令牌不属于设备 {claimed}。", Reason.BAD_TOKEN)
    if refused is not None:
        return _answer(ingest([Item(device.code, refused, now)], now=now), status=400)
    limit = int(rule("monitoring.max_batch", device.region_id))
    items = [Item(device.code, entry, now) for entry in entries[:limit]]
    extra = len(entries) - limit
    if extra > 0:
        items += [Item(device.code, Refused(Reason.TOO_MANY, f"每次最多 {limit} 条"), now)] * extra
    return _answer(ingest(items, now=now))
