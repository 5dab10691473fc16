"""Inspection plan endpoints: list (the page's filters) and detail with the draw result, scoped (404 outside).
Mounted by the platform as `router.add_router("/plans", plan_router)` in api.py."""

from datetime import date, datetime

from ninja import Query, Router, Schema
from ninja.pagination import paginate

from zhiben.core.api import Pages, refusals
from zhiben.core.views import require_capability

from . import plan_selectors

plan_router = Router(tags=["检查计划"])


class InspectionPlanOut(Schema):
    id: int
    name: str
    unit: str
    region_id: str
    kind: str
    start: date
    end: date
    filters: dict
    quotas: dict
    exclude_days: int
    team_size: int
    experts_per_team: int
    seed: str
    drawn_at: datetime | None
    confirmed_at: datetime | None
    published_at: datetime | None

    @staticmethod
    def resolve_unit(obj):
        return obj.unit.name


class TeamOut(Schema):
    enterprise_id: int
    enterprise: str
    stratum: str
    inspectors: list[str]
    experts: list[str]


class InspectionPlanDetailOut(InspectionPlanOut):
    teams: list[TeamOut]
    counts: dict
    inspection_ids: list[int]

    @staticmethod
    def resolve_teams(obj):
        return [
            {
                "enterprise_id": row["enterprise"].pk if row["enterprise"] else 0,
                "enterprise": row["enterprise"].name if row["enterprise"] else "",
                "stratum": row["stratum"],
                "inspectors": [u.display_name for u in row["inspectors"]],
                "experts": [e.name for e in row["experts"]],
            }
            for row in plan_selectors.plan_rows(obj)
        ]

    @staticmethod
    def resolve_counts(obj):
        return (obj.result or {}).get("counts", {})

    @staticmethod
    def resolve_inspection_ids(obj):
        return list(obj.inspections.order_by("id").values_list("id", flat=True))


Filters = plan_selectors.PLAN_FILTERS.schema("InspectionPlanFilters")


@plan_router.get("/", response={200: list[InspectionPlanOut], **refusals(403)})
@paginate(Pages, page_size=50)
def list_plans(request, filters: Query[Filters]):
    require_capability(request.user, "inspection.view")
    return plan_selectors.plan_list(user=request.user, filters=filters.dict())


@plan_router.get("/{pk}", response={200: InspectionPlanDetailOut, **refusals(403, 404)})
def get_plan(request, pk: int):
    return plan_selectors.plan_get(user=request.user, pk=pk)
