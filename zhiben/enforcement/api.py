"""Enforcement endpoints: cases and orders, list (the pages' filters, declared once in selectors.py) and
detail, scoped like the pages: out of scope is a 404, without `enforcement.view` a 403."""

from datetime import date, datetime
from decimal import Decimal

from ninja import Query, Router, Schema
from ninja.pagination import paginate

from zhiben.core.api import Pages, refusals
from zhiben.core.views import require_capability

from . import selectors

router = Router(tags=["行政执法"])


class CaseOut(Schema):
    """An enforcement case (执法案件). `measures` are keys of: warning 警告, fine 罚款, confiscation 没收违法所得,
    suspension 责令停产停业整顿, licence_suspended 暂扣证照, licence_revoked 吊销证照, closure 关闭. `status`:
    filed 立案, notified 已告知, decided 已决定, executed 执行完毕, closed 结案, revoked 撤销."""

    id: int
    number: str
    enterprise_id: int
    enterprise_name: str
    region_code: str
    unit_id: int
    unit: str
    inspection_id: int | None
    status: str
    status_label: str
    measures: list[str]
    measure_labels: str
    fine: Decimal | None
    decision_number: str
    filed_date: date
    notice_date: date | None
    decision_date: date | None
    typical: bool
    typical_at: datetime | None
    violation: str
    legal_basis: str

    @staticmethod
    def resolve_enterprise_name(obj):
        return obj.enterprise.name

    @staticmethod
    def resolve_unit(obj):
        return obj.unit.name

    @staticmethod
    def resolve_region_code(obj):
        return obj.region_id

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()


class OrderOut(Schema):
    """A 责令限期整改 order. `status`: open 整改中, passed 复查合格, failed 复查不合格; `overdue` is computed."""

    id: int
    number: str
    enterprise_id: int
    enterprise_name: str
    region_code: str
    unit_id: int
    unit: str
    inspection_id: int | None
    status: str
    status_label: str
    deadline: date
    overdue: bool
    items: str
    reviewed_on: date | None
    review_result: str
    review_opinion: str
    hazard_ids: list[int]

    @staticmethod
    def resolve_enterprise_name(obj):
        return obj.enterprise.name

    @staticmethod
    def resolve_unit(obj):
        return obj.unit.name

    @staticmethod
    def resolve_region_code(obj):
        return obj.region_id

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()

    @staticmethod
    def resolve_overdue(obj):
        return obj.is_overdue()

    @staticmethod
    def resolve_hazard_ids(obj):
        return [h.pk for h in obj.hazards.all()]


CaseFilters = selectors.CASE_FILTERS.schema("CaseFilters")
OrderFilters = selectors.ORDER_FILTERS.schema("OrderFilters")


@router.get("/cases", response={200: list[CaseOut], **refusals(403)})
@paginate(Pages, page_size=50)
def list_cases(request, filters: Query[CaseFilters]):
    """Cases in the caller's scope, with the filters and sorts of the 执法案件 page (`typical=1`: 典型案例)."""
    require_capability(request.user, "enforcement.view")
    return selectors.case_list(user=request.user, filters=filters.dict())


@router.get("/cases/{pk}", response={200: CaseOut, **refusals(404)})
def get_case(request, pk: int):
    """One case; 404 when it does not exist or is out of the caller's scope."""
    return selectors.case_get(user=request.user, pk=pk)


@router.get("/orders", response={200: list[OrderOut], **refusals(403)})
@paginate(Pages, page_size=50)
def list_orders(request, filters: Query[OrderFilters]):
    """责令限期整改 orders in the caller's scope, with the filters of the page (`overdue=1`: past their deadline)."""
    require_capability(request.user, "enforcement.view")
    return selectors.order_list(user=request.user, filters=filters.dict()).prefetch_related("hazards")


@router.get("/orders/{pk}", response={200: OrderOut, **refusals(404)})
def get_order(request, pk: int):
    """One order; 404 when it does not exist or is out of the caller's scope."""
    return selectors.order_get(user=request.user, pk=pk)
