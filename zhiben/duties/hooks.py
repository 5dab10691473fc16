"""What the statutory-reporting module offers the platform: registered from `DutiesConfig.ready()`."""

from zhiben.core.registry import DemoLoader, Job, MenuEntry, RuleDef, Timeline, register

from . import demo
from .selectors import MONITOR, SUBMIT
from .services import duties_tick, duty_event

GROUP = "统计分析表报送（16号令）"

register(
    RuleDef(
        "duty.quarterly.deadline",
        {"month": 1, "day": 15},
        "季度隐患排查治理统计分析表报送期限（16号令：下一季度15日前）",
        "monthday",
        GROUP,
        order=30,
    ),
    RuleDef(
        "duty.annual.deadline",
        {"month": 1, "day": 31},
        "年度隐患排查治理统计分析表报送期限（16号令：下一年1月31日前）",
        "monthday",
        GROUP,
        order=31,
    ),
    RuleDef("duty.reminder_days", 7, "统计分析表报送期限届满前多少天提醒", "days", GROUP, order=32),
    Timeline("duties.periodreport", duty_event, lambda report: report.events.all()),
    Job("duties", "统计分析表提醒与逾期", duties_tick, order=30),
    DemoLoader("duties", demo.load, demo.summary, order=62),
    MenuEntry("统计分析表", "duties:mine", SUBMIT, order=60, group="日常工作"),
    MenuEntry("统计报送", "duties:compliance", MONITOR, order=70, group="日常工作"),
)
