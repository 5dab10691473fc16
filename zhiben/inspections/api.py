"""Inspection endpoints: list (the page's filters) and detail with items, scoped (404 outside)."""

from datetime import date

from ninja import Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from zhiben.core.views import require_capability

from . import selectors

router = Router(tags=["监督检查"])


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
    text: str
    criteria_item_id: int | None
    result: str
    note: str
    hazard_id: int | None


class InspectionDetailOut(InspectionOut):
    inspectors: list[str]
    hazard_ids: list[int]
    items: list[ItemOut]
    summary: str

    @staticmethod
    def resolve_inspectors(obj):
        return [u.display_name for u in obj.inspectors.all()]

    @staticmethod
    def resolve_hazard_ids(obj):
        return [h.pk for h in obj.hazards.all()]

    @staticmethod
    def resolve_items(obj):
        return list(obj.items.all())


Filters = selectors.INSPECTION_FILTERS.schema("InspectionFilters")


@router.get("/", response=list[InspectionOut])
@paginate(PageNumberPagination, page_size=50)
def list_inspections(request, filters: Query[Filters]):
    require_capability(request.user, "inspection.view")
    return selectors.inspection_list(user=request.user, filters=filters.dict())


@router.get("/{int:pk}", response=InspectionDetailOut)
def get_inspection(request, pk: int):
    return selectors.inspection_get(user=request.user, pk=pk)
