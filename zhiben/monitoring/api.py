"""Monitoring endpoints (监测预警), for the provincial 监测预警 systems and an enterprise's own control room: the
devices and the alarms in the caller's view with the filters and sorts of their pages, one device with its alarm
rules, a device's readings over a period, one alarm with its timeline, and the alarm's three steps (确认, 关闭 with
what was done, 转为隐患) through the same services as the alarm page. Readings come in at /monitoring/ingest/ or
over MQTT with the device's own token, not here. Scoped like the pages: out of view is a 404, without
`monitoring.view` a 403; a step the caller's role may not take is a 403, one the alarm's state refuses a 400."""

from datetime import UTC, date, datetime, timedelta

from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from zhiben.core.api import Pages, refusals
from zhiben.core.filters import InvalidFilter
from zhiben.core.timeline import subject_events
from zhiben.core.views import require_capability

from . import selectors, services

router = Router(tags=["监测预警"])

READINGS_SPAN = timedelta(days=31)  # the longest period one readings request may ask for


class DeviceOut(Schema):
    """A monitoring device. `last_value` at `last_ts` is its latest reading, `last_seen` when anything last came
    in from it; `open_alarms` how many of its alarms are not closed; `active` false: taken out of use."""

    id: int
    code: str
    name: str
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    unit: str
    enterprise_id: int
    enterprise_name: str = Field(alias="enterprise.name")
    region_code: str = Field(alias="region_id")
    industry: str = Field("", alias="industry.code")
    location: str
    rated_power: float | None = Field(None, description="正常生产负荷（kW），用电功率设备的停产整顿规则据此判断")
    active: bool
    last_value: float | None
    last_ts: datetime | None
    last_seen: datetime | None
    open_alarms: int = 0


class RuleOut(Schema):
    """An alarm rule in force (`kind` above/below: a threshold held `minutes`, rate: change per minute, silent:
    no reading for `minutes`, power: power over `threshold` × the rated power while the enterprise is told to stop)."""

    id: int
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    threshold: float | None
    minutes: int
    text: str = Field(alias="describe")


class DeviceDetailOut(DeviceOut):
    rules: list[RuleOut]

    @staticmethod
    def resolve_rules(obj):
        return selectors.device_rules(obj)


class ReadingOut(Schema):
    ts: datetime = Field(description="采集时间")
    value: float
    received_at: datetime = Field(description="平台接收时间")


class ReadingFilters(Schema):
    since: datetime | None = Field(None, description="起（含），默认截止时间前 24 小时；无时区的按本地时间")
    until: datetime | None = Field(None, description="止（不含），默认现在；与起点相隔不超过 31 天")


class AlarmOut(Schema):
    """An alarm (`status` raised: 待确认, acknowledged: 已确认, closed: 已关闭). `value` is the reading that raised it,
    taken at `reading_ts`; for a rule held for minutes, `started_at` is when the breach began. `hazard_id` is the
    hazard it was reported as, if it was."""

    id: int
    device_id: int
    device_code: str = Field(alias="device.code")
    device_name: str = Field(alias="device.name")
    enterprise_id: int
    enterprise_name: str = Field(alias="enterprise.name")
    region_code: str = Field(alias="region_id")
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    status: str
    status_label: str = Field(alias="get_status_display")
    message: str
    value: float | None
    started_at: datetime | None
    reading_ts: datetime | None
    raised_at: datetime
    acknowledged_at: datetime | None
    closed_at: datetime | None
    close_note: str
    escalated_at: datetime | None = Field(None, description="超时未确认而上报上级的时间")
    hazard_id: int | None


class AlarmEventOut(Schema):
    at: datetime
    actor_name: str
    action: str
    note: str


class AlarmDetailOut(AlarmOut):
    acknowledged_by_name: str = Field("", alias="acknowledged_by.name")
    closed_by_name: str = Field("", alias="closed_by.name")
    hazard_number: str = Field("", alias="hazard.number")
    events: list[AlarmEventOut]

    @staticmethod
    def resolve_events(obj):
        return subject_events(obj)


class AlarmStepIn(Schema):
    note: str = Field("", description="说明；关闭报警时须写明处置情况（至少 2 个字）")


class AlarmHazardIn(Schema):
    description: str = Field("", description="隐患描述，默认“监测报警：<报警内容>”")
    level: str = Field("general", description="general（一般）或 major（重大）")
    deadline: date | None = Field(None, description="整改期限")


DeviceFilters = selectors.DEVICE_FILTERS.schema("DeviceFilters")
AlarmFilters = selectors.ALARM_FILTERS.schema("AlarmFilters")


