"""Inspection endpoints: list (the page's filters) and detail with items, scoped (404 outside)."""

from datetime import date

from ninja import Query, Router, Schema
from ninja.pagination import paginate

from zhiben.core.api import Pages, refusals
from zhiben.core.views import require_capability

from . import selectors
from .plan_api import plan_router

router = Router(tags=["监督检查"])
router.add_router("/plans", plan_router)  # plans and their draws: plan_api.py


class InspectionOut(Schema):
    id: int
    number: str
    kind: str
    status: str
    enterprise_id: int | None
    place_id: int | None
    subject: str
    region_id: str
    unit: str
    planned_date: date | None
    date: date | None
    unannounced: bool
    cross: bool

    @staticmethod
    def resolve_subject(obj):
        return str(obj.subject)

    @staticmethod
    def resolve_unit(obj):
        return obj.unit.name


class ItemOut(Schema):
    id: int
    text: str
    method: str
    criteria_item_id: int | None
    result: str
    note: str
    hazard_id: int | None


class InspectionDetailOut(InspectionOut):
    inspectors: list[str]
    experts: list[str]
    checklist_name: str
    hazard_ids: list[int]
    items: list[ItemOut]
    summary: str

    @staticmethod
    def resolve_inspectors(obj):
        return [u.display_name for u in obj.inspectors.all()]

    @staticmethod
    def resolve_experts(obj):
        return [e.name for e in obj.experts.all()]

    @staticmethod
    def resolve_hazard_ids(obj):
        return [h.pk for h in obj.hazards.all()]

    @staticmethod
    def resolve_items(obj):
        return list(obj.items.all())


Filters = selectors.INSPECTION_FILTERS.schema("InspectionFilters")


@router.get("/", response={200: list[InspectionOut], **refusals(403)})
@paginate(Pages, page_size=50)
def list_inspections(request, filters: Query[Filters]):
    """Inspections in the caller's scope (region subtree; a department's industries; an enterprise's own),
    filtered like the list page (status, kind, region, industry, unit, date range, 四不两直, 交叉) and
    sorted by `sort`; 50 a page. 403 when the caller's role may not view inspections."""
    require_capability(request.user, "inspection.view")
    return selectors.inspection_list(user=request.user, filters=filters.dict())


@router.get("/{pk}", response={200: InspectionDetailOut, **refusals(403, 404)})
def get_inspection(request, pk: int):
    """One inspection with its team, items (text copied from the checklist when it started, result,
    note, hazard filed) and the hazards found. 404 when it does not exist or lies outside the caller's
    scope; 403 when the caller's role may not view inspections."""
    require_capability(request.user, "inspection.view")
    return selectors.inspection_get(user=request.user, pk=pk)


class ChecklistOut(Schema):
    id: int
    name: str
    region_id: str
    industry: str
    active: bool
    n_items: int

    @staticmethod
    def resolve_industry(obj):
        return obj.industry.name if obj.industry_id else "通用"


class ChecklistItemOut(Schema):
    id: int
    sort: int
    text: str
    method: str
    criteria_item_id: int | None


class ChecklistDetailOut(Schema):
    id: int
    name: str
    region_id: str
    industry: str
    description: str
    active: bool
    items: list[ChecklistItemOut]

    @staticmethod
    def resolve_industry(obj):
        return obj.industry.name if obj.industry_id else "通用"

    @staticmethod
    def resolve_items(obj):
        return list(obj.items.order_by("sort", "id"))


ChecklistFilters = selectors.CHECKLIST_FILTERS.schema("ChecklistFilters")


@router.get("/checklists/", response={200: list[ChecklistOut], **refusals(403)})
@paginate(Pages, page_size=50)
def list_checklists(request, filters: Query[ChecklistFilters]):
    """Checklists the caller may read: those of their region subtree and those of the regions above that
    they may apply; filtered like the list page (name, industry, state — every state unless `active` is
    given) and sorted by `sort`. 403 when the caller's role may not view inspections."""
    require_capability(request.user, "inspection.view")
    return selectors.checklist_list(user=request.user, filters=filters.dict())


@router.get("/checklists/{pk}", response={200: ChecklistDetailOut, **refusals(403, 404)})
def get_checklist(request, pk: int):
    """One checklist with its items in order. 404 when it does not exist or the caller may not read it."""
    require_capability(request.user, "inspection.view")
    return selectors.checklist_get(user=request.user, pk=pk)
