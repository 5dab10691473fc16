"""The escalation ladder plugs itself into the worker and the menu (registered from `EscalationConfig.ready()`)."""

from zhiben.core.registry import Job, MenuEntry, RuleDef, register
from zhiben.core.rulevalues import Part

from .services import AUTOMATIC_DOCUMENT_DEFAULT, AUTOMATIC_DOCUMENT_RULE, escalate_all

register(
    RuleDef(
        AUTOMATIC_DOCUMENT_RULE,
        AUTOMATIC_DOCUMENT_DEFAULT,
        "督办升级自动签发的公文：约谈安排（通知发出后第几个工作日、几时、地点）与联系人、联系电话"
        "（地点留空为签发单位会议室）",
        "json",
        "督办升级",
        order=45,
        parts={
            "workdays": Part("约谈日期", fmt="通知发出后第 {} 个工作日", low=1, high=60, integer=True),
            "time": Part("约谈时间"),
            "place": Part("约谈地点", empty="未填（用签发单位会议室）"),
            "contact": Part("联系人", empty="未填（用签发单位办公室）"),
            "phone": Part("联系电话", empty="未填（由签发单位另行电话告知）"),
        },
    ),
    Job("escalation", "逾期督办升级", escalate_all, order=10),
    MenuEntry("督办升级", "escalation:records", "escalation.view", order=30, group="日常工作"),
)
