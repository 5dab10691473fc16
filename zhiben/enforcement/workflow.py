"""The case's states: one table, checked by `services.case_transition`."""

from .choices import CaseStatus

# action: (from states, to state, label)
TRANSITIONS = {
    "notify": ((CaseStatus.FILED,), CaseStatus.NOTIFIED, "告知"),
    "decide": ((CaseStatus.FILED, CaseStatus.NOTIFIED), CaseStatus.DECIDED, "作出处罚决定"),
    "execute": ((CaseStatus.DECIDED,), CaseStatus.EXECUTED, "执行完毕"),
    "close": ((CaseStatus.EXECUTED,), CaseStatus.CLOSED, "结案"),
    "revoke": ((CaseStatus.FILED, CaseStatus.NOTIFIED), CaseStatus.REVOKED, "撤销案件"),
}


def allowed_actions(case):
    return [action for action, (sources, _, _) in TRANSITIONS.items() if case.status in sources]
