"""The campaign workflow as a table: draft → active → closed. Buttons, the service and the tests all
read this one table.

Duty "manage": the actor holds `campaign.manage` (安委办) and the campaign lies in the actor's own
jurisdiction (its owner region is the actor's region or below it): a town 安委办 sees the county's
campaign but neither starts nor closes it.
"""

from zhiben.core.scoping import in_subtree
from zhiben.core.workflow import Transition

from .choices import Status

TRANSITIONS = {
    "activate": Transition(frozenset({Status.DRAFT}), Status.ACTIVE, "manage", "启动", "primary"),
    "close": Transition(frozenset({Status.ACTIVE}), Status.CLOSED, "manage", "结束", "danger"),
}

EDITABLE_STATUSES = frozenset({Status.DRAFT, Status.ACTIVE})


def may_manage(user, campaign):
    """May `user` define, edit, start or close `campaign`?"""
    if user is None or not user.is_authenticated or not user.is_active or not user.can("campaign.manage"):
        return False
    if user.is_superuser:
        return True
    return bool(user.region_id) and in_subtree(campaign.region_id, user.region_id)


def has_duty(user, campaign, duty):
    if duty == "manage":
        return may_manage(user, campaign)
    raise ValueError(duty)


def allowed_actions(campaign, user):
    """[(action, label, style)] the user may take now: the buttons on the detail page."""
    return [
        (name, t.label, t.style)
        for name, t in TRANSITIONS.items()
        if campaign.status in t.sources and has_duty(user, campaign, t.duty)
    ]
