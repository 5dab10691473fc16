"""An information report's states: one table, checked by the report services; the detail page draws its
buttons from it."""

from zhiben.core.workflow import Transition

from .choices import ReportStatus

OPEN = frozenset({ReportStatus.OPEN})

TRANSITIONS = {
    "pass_on": Transition(OPEN, ReportStatus.OPEN, "watch.manage", "上报上一级"),
    "followup": Transition(OPEN, ReportStatus.OPEN, "watch.manage", "续报"),
    "final": Transition(OPEN, ReportStatus.CLOSED, "watch.manage", "终报", "primary"),
}


def allowed_actions(report, user):
    return [a for a, t in TRANSITIONS.items() if report.status in t.sources and user.can(t.duty)]
