"""A report's states: one table, checked by `services._lock` (who may act is `services.may_handle`)."""

from zhiben.core.workflow import Batch, Transition

from .choices import OPEN, Status

R, V = Status.RECEIVED, Status.VERIFYING
TRANSITIONS = {
    "accept": Transition(frozenset({R}), V, "report.handle", "受理", "primary"),
    "transfer": Transition(frozenset(OPEN), R, "report.handle", "转办"),
    "verify": Transition(frozenset({V}), Status.VERIFIED, "report.handle", "核查属实", "primary"),
    "unfound": Transition(frozenset({V}), Status.UNFOUNDED, "report.handle", "核查不属实"),
    "duplicate": Transition(frozenset(OPEN), Status.DUPLICATE, "report.handle", "重复举报"),
    "refer": Transition(frozenset(OPEN), Status.REFERRED, "report.handle", "移交其他机关"),
    "spam": Transition(frozenset(OPEN), Status.SPAM, "report.handle", "无效信息", "danger"),
    "reopen": Transition(frozenset({Status.SPAM}), R, "report.handle", "恢复受理"),
}


# Steps the list takes on many reports at once (受理 with the default reply, 无效信息 for a flood of them), and what
# each must be given in words
BATCH_ACTIONS = ("accept", "spam")
NOTE_REQUIRED = {"spam": "理由"}
BATCH = Batch(TRANSITIONS, BATCH_ACTIONS, NOTE_REQUIRED, noun="举报", elsewhere="请在举报页面逐件处理")


def allowed_actions(report):
    return [action for action, t in TRANSITIONS.items() if report.status in t.sources]
