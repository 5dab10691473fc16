"""Plan endpoints: plans and their tasks with the pages' filters (unit, status, overdue), progress
reports and their review. Everything honours scope: another jurisdiction's plan is a 404."""

from datetime import date

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from zhiben.core.api import Pages, refusals
from zhiben.core.views import require_capability

from . import selectors, services
from .filters import PLAN_FILTERS, TASK_FILTERS
from .models import ProgressReport

router = Router(tags=["行动方案"])


class PlanUnitOut(Schema):
    name: str
    unit_id: int | None
    unit_name: str = Field("", alias="unit.name")
    role: str


class PlanOut(Schema):
    id: int
    title: str
    kind: str
    region_id: str
    region_name: str
    start_year: int
    end_year: int
    version: int
    status: str
    parent_id: int | None
    previous_id: int | None

    @staticmethod
    def resolve_region_name(obj):
        return obj.region.name


class CompletionOut(Schema):
    unit_id: int | None
    name: str
    tasks: int
    due: int
    done: int
    overdue: int
    rate: float | None


class PlanDetailOut(PlanOut):
    issuing_unit: str = Field("", alias="issuing_unit.name")
    source_filename: str
    actions: list[str]
    task_count: int
    completion: list[CompletionOut]

    @staticmethod
    def resolve_actions(obj):
        return [a.title for a in obj.actions.all()]

    @staticmethod
    def resolve_task_count(obj):
        return obj.tasks.count()

    @staticmethod
    def resolve_completion(obj, context):
        request = context["request"]
        return selectors.unit_completion(user=request.user, plan=obj) if obj.is_published else []


class MilestoneOut(Schema):
    id: int
    label: str
    due_date: date
    status: str
    overdue: bool
    completed_on: date | None

    @staticmethod
    def resolve_status(obj):
        return obj.display_status().value

    @staticmethod
    def resolve_overdue(obj):
        return obj.is_overdue()


class TaskOut(Schema):
    id: int
    plan_id: int
    sort: int
    action: str
    key_task: str = Field("", alias="key_task.title")
    content: str
    deadline_text: str
    deadline: list[date]
    recurrence: str
    state: str
    overdue: bool
    parent_task_id: int | None
    units: list[PlanUnitOut]

    @staticmethod
    def resolve_action(obj):
        return obj.action.title

    @staticmethod
    def resolve_deadline(obj):
        return obj.dates

    @staticmethod
    def resolve_overdue(obj):
        return obj.ms_overdue > 0

    @staticmethod
    def resolve_units(obj):
        return list(obj.assignments.all())


class TaskDetailOut(TaskOut):
    milestones: list[MilestoneOut]

    @staticmethod
    def resolve_milestones(obj):
        return list(obj.milestones.all())


class ReportIn(Schema):
    text: str
    percentage: int
    milestone: int | None = None


class ReportOut(Schema):
    id: int
    task_id: int
    milestone_id: int | None
    unit_id: int
    text: str
    percentage: int
    status: str


class ReportTransitionIn(Schema):
    action: str
    note: str = ""


class OverdueOut(Schema):
    milestone_id: int
    task_id: int
    plan_id: int
    region_id: str
    label: str
    due_date: date
    days_overdue: int
    content: str

    @staticmethod
    def resolve_milestone_id(obj):
        return obj.pk

    @staticmethod
    def resolve_plan_id(obj):
        return obj.task.plan_id

    @staticmethod
    def resolve_region_id(obj):
        return obj.task.plan.region_id

    @staticmethod
    def resolve_days_overdue(obj):
        return obj.days_overdue()

    @staticmethod
    def resolve_content(obj):
        return obj.task.content


def _tasks(request, filters):
    require_capability(request.user, "plan.view")
    return selectors.task_list(user=request.user, filters=filters).prefetch_related("assignments__unit")


PlanFilters = PLAN_FILTERS.schema("PlanFilters")


@router.get("/", response={200: list[PlanOut], **refusals(403)})
@paginate(Pages, page_size=50)
def list_plans(request, filters: Query[PlanFilters]):
    """The plans in scope: the same filters and orders as the plan list page (plans/filters.py)."""
    require_capability(request.user, "plan.view")
    return selectors.plan_list(user=request.user, filters=filters.dict())


TaskFilters = TASK_FILTERS.schema("TaskFilters")
PlanTaskFilters = TASK_FILTERS.schema("PlanTaskFilters", exclude=("plan",))


@router.get("/tasks", response={200: list[TaskOut], **refusals(403)})
@paginate(Pages, page_size=100)
def list_tasks(request, filters: Query[TaskFilters]):
    """Tasks across the plans in scope: the same filters as the task list page (plans/filters.py)."""
    return _tasks(request, filters.dict())


@router.get("/tasks/{pk}", response={200: TaskDetailOut, **refusals(403, 404)})
def get_task(request, pk: int):
    require_capability(request.user, "plan.view")
    selectors.task_get(user=request.user, pk=pk)
    return _tasks(request, {}).get(pk=pk)


@router.post("/tasks/{pk}/reports", response={201: ReportOut, **refusals(400, 403, 404)})
def submit_report(request, pk: int, payload: ReportIn):
    require_capability(request.user, "plan.view")
    task = selectors.task_get(user=request.user, pk=pk)
    return Status(
        201,
        services.progress_report_submit(
            actor=request.user, task=task, text=payload.text, percentage=payload.percentage, milestone=payload.milestone
        ),
    )


@router.post("/reports/{pk}/transitions", response={200: ReportOut, **refusals(400, 403, 404)})
def transition_report(request, pk: int, payload: ReportTransitionIn):
    require_capability(request.user, "plan.view")
    from django.shortcuts import get_object_or_404

    report = get_object_or_404(ProgressReport.objects.for_user(request.user), pk=pk)
    return services.progress_report_transition(
        actor=request.user, report=report, action=payload.action, note=payload.note
    )


@router.get("/overdue", response={200: list[OverdueOut], **refusals(403)})
@paginate(Pages, page_size=100)
def list_overdue(request):
    """Milestones past due and not completed, in scope (what the escalation ladder acts on)."""
    require_capability(request.user, "plan.view")
    return selectors.overdue_tasks(user=request.user)


@router.get("/{pk}", response={200: PlanDetailOut, **refusals(403, 404)})
def get_plan(request, pk: int):
    require_capability(request.user, "plan.view")
    return selectors.plan_get(user=request.user, pk=pk)


@router.get("/{pk}/tasks", response={200: list[TaskOut], **refusals(403, 404)})
@paginate(Pages, page_size=100)
def list_plan_tasks(request, pk: int, filters: Query[PlanTaskFilters]):
    require_capability(request.user, "plan.view")
    plan = selectors.plan_get(user=request.user, pk=pk)
    return _tasks(request, {**filters.dict(), "plan": str(plan.pk)})
