"""The inspection's states and who may move it: one table, checked by `services.inspection_transition`."""

from .choices import Status

# action: (from states, to state, label)
TRANSITIONS = {
    "start": ((Status.PLANNED,), Status.IN_PROGRESS, "开始检查"),
    "complete": ((Status.IN_PROGRESS,), Status.COMPLETED, "完成检查"),
    "cancel": ((Status.PLANNED, Status.IN_PROGRESS), Status.CANCELLED, "取消检查"),
}


def allowed_actions(inspection):
    return [action for action, (sources, _, _) in TRANSITIONS.items() if inspection.status in sources]
