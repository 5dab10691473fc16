"""The ground's own registrations (from `CoreConfig.ready()`): its menu entries and its housekeeping job."""

from .offline import purge_submission_keys
from .registry import Job, MenuEntry, register

register(
    MenuEntry("首页", "core:home", None, order=0, group="日常工作"),
    MenuEntry("规则参数", "core:rules", "rule.manage", order=40, group="设置"),
    Job("core.submission_keys", "清理过期的表单提交标识", purge_submission_keys, order=200),
)