@router.get("/devices", response={200: list[DeviceOut], **refusals(403)})
@paginate(Pages, page_size=50)
def list_devices(request, filters: Query[DeviceFilters]):
    """Devices in the caller's view with the filters and sorts of the 监测设备 page (by enterprise, then code)."""
    require_capability(request.user, selectors.VIEW)
    return selectors.device_list(user=request.user, filters=filters.dict())


@router.get("/devices/{pk}", response={200: DeviceDetailOut, **refusals(403, 404)})
def get_device(request, pk: int):
    """One device with its alarm rules in force; 404 when it does not exist or is out of the caller's view."""
    require_capability(request.user, selectors.VIEW)
    return selectors.device_get(user=request.user, pk=pk)


@router.get("/devices/{pk}/readings", response={200: list[ReadingOut], **refusals(403, 404)})
@paginate(Pages, page_size=1000)
def list_readings(request, pk: int, period: Query[ReadingFilters]):
    """The device's readings in [since, until), oldest first (at most 31 days a request; a page of 1,000 by
    default)."""
    require_capability(request.user, selectors.VIEW)
    device = selectors.device_get(user=request.user, pk=pk)
    try:
        until = _aware(period.until) or timezone.now()
        since = _aware(period.since) or until - timedelta(hours=24)
    except OverflowError:  # a moment at the calendar's edge (year 1, 9999) moved by a zone or a day
        raise InvalidFilter("until" if period.until else "since", "超出可用的时间范围。") from None
    if since >= until:
        raise InvalidFilter("since", "须早于截止时间。")
    if until - since > READINGS_SPAN:
        raise InvalidFilter("since", "与截止时间相隔不能超过 31 天。")
    return selectors.device_readings(device, since=since, until=until)


@router.get("/alarms", response={200: list[AlarmOut], **refusals(403)})
@paginate(Pages, page_size=50)
def list_alarms(request, filters: Query[AlarmFilters]):
    """Alarms in the caller's view, the latest first, with the filters and sorts of the 监测报警 page
    (`status=open`: not closed; `unack=1`: not yet acknowledged)."""
    require_capability(request.user, selectors.VIEW)
    return selectors.alarm_list(user=request.user, filters=filters.dict())


@router.get("/alarms/{pk}", response={200: AlarmDetailOut, **refusals(403, 404)})
def get_alarm(request, pk: int):
    """One alarm with who acknowledged and closed it and its timeline; 404 when it does not exist or is out of the
    caller's view."""
    require_capability(request.user, selectors.VIEW)
    return selectors.alarm_get(user=request.user, pk=pk)


@router.post("/alarms/{pk}/acknowledge", response={200: AlarmDetailOut, **refusals(400, 403, 404)})
def acknowledge_alarm(request, pk: int, payload: AlarmStepIn):
    """确认: the alarm is seen and being dealt with (only a raised alarm; 400 otherwise)."""
    return _alarm_step(
        request, pk, lambda alarm: services.alarm_acknowledge(actor=request.user, alarm=alarm, note=payload.note)
    )


@router.post("/alarms/{pk}/close", response={200: AlarmDetailOut, **refusals(400, 403, 404)})
def close_alarm(request, pk: int, payload: AlarmStepIn):
    """关闭 with what was done (`note`, at least 2 characters); closing a raised alarm acknowledges it too."""
    return _alarm_step(
        request, pk, lambda alarm: services.alarm_close(actor=request.user, alarm=alarm, note=payload.note)
    )


@router.post("/alarms/{pk}/hazard", response={201: AlarmDetailOut, **refusals(400, 403, 404)})
def alarm_to_hazard(request, pk: int, payload: AlarmHazardIn):
    """转为隐患: report the alarm as a hazard of its enterprise (channel 监测预警; an enterprise's own user reports
    it as 自查上报); `hazard_id` and `hazard_number` of the answer name it. Once per alarm (400 the second time)."""
    data = payload.dict()
    return Status(
        201,
        _alarm_step(request, pk, lambda alarm: services.alarm_to_hazard(actor=request.user, alarm=alarm, data=data)),
    )


def _alarm_step(request, pk, step):
    """`step(alarm)` (the alarm page's service behind a button) on the alarm in the caller's view; the alarm as it
    is afterwards."""
    require_capability(request.user, selectors.VIEW)
    step(selectors.alarm_get(user=request.user, pk=pk))
    return selectors.alarm_get(user=request.user, pk=pk)


def _aware(moment):
    """A moment given without a zone read as local time (what a person in the county means), in UTC as the
    database stores it."""
    if moment is None:
        return None
    return (moment if timezone.is_aware(moment) else timezone.make_aware(moment)).astimezone(UTC)
