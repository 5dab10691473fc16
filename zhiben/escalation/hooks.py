"""The escalation ladder plugs itself into the worker and the menu (registered from `EscalationConfig.ready()`)."""

from zhiben.core.registry import Job, MenuEntry, register

from .services import escalate_all

register(
    Job("escalation", "逾期督办升级", escalate_all, order=10),
    MenuEntry("督办升级", "escalation:records", "escalation.view", order=30, group="日常工作"),
)
