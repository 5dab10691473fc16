"""The filters of the task list (任务清单), declared once: the page and its form and the API endpoints
`GET /api/v1/plans/tasks` and `GET /api/v1/plans/{id}/tasks` use `TASK_FILTERS` (see core.filters).
`status` and `overdue` read the state `selectors.with_state` annotates — over the milestones due between
`due_from` and `due_to` when those are given (selectors.task_list)."""

from django.db.models import Q

from zhiben.core.db import whole_number
from zhiben.core.filters import Filter, FilterSet, Sort, flag, id_q
from zhiben.core.memo import ProcessCache
from zhiben.core.scoping import scope_key, subtree_q
from zhiben.enterprises.filters import region_options

from .choices import DisplayStatus, Kind, PlanStatus

# The plan and unit filters' options, per process: the task list offers them on every page (two reads and the
# units ranked each time). Cleared on Plan, Unit and Region changes (connected in apps) and by plan_publish.
plan_options_cache = ProcessCache("plan-options", "REGION_CACHE_SECONDS")


def plan_options(user):
    from .models import Plan

    def read():
        # what the option shows (Plan.__str__ reads title and version), not the plan's texts
        plans = Plan.objects.visible_to(user).select_related("region").only("title", "version", "region__name")
        return [(str(p.pk), f"{p.region.name} · {p}") for p in plans.order_by("-id")[:100]]

    key = scope_key(user, Plan)
    return [] if key is None else plan_options_cache.get(("plans", key, user.can("plan.manage")), read)


def unit_options(user):
    from .matching import candidate_units

    if not user.region_id:
        return []
    return plan_options_cache.get(
        ("units", user.region_id), lambda: [(str(u.pk), u.name) for u in candidate_units(user.region_id)]
    )


def unit_q(value, ctx):
    """A unit by id, or by the name written in the plan or the unit's own name."""
    from .models import TaskUnit

    by_id = id_q("unit_id")(value, ctx)
    units = TaskUnit.objects.filter(by_id if by_id is not None else Q(name=value) | Q(unit__name=value))
    return Q(pk__in=units.values("task_id"))


def current_q(value, ctx):
    """Tasks of published plans not replaced by a newer published version (what progress is judged on)."""
    if not flag(value):
        return None
    return Q(plan__status=PlanStatus.PUBLISHED) & ~Q(plan__next_versions__status=PlanStatus.PUBLISHED)


def due_q(value, ctx):
    """A task with a milestone due between due_from and due_to: task_list counts the milestones
    (`ms_total` …) over that span only, so one with none there has no milestone counted."""
    return Q(ms_total__gt=0)


def overdue_q(value, ctx):
    wanted = flag(value)
    return None if wanted is None else Q(ms_overdue__gt=0) if wanted else Q(ms_overdue=0)


TASK_FILTERS = FilterSet(
    Filter(
        "plan",
        "方案",
        "choice",
        choices=plan_options,
        q=id_q("plan_id"),
        help="方案 ID",
    ),
    Filter(
        "region", "区划", "choice", choices=region_options, q=lambda value, ctx: subtree_q(value, "plan__region_id")
    ),
    Filter("current", "方案版本", "choice", choices=[("1", "现行已发布方案")], q=current_q),
    Filter("unit", "责任单位", "choice", choices=unit_options, q=unit_q, help="单位 ID，或方案中写的单位名称"),
    Filter(
        "action",
        "行动",
        "hidden",
        q=id_q("action_id"),
        help="方案中行动的 ID",
    ),
    Filter(
        "status",
        "状态",
        "choice",
        choices=DisplayStatus.choices,
        q=lambda value, ctx: Q(state=value) if value in DisplayStatus.values else None,
    ),
    Filter(
        "overdue",
        "逾期",
        "choice",
        choices=[("1", "有逾期节点"), ("0", "无逾期")],
        q=overdue_q,
        help="1/true 或 0/false",
    ),
    Filter(
        "due_from",
        "节点到期从",
        "date",
        q=due_q,
        help="有节点在此期间到期的任务（与 due_to 合用）；节点数和状态只计期间内的节点",
    ),
    Filter("due_to", "节点到期至", "date", q=due_q, help="有节点在此期间到期的任务（与 due_from 合用）"),
    Filter("q", "关键词", "search", search=("content",), help="任务内容中包含的文字"),
)


def year_q(value, ctx):
    """A plan running in the year: the year within its start and end years."""
    year = whole_number(value) if len(value) == 4 else None
    if year is None:
        return None
    return Q(start_year__lte=year, end_year__gte=year)


# The plan list's orders (its column headers switch each way); the newest years first, then by region
PLAN_SORT = Sort.both_ways(
    {
        "title": ("title", "id"),
        "region": ("region_id", "-start_year", "id"),
        "year": ("start_year", "region_id", "id"),
        "tasks": ("task_count", "id"),
        "updated": ("updated_at", "id"),
    },
    default=("-start_year", "region_id", "-id"),
)

PLAN_FILTERS = FilterSet(
    Filter("kind", "类型", "choice", choices=Kind.choices, lookup="kind"),
    Filter("status", "状态", "choice", choices=PlanStatus.choices, lookup="status", help="草稿只有安委办管理员看得到"),
    Filter("region", "区划", "choice", choices=region_options, q=lambda value, ctx: subtree_q(value)),
    Filter("year", "年度", "text", q=year_q, placeholder="如 2025", help="四位年份：该年在方案起止年度之内的方案"),
    Filter("q", "关键词", "search", search=("title", "source_filename"), placeholder="方案名称或文件名"),
    PLAN_SORT,
)
