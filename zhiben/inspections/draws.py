"""双随机 draws of inspection plans: random enterprises and, for each, a random team of inspectors (and experts).

Reproducible and auditable: `collect_inputs` reads every candidate from the database once and writes them
down as plain data (ids sorted ascending, the exclusions with their reasons); `draw(inputs, seed)` is a pure
function of that data and the seed (`random.Random(seed)`), so anyone holding the stored inputs and the
published seed gets the same result, and `plan_verify` re-runs it from what the plan stored.

Order of the draw (part of the contract — changing it changes every past result):
1. strata by their key in ascending order; in each, `rng.sample(pool, quota)` over the pool sorted by id;
2. then, enterprise by enterprise in the order drawn, `rng.sample` of `team_size` inspectors from those
   eligible for it (sorted by id), then `rng.sample` of `experts_per_team` experts whose specialties include
   its industry and who are eligible for it (sorted by id).
A person employed by the enterprise or with a declared conflict (回避) for it is not eligible for it.
"""

import random
import secrets
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from zhiben.audit.services import audit_record
from zhiben.core.exceptions import ApplicationError, ScopeError
from zhiben.core.scoping import region_chain, subtree_q
from zhiben.core.services import ensure_capability

from .choices import Kind, Status

INPUTS_VERSION = 1
SEED_MAX = 64
ALL = "*"  # the quota key of one stratum holding every candidate


class DrawError(Exception):
    """The draw cannot be made from these inputs: `code` says why, `params` the details."""

    def __init__(self, code, **params):
        super().__init__(code)
        self.code = code
        self.params = params


# ---------------------------------------------------------------- the pure draw


def _ids(values):
    return sorted(int(v) for v in values)


def draw(inputs, seed):
    """The result of the draw from `inputs` (as `collect_inputs` builds them) and `seed` (text):
    {"teams": [{"enterprise", "stratum", "inspectors", "experts"}, ...]} in the order drawn.
    Raises DrawError("seed" | "empty" | "quota" | "inspectors" | "experts")."""
    seed = str(seed)
    if not seed or len(seed) > SEED_MAX:
        raise DrawError("seed", length=len(seed))
    rng = random.Random(seed)
    strata = inputs.get("strata", {})
    quotas = {key: int(n) for key, n in inputs.get("quotas", {}).items()}
    if not any(strata.get(key) for key in quotas):
        raise DrawError("empty")
    picked = []
    for key in sorted(quotas):
        pool = _ids(strata.get(key, []))
        if quotas[key] > len(pool):
            raise DrawError("quota", stratum=key, quota=quotas[key], pool=len(pool))
        picked += [(key, enterprise) for enterprise in rng.sample(pool, quotas[key])]
    team_size = int(inputs.get("team_size", 0))
    per_team = int(inputs.get("experts_per_team", 0))
    inspectors = _ids(inputs.get("inspectors", []))
    experts = {int(k): set(v) for k, v in inputs.get("experts", {}).items()}
    industry_of = inputs.get("enterprise_industry", {})
    blocked = inputs.get("blocked", {})
    teams = []
    for key, enterprise in picked:
        block = blocked.get(str(enterprise), {})
        no_users, no_experts = set(block.get("users", [])), set(block.get("experts", []))
        eligible = [u for u in inspectors if u not in no_users]
        if len(eligible) < team_size:
            raise DrawError("inspectors", enterprise=enterprise, eligible=len(eligible), needed=team_size)
        team = rng.sample(eligible, team_size)
        chosen = []
        if per_team:
            industry = industry_of.get(str(enterprise))
            fit = [x for x in sorted(experts) if industry in experts[x] and x not in no_experts]
            if len(fit) < per_team:
                raise DrawError("experts", enterprise=enterprise, eligible=len(fit), needed=per_team)
            chosen = rng.sample(fit, per_team)
        teams.append({"enterprise": enterprise, "stratum": key, "inspectors": team, "experts": chosen})
    return {"teams": teams}


def counts(inputs, result):
    """The figures the plan page and the audit show."""
    return {
        "enterprises": len(result.get("teams", [])),
        "candidates": sum(len(v) for v in inputs.get("strata", {}).values()),
        "excluded_recent": len(inputs.get("excluded", {}).get("recent", [])),
        "inspectors": len(inputs.get("inspectors", [])),
        "experts": len(inputs.get("experts", {})),
    }


# ---------------------------------------------------------------- reading the candidates


def _flag(value):
    if value in (True, False):
        return value
    return {"1": True, "true": True, "0": False, "false": False}.get(str(value or "").lower())


