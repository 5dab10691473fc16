"""Periodic work, run by `python manage.py tick` (one pass, for cron) or `run_worker` (a loop).

The jobs are what modules registered (`Job` in zhiben/core/registry.py), in their order. Each job is
idempotent and claims its rows itself, so several workers may run at once.
"""

import logging
import time

from .registry import ordered

log = logging.getLogger("zhiben.jobs")


def run_once(*, stdout=None):
    """Run every registered job once; a failing job is logged and the others still run. Returns {label: result}."""
    results = {}
    for job in ordered("jobs"):
        started = time.monotonic()
        try:
            results[job.label] = job.run()
        except Exception as exc:  # one broken job must not stop the others
            log.exception("job %s failed", job.key)
            results[job.label] = f"失败：{type(exc).__name__}: {exc}"
        if stdout is not None:
            stdout.write(f"{job.label}：{results[job.label]}（{time.monotonic() - started:.2f} 秒）")
    return results
