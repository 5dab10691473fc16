"""Every write of the plans module, each one atomic, scoped and audited:

- `plans`: import a whole plan in one transaction (`plan_import`), publish, delete a draft, edit the
  plan or a task, link tasks to the upper level's tasks, link unit names to units;
- `progress`: progress reports and their review (the table in `workflow.py`), indicators, filing (备案).
"""

from .plans import (
    _require,
    plan_delete,
    plan_import,
    plan_link_tasks,
    plan_link_units,
    plan_publish,
    plan_region,
    plan_update,
    plan_years,
    task_deadline,
    task_update,
)
from .progress import (
    indicator_report,
    indicator_save,
    plan_file,
    progress_report_attach,
    progress_report_submit,
    progress_report_transition,
    progress_report_transition_many,
    upper_region,
)

__all__ = [
    "indicator_report",
    "indicator_save",
    "plan_delete",
    "plan_file",
    "plan_import",
    "plan_link_tasks",
    "plan_link_units",
    "plan_publish",
    "plan_region",
    "plan_update",
    "plan_years",
    "progress_report_attach",
    "progress_report_submit",
    "progress_report_transition",
    "progress_report_transition_many",
    "task_deadline",
    "task_update",
    "upper_region",
    "_require",
]