def candidate_enterprises(actor, plan, today):
    """(queryset of matching operating enterprises in the actor's scope and the plan's region subtree, ids of
    those left out because they were inspected within `plan.exclude_days` days before `today`)."""
    from zhiben.enterprises.choices import Status as EnterpriseStatus
    from zhiben.enterprises.models import Enterprise

    from .models import Inspection

    filters = plan.filters or {}
    qs = Enterprise.objects.for_user(actor).filter(subtree_q(plan.region_id), status=EnterpriseStatus.OPERATING)
    if filters.get("industries"):
        qs = qs.filter(industry__code__in=filters["industries"])
    for name in ("high_risk", "directly_supervised"):
        wanted = _flag(filters.get(name))
        if wanted is not None:
            qs = qs.filter(**{name: wanted})
    if filters.get("scales"):
        qs = qs.filter(scale__in=filters["scales"])
    if filters.get("risk_levels"):  # the enterprise's highest risk level (zhiben.risk)
        from zhiben.risk.selectors import filter_by_risk_level

        qs = filter_by_risk_level(qs, filters["risk_levels"])
    recent = []
    if plan.exclude_days:
        recent = sorted(
            set(
                Inspection.objects.filter(
                    status=Status.COMPLETED,
                    date__isnull=False,
                    date__gt=today - timedelta(days=plan.exclude_days),
                    date__lte=today,
                    enterprise__in=qs,
                ).values_list("enterprise_id", flat=True)
            )
        )
    return qs.exclude(pk__in=recent), recent


def candidate_inspectors(plan):
    """(ids of active users of the plan's unit who may inspect — for 执法检查 holding a credential valid on
    the plan's start —, ids of those left out for want of a valid credential)."""
    from zhiben.accounts.models import User

    users = User.objects.filter(unit_id=plan.unit_id, is_active=True).prefetch_related("credentials").order_by("id")
    chosen, uncertified = [], []
    for user in users:
        if not user.can("inspection.conduct"):
            continue
        if plan.kind == Kind.ENFORCEMENT and not any(c.valid_on(plan.start) for c in user.credentials.all()):
            uncertified.append(user.pk)
            continue
        chosen.append(user.pk)
    return chosen, uncertified


def candidate_experts(plan):
    """{expert id: [industry ids]} of the active experts of the plan's region, its subtree and the levels above."""
    from .models import Expert

    experts = (
        Expert.objects.filter(active=True)
        .filter(subtree_q(plan.region_id) | Q(region_id__in=region_chain(plan.region_id)))
        .prefetch_related("specialties")
        .order_by("id")
    )
    return {str(x.pk): sorted(s.pk for s in x.specialties.all()) for x in experts}


def collect_inputs(actor, plan, today):
    """Everything the draw reads, as plain JSON data (ids sorted)."""
    from .models import Conflict, Expert

    enterprises, recent = candidate_enterprises(actor, plan, today)
    rows = list(enterprises.order_by("id").values_list("id", "industry_id", "industry__code"))
    quotas = {str(k): int(v) for k, v in (plan.quotas or {}).items()}
    strata = {}
    for key in sorted(quotas):
        strata[key] = [pk for pk, _, code in rows if key == ALL or code == key]
    drawn_from = {pk for ids in strata.values() for pk in ids}
    inspectors, uncertified = candidate_inspectors(plan)
    experts = candidate_experts(plan) if plan.experts_per_team else {}
    from zhiben.accounts.models import User

    blocked = {}

    def block(enterprise_id, kind, person):
        if enterprise_id in drawn_from:
            entry = blocked.setdefault(str(enterprise_id), {"users": [], "experts": []})
            if person not in entry[kind]:
                entry[kind].append(person)

    for pk, enterprise_id in User.objects.filter(pk__in=inspectors, enterprise__isnull=False).values_list(
        "pk", "enterprise_id"
    ):
        block(enterprise_id, "users", pk)
    expert_ids = [int(k) for k in experts]
    for pk, enterprise_id in Expert.objects.filter(pk__in=expert_ids, enterprise__isnull=False).values_list(
        "pk", "enterprise_id"
    ):
        block(enterprise_id, "experts", pk)
    conflicts = Conflict.objects.filter(Q(user_id__in=inspectors) | Q(expert_id__in=expert_ids)).filter(
        enterprise__in=enterprises
    )
    for user_id, expert_id, enterprise_id in conflicts.order_by("id").values_list(
        "user_id", "expert_id", "enterprise_id"
    ):
        if user_id in inspectors:
            block(enterprise_id, "users", user_id)
        if expert_id in expert_ids:
            block(enterprise_id, "experts", expert_id)
    for entry in blocked.values():
        entry["users"].sort()
        entry["experts"].sort()
    return {
        "version": INPUTS_VERSION,
        "as_of": today.isoformat(),
        "region": plan.region_id,
        "kind": plan.kind,
        "start": plan.start.isoformat(),
        "filters": plan.filters or {},
        "quotas": quotas,
        "exclude_days": plan.exclude_days,
        "team_size": plan.team_size,
        "experts_per_team": plan.experts_per_team,
        "strata": strata,
        "enterprise_industry": {str(pk): industry for pk, industry, _ in rows if pk in drawn_from},
        "inspectors": inspectors,
        "experts": experts,
        "blocked": dict(sorted(blocked.items(), key=lambda kv: int(kv[0]))),
        "excluded": {"recent": recent, "uncertified": uncertified},
    }


