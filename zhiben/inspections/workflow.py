"""The inspection's states and who may move it: one table, checked by `services.inspection_transition`;
the detail page's buttons render from the same table."""

from typing import NamedTuple

from .choices import Status


class Transition(NamedTuple):
    sources: tuple
    target: str
    label: str
    capability: str = "inspection.conduct"


TRANSITIONS = {
    "start": Transition((Status.PLANNED,), Status.IN_PROGRESS, "开始检查"),
    "complete": Transition((Status.IN_PROGRESS,), Status.COMPLETED, "完成检查"),
    "cancel": Transition((Status.PLANNED, Status.IN_PROGRESS), Status.CANCELLED, "取消检查"),
}


def allowed_actions(inspection, user=None):
    """The actions open from the inspection's state (and to `user`'s role, when given)."""
    return [
        action
        for action, t in TRANSITIONS.items()
        if inspection.status in t.sources and (user is None or user.can(t.capability))
    ]
