"""Periodic work, run by `python manage.py tick` (one pass, for cron) or `run_worker` (a loop).

Each job is idempotent and claims its rows itself, so several workers may run at once.
"""

import logging
import time

from django.utils.module_loading import import_string

log = logging.getLogger("zhiben.jobs")

JOBS = [
    ("逾期隐患督办升级", "zhiben.escalation.services.escalate_hazards"),
    ("逾期方案任务督办升级", "zhiben.escalation.services.escalate_plan_tasks"),
    ("隐患到期提醒", "zhiben.notifications.reminders.hazards_remind_deadlines"),
    ("统计分析表提醒与逾期", "zhiben.duties.services.duties_tick"),
    ("发送通知", "zhiben.notifications.services.send_pending"),
]


def run_once(*, stdout=None):
    """Run every job once; a failing job is logged and the others still run. Returns {name: result}."""
    results = {}
    for name, path in JOBS:
        started = time.monotonic()
        try:
            results[name] = import_string(path)()
        except Exception as exc:  # one broken job must not stop the others
            log.exception("job %s failed", name)
            results[name] = f"失败：{type(exc).__name__}: {exc}"
        if stdout is not None:
            stdout.write(f"{name}：{results[name]}（{time.monotonic() - started:.2f} 秒）")
    return results
