"""An accident's states: one table, checked by `services._move`."""

from zhiben.core.workflow import Transition

from .choices import Status

TRANSITIONS = {
    "start": Transition(frozenset({Status.REPORTED}), Status.INVESTIGATING, "accident.manage", "成立调查组", "primary"),
    "submit": Transition(frozenset({Status.INVESTIGATING}), Status.SUBMITTED, "accident.manage", "提交调查报告"),
    "approve": Transition(frozenset({Status.SUBMITTED}), Status.APPROVED, "accident.manage", "登记批复"),
    "close": Transition(frozenset({Status.APPROVED}), Status.CLOSED, "accident.manage", "结案", "primary"),
}


def allowed_actions(accident):
    return [action for action, t in TRANSITIONS.items() if accident.status in t.sources]
