"""The hazard workflow as a table. Buttons, services and tests all read this one table.

Who may act is a named duty, decided per hazard:
- triage:  verify / reject / merge a new report — the supervising department, or the 安委办, in scope;
- rectify: record rectification — the hazard's enterprise, grid staff in scope, or the reviewers;
- signoff: accept or return a rectification (销号) — the listing unit when 挂牌督办, otherwise the
           department supervising the hazard's industry in its region (管行业必须管安全); the 安委办
           only when no department supervises that industry there.
"""

from zhiben.accounts.choices import Role
from zhiben.core.scoping import code_level
from zhiben.core.workflow import Batch, Transition

from .choices import DEADLINE_STATUSES, ListingLevel, Status

TRANSITIONS = {
    "verify": Transition(frozenset({Status.REPORTED}), Status.VERIFIED, "triage", "核实确认", "primary"),
    "reject": Transition(frozenset({Status.REPORTED}), Status.REJECTED, "triage", "不予认定", "danger"),
    "merge": Transition(frozenset({Status.REPORTED}), Status.MERGED, "triage", "合并为重复"),
    "start": Transition(frozenset({Status.VERIFIED}), Status.RECTIFYING, "rectify", "开始整改", "primary"),
    "submit": Transition(frozenset({Status.RECTIFYING}), Status.SUBMITTED, "rectify", "申请销号", "primary"),
    "close": Transition(frozenset({Status.SUBMITTED}), Status.CLOSED, "signoff", "审核销号", "primary"),
    "return": Transition(frozenset({Status.SUBMITTED}), Status.RECTIFYING, "signoff", "退回整改", "danger"),
}

# What a step must be given in words (the note), by action: refused without it.
NOTE_REQUIRED = {"reject": "理由", "return": "理由", "merge": "理由", "close": "审核意见"}

# Steps the ledger and the API take on many hazards at once: every one but merge, which names a hazard of its own.
BATCH_ACTIONS = tuple(action for action in TRANSITIONS if action != "merge")
BATCH = Batch(TRANSITIONS, BATCH_ACTIONS, NOTE_REQUIRED, noun="隐患", elsewhere="请在隐患页面逐条处理")


# Actions that do not change the status but follow the same duties.
SIDE_ACTIONS = {
    "list": (frozenset(DEADLINE_STATUSES), "listing", "挂牌督办"),
    "request_extension": (frozenset({Status.VERIFIED, Status.RECTIFYING}), "rectify", "申请延期"),
    "decide_extension": (frozenset(DEADLINE_STATUSES), "signoff", "审批延期"),
    "edit_plan": (frozenset({Status.REPORTED, Status.VERIFIED, Status.RECTIFYING}), "rectify", "填写整改方案"),
    "attach": (
        frozenset({Status.REPORTED, Status.VERIFIED, Status.RECTIFYING, Status.SUBMITTED}),
        "rectify",
        "上传证据",
    ),
}


def _in_scope(user, hazard):
    from zhiben.core.scoping import scope_allows

    return scope_allows(user, hazard)


def _department_of(user, hazard):
    """The user works in the department that supervises this hazard (or lists it)."""
    return bool(user.unit_id) and user.unit_id in {hazard.supervising_unit_id, hazard.listed_unit_id}


def has_duty(user, hazard, duty, *, in_scope=None):
    """May `user` carry out `duty` on `hazard`? Pass `in_scope` when already known (saves a query)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if not (in_scope if in_scope is not None else _in_scope(user, hazard)):
        return False
    if user.is_superuser:
        return True
    role = user.role
    committee = role == Role.COMMITTEE_ADMIN
    regulator = role == Role.REGULATOR
    if duty == "triage":
        return committee or (regulator and _department_of(user, hazard))
    if duty == "signoff":
        if hazard.listed_unit_id:
            return user.unit_id == hazard.listed_unit_id and (committee or regulator)
        if hazard.supervising_unit_id:
            return user.unit_id == hazard.supervising_unit_id and (committee or regulator)
        return committee
    if duty == "rectify":
        if role == Role.ENTERPRISE:
            return hazard.enterprise_id is not None and user.enterprise_id == hazard.enterprise_id
        return (
            role == Role.GRID
            or has_duty(user, hazard, "signoff", in_scope=True)
            or has_duty(user, hazard, "triage", in_scope=True)
        )
    if duty == "listing":
        return committee and bool(user.unit_id)
    raise ValueError(duty)


def allowed_actions(hazard, user):
    """[(action, label, style)] the user may take now: the buttons on the detail page."""
    actions = []
    in_scope = _in_scope(user, hazard)
    for name, transition in TRANSITIONS.items():
        if hazard.status in transition.sources and has_duty(user, hazard, transition.duty, in_scope=in_scope):
            actions.append((name, transition.label, transition.style))
    for name, (sources, duty, label) in SIDE_ACTIONS.items():
        if hazard.status in sources and has_duty(user, hazard, duty, in_scope=in_scope):
            if name == "list" and not listing_raises_level(hazard, user):
                continue  # already listed at this level or above: the service would refuse it (issue 25)
            actions.append((name, label, ""))
    return actions


def batch_actions(hazard, user):
    """The BATCH_ACTIONS `user` may take on `hazard` now (a row of the user's own scoped ledger: in scope)."""
    return [
        name
        for name in BATCH_ACTIONS
        if hazard.status in TRANSITIONS[name].sources and has_duty(user, hazard, TRANSITIONS[name].duty, in_scope=True)
    ]


LISTING_ORDER = (ListingLevel.TOWN, ListingLevel.COUNTY, ListingLevel.CITY)
LISTING_BY_REGION_LEVEL = {2: ListingLevel.CITY, 3: ListingLevel.COUNTY, 4: ListingLevel.TOWN}


def listing_raises_level(hazard, user):
    """True when the user's 安委办 would list the hazard above its current listing (or it is not listed)."""
    unit = getattr(user, "unit", None)
    level = LISTING_BY_REGION_LEVEL.get(code_level(unit.region_id)) if unit is not None else None
    if level is None or not hazard.listed_level:
        return True  # not an 安委办 of a listing level, or not listed: the service says why if it refuses
    return LISTING_ORDER.index(level) > LISTING_ORDER.index(hazard.listed_level)
