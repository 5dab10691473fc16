"""The watch module's document (registered in hooks.py): 值班日报, a unit's duty day summarised — who was on
duty, the log, the information reports its level received and passed on, the handovers. The 主送 line is
printed by the renderer from `addressee`, so the body does not repeat it. Key strings are stored: never
rename them."""

from django.utils import timezone

from zhiben.core.registry import DocumentKind
from zhiben.documents.builders import cn_date

from .models import DutyDay


def _get(pk, user):
    qs = DutyDay.objects.all() if user is None else DutyDay.objects.for_user(user)
    return qs.select_related("unit", "region").filter(pk=pk).first()


def _hm(value):
    return f"{timezone.localtime(value):%H:%M}"


def _when(value, day):
    local = timezone.localtime(value)
    return f"{local:%H:%M}" if local.date() == day else f"{local.month}月{local.day}日{local:%H:%M}"


def daily_fields(duty_day, unit):
    from .selectors import day_summary, elapsed_text

    summary = day_summary(duty_day)
    day = duty_day.day
    shifts = []
    for slot in summary["slots"]:
        leaders = "、".join(p.name for p in slot.leaders) or "（未排）"
        staff = "、".join(p.name for p in slot.staff) or "（未排）"
        span = f"{_when(slot.starts_at, day)}至{_when(slot.ends_at, day)}"
        shifts.append(f"{slot.shift}（{span}）：带班领导{leaders}，值班人员{staff}。")
    entries = [
        f"{n}. {_when(e.at, day)}［{e.get_kind_display()}］{e.content}" for n, e in enumerate(summary["entries"], 1)
    ]
    reports = []
    for lv in summary["received"]:
        r = lv.report
        line = f"{_when(lv.received_at, day)}接报“{r.title}”（{r.number}，{r.region.name}，{r.casualties}）"
        if lv.passed_at:
            line += f"，{_when(lv.passed_at, day)}上报，用时{elapsed_text(lv.elapsed_minutes())}"
            line += "（迟报）" if lv.deadline_at and lv.passed_at > lv.deadline_at else ""
        elif lv.deadline_at:
            line += "，尚未上报"
        reports.append(line + "。")
    for lv in summary["passed"]:
        if lv not in summary["received"]:
            r = lv.report
            reports.append(f"{_when(lv.passed_at, day)}上报“{r.title}”（{r.number}）。")
    handovers = []
    for h in summary["handovers"]:
        line = f"{_when(h.at, day)}由{h.handed_by}交{h.taken_by}"
        items = h.open_item_lines
        line += f"，未办结事项：{'；'.join(items)}。" if items else "，无未办结事项。"
        handovers.append(line)
    return {
        "值班单位": unit_name(duty_day),
        "值班日期": cn_date(day),
        "值班人员": "\n".join(shifts) or "当日未排班。",
        "值班日志": "\n".join(entries) or "无。",
        "信息报送": "\n".join(reports) or "无。",
        "交接班": "\n".join(handovers) or "无。",
        "日志条数": str(len(entries)),
        "信息条数": str(len(summary["received"])),
    }


def unit_name(duty_day):
    return duty_day.unit.name


def _addressee(duty_day):
    """主送: the 安委办 of the level above the unit's (a town's goes to the county's), else the unit's leaders."""
    from zhiben.core.scoping import region_chain

    from .selectors import committee_of

    above = region_chain(duty_day.region_id)[1:]
    committee = committee_of(above[0]) if above else None
    return committee.name if committee is not None and committee.pk != duty_day.unit_id else "本单位领导"


def _available(duty_day):
    return None if duty_day.day <= timezone.localdate() else "值班日尚未开始，不能出具值班日报。"


PLACEHOLDERS = ("值班单位", "值班日期", "值班人员", "值班日志", "信息报送", "交接班", "日志条数", "信息条数")

DOCUMENT_KINDS = [
    DocumentKind(
        key="watch_daily",
        label="值班日报",
        subject_model="watch.dutyday",
        get_subject=_get,
        build=daily_fields,
        available=_available,
        placeholders=PLACEHOLDERS,
        template={
            "title": "{{值班单位}}值班日报（{{值班日期}}）",
            "body": "现将{{值班日期}}值班情况报告如下。\n一、值班人员\n{{值班人员}}\n"
            "二、值班日志（共{{日志条数}}条）\n{{值班日志}}\n三、信息报送（接报{{信息条数}}起）\n{{信息报送}}\n"
            "四、交接班\n{{交接班}}",
            "table": "",
        },
        sample={
            "值班单位": "示例镇安委办",
            "值班日期": "2026年5月6日",
            "值班人员": "全天（08:30至5月7日08:30）：带班领导张三，值班人员李四、王五。",
            "值班日志": "1. 09:10［来电］示例村反映山坪塘水位上涨，已通知村委会巡查。",
            "信息报送": "14:20接报“示例厂房火灾”（XB500106105-2026-0001，示例村，死亡 0 人，失踪 0 人，受伤 1 人），"
            "14:45上报，用时25分钟。",
            "交接班": "08:30由李四、王五交赵六，未办结事项：跟踪示例村山坪塘水位。",
            "日志条数": "1",
            "信息条数": "1",
        },
        addressee=_addressee,
        region_code=lambda duty_day: duty_day.region_id,
        order=160,
    )
]
