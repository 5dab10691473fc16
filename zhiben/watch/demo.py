"""Demo: the rosters of 沙坪坝区安委办 and 凤凰镇安委办 for last week, this week and next (one gap left in the town's), a
few duty-log entries and a handover at the town, and two information reports from the town — one passed up
on time with its 续报 and 终报, one passed up late and still waiting at the county — through the services."""

from datetime import timedelta

from django.utils import timezone

from zhiben.accounts.models import User

from . import selectors, services
from .models import DutySlot, EventReport

PEOPLE = {
    "沙坪坝区安委办": (["李安 13800000001", "杨卫 13800000002", "何明 13800000003"], ["罗静", "唐力", "宋雨", "郭晨"]),
    "凤凰镇安委办": (["周凤 13900000001", "林峰 13900000002"], ["陈值", "刘守", "张勤", "黄岗"]),
}


def _roster(actor, unit, monday, gap_day=None):
    """Three weeks from `monday`: the shift now always has one before it, whose staff hand it over (with this week's
    Monday as the first, the demo could not load on a Monday: nobody to hand over the first shift)."""
    leaders, staff = PEOPLE[unit.name]
    rows = []
    for offset in range(21):
        day = monday + timedelta(days=offset)
        rows.append(
            {
                "label": str(day),
                "day": day,
                "shift": "",
                "leaders": "" if day == gap_day else leaders[offset % len(leaders)],
                "staff": "、".join([staff[offset % len(staff)], staff[(offset + 1) % len(staff)]]) + " 023-65000000",
            }
        )
    services.roster_save(actor=actor, unit=unit, rows=rows, today=monday)


def _moment(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def load(stdout=None):
    if DutySlot.objects.exists() or EventReport.objects.exists():
        return
    county = User.objects.filter(username="anweiban").select_related("unit").first()
    town = User.objects.filter(username="fhanweiban").select_related("unit").first()
    if county is None or town is None or not county.unit_id or not town.unit_id:
        return
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday(), weeks=1)  # last week's
    _roster(county, county.unit, monday)
    _roster(town, town.unit, monday, gap_day=monday + timedelta(days=17))  # next week's Thursday: no leader
    now = timezone.now()
    _log(town, town.unit, now)
    _reports(county, town, now)


def _log(actor, unit, now):
    current = selectors.current_slot(unit, now)
    if current is not None:
        services.handover_create(
            actor=actor,
            unit=unit,
            data={"open_items": "跟踪凤凰村山坪塘水位变化\n督促凤凰化工报送危化品储存情况", "note": "设备运行正常。"},
            now=current.starts_at - timedelta(minutes=5),
        )
    start = current.starts_at if current is not None else now - timedelta(hours=3)
    entries = [
        ("call", "凤凰村网格员来电：村道旁边坡有落石，已通知村委会设置警示并安排巡查。"),
        ("document", "收到区安委办《关于做好近期强降雨防范工作的通知》，已呈带班领导阅示并转各村。"),
        ("incident", "接报凤凰村工业园厂房起火，已按程序上报区安委办（见信息报送）。"),
    ]
    span = max((now - start) / (len(entries) + 1), timedelta(minutes=1))
    for index, (kind, content) in enumerate(entries, start=1):
        services.log_add(
            actor=actor, unit=unit, data={"kind": kind, "content": content, "at": start + span * index}, now=now
        )


def _reports(county, town, now):
    fire = services.report_create(
        actor=town,
        data={
            "kind": "accident",
            "title": "凤凰村工业园厂房火灾",
            "region": "500106105002",
            "place": "凤凰村工业园3号厂房二楼",
            "occurred_at": _moment(now - timedelta(hours=5)),
            "received_at": _moment(now - timedelta(hours=4, minutes=50)),
            "description": "厂房二楼仓储区起火，过火面积约60平方米，员工已全部疏散。",
            "injured": "1",
            "measures": "消防救援站到场扑救，镇应急办、派出所赶赴现场，伤员送区人民医院。",
        },
        now=now,
    )
    services.report_pass_on(
        actor=town, report=fire, data={"passed_at": _moment(now - timedelta(hours=4, minutes=25))}, now=now
    )
    services.report_written(actor=town, report=fire, now=now - timedelta(hours=3, minutes=30))
    services.report_pass_on(actor=county, report=fire, data={"passed_at": _moment(now - timedelta(hours=4))}, now=now)
    services.report_update(
        actor=town,
        report=fire,
        kind="followup",
        data={
            "text": "明火已扑灭，1名员工轻度烧伤，无生命危险；起火原因正在调查。",
            "at": _moment(now - timedelta(hours=3)),
        },
        now=now,
    )
    services.report_update(
        actor=county,
        report=fire,
        kind="final",
        data={
            "text": "现场清理完毕，伤员已出院；初步查明为电气线路故障引发，已责令企业全面排查。",
            "at": _moment(now - timedelta(hours=1)),
        },
        now=now,
    )
    slide = services.report_create(
        actor=town,
        data={
            "kind": "emergency",
            "title": "凤凰村村道边坡垮塌",
            "region": "500106105002",
            "place": "凤凰村二组村道",
            "occurred_at": _moment(now - timedelta(hours=3, minutes=20)),
            "received_at": _moment(now - timedelta(hours=3)),
            "description": "连续降雨致村道边坡垮塌约30立方米，道路中断，无人员伤亡。",
            "measures": "已设置警示标志，组织村民绕行，联系施工队清理。",
        },
        now=now,
    )
    # passed up 90 minutes after receipt (late), and not yet passed on by the county
    services.report_pass_on(
        actor=town, report=slide, data={"passed_at": _moment(now - timedelta(hours=1, minutes=30))}, now=now
    )


def summary():
    return f"{DutySlot.objects.count()} 个值班班次，{EventReport.objects.count()} 条信息报送"