# ---------------------------------------------------------------- the service


def stratum_label(key):
    from zhiben.regions.models import Industry

    if key == ALL:
        return "全部行业"
    return Industry.objects.filter(code=key).values_list("name", flat=True).first() or key


def refusal(exc):
    """The Chinese message of a DrawError."""
    from zhiben.enterprises.models import Enterprise

    p = exc.params
    if exc.code == "seed":
        return f"随机种子须为 1 至 {SEED_MAX} 个字符（现为 {p['length']} 个）。"
    if exc.code == "empty":
        return "抽取范围内没有符合条件的企业（已排除近期检查过的企业），请调整抽取条件。"
    if exc.code == "quota":
        return (
            f"“{stratum_label(p['stratum'])}”应抽取 {p['quota']} 家，但符合条件的企业只有 {p['pool']} 家，"
            "请减少抽取数量或放宽条件。"
        )
    name = Enterprise.objects.filter(pk=p["enterprise"]).values_list("name", flat=True).first() or p["enterprise"]
    if exc.code == "inspectors":
        return (
            f"可派往“{name}”的检查人员只有 {p['eligible']} 名（每组需 {p['needed']} 名；已排除无有效执法证、"
            "在该企业任职或应回避的人员），不能抽取。"
        )
    return f"可派往“{name}”的该行业专家只有 {p['eligible']} 名（每组需 {p['needed']} 名），不能抽取。"


def lock_plan(actor, plan):
    """The plan re-read under a row lock; ScopeError outside the actor's scope; refused unless the actor
    belongs to the plan's unit."""
    from .models import InspectionPlan

    current = InspectionPlan.objects.select_for_update().filter(pk=plan.pk).first()
    if current is None or not InspectionPlan.objects.for_user(actor).filter(pk=plan.pk).exists():
        raise ScopeError()
    if actor is not None and not actor.is_superuser and actor.unit_id != current.unit_id:
        raise ApplicationError(f"只有制定单位（{current.unit}）的人员可以操作本检查计划。", code="forbidden")
    return current


@transaction.atomic
def plan_draw(*, actor, plan, seed="", today=None):
    """Draw the plan's enterprises and teams with `seed` (typed — e.g. a lottery number — or random) and
    store the seed, the inputs and the result. Allowed again until the plan is confirmed."""
    ensure_capability(actor, "inspection.plan", "您的角色无权进行双随机抽取。")
    seed = str(seed or "").strip()
    if len(seed) > SEED_MAX:
        raise ApplicationError(
            f"随机种子最多 {SEED_MAX} 个字符（现为 {len(seed)} 个）。",
            errors=[{"field": "seed", "message": f"随机种子最多 {SEED_MAX} 个字符。"}],
        )
    seed = seed or secrets.token_hex(8)
    plan = lock_plan(actor, plan)
    if plan.confirmed_at:
        raise ApplicationError("检查计划已确认，不能重新抽取。")
    today = today or timezone.localdate()
    inputs = collect_inputs(actor, plan, today)
    try:
        result = draw(inputs, seed)
    except DrawError as exc:
        raise ApplicationError(refusal(exc)) from None
    figures = counts(inputs, result)
    result["counts"] = figures
    again = bool(plan.drawn_at)
    plan.seed, plan.inputs, plan.result = seed, inputs, result
    plan.drawn_at, plan.drawn_by = timezone.now(), actor
    plan.save(update_fields=["seed", "inputs", "result", "drawn_at", "drawn_by", "updated_at"])
    audit_record(
        actor=actor,
        action="inspection_plan.draw",
        obj=plan,
        data={"seed": seed, "counts": figures, "redraw": again},
    )
    return plan


def plan_verify(plan):
    """Re-run the draw from the plan's stored inputs and seed: (identical?, the result of the re-run or the
    reason it could not run)."""
    if not plan.drawn_at:
        return False, "尚未抽取。"
    try:
        again = draw(plan.inputs, plan.seed)
    except DrawError as exc:
        return False, refusal(exc)
    return again["teams"] == plan.result.get("teams"), again
