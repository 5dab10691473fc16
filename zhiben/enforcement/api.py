"""Enforcement endpoints: cases and orders, list (the pages' filters) and detail, scoped (404 outside)."""

from datetime import date
from decimal import Decimal

from ninja import Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from zhiben.core.views import require_capability

from . import selectors

router = Router(tags=["行政执法"])


class CaseOut(Schema):
    id: int
    number: str
    enterprise_id: int
    enterprise_name: str
    unit: str
    status: str
    measures: list[str]
    fine: Decimal | None
    decision_number: str
    filed_date: date
    decision_date: date | None
    typical: bool
    violation: str

    @staticmethod
    def resolve_enterprise_name(obj):
        return obj.enterprise.name

    @staticmethod
    def resolve_unit(obj):
        return obj.unit.name


class OrderOut(Schema):
    id: int
    number: str
    enterprise_id: int
    enterprise_name: str
    unit: str
    status: str
    deadline: date
    items: str
    reviewed_on: date | None
    review_opinion: str

    @staticmethod
    def resolve_enterprise_name(obj):
        return obj.enterprise.name

    @staticmethod
    def resolve_unit(obj):
        return obj.unit.name


CaseFilters = selectors.CASE_FILTERS.schema("CaseFilters")
OrderFilters = selectors.ORDER_FILTERS.schema("OrderFilters")


@router.get("/cases", response=list[CaseOut])
@paginate(PageNumberPagination, page_size=50)
def list_cases(request, filters: Query[CaseFilters]):
    require_capability(request.user, "enforcement.view")
    return selectors.case_list(user=request.user, filters=filters.dict())


@router.get("/cases/{int:pk}", response=CaseOut)
def get_case(request, pk: int):
    return selectors.case_get(user=request.user, pk=pk)


@router.get("/orders", response=list[OrderOut])
@paginate(PageNumberPagination, page_size=50)
def list_orders(request, filters: Query[OrderFilters]):
    require_capability(request.user, "enforcement.view")
    return selectors.order_list(user=request.user, filters=filters.dict())


@router.get("/orders/{int:pk}", response=OrderOut)
def get_order(request, pk: int):
    return selectors.order_get(user=request.user, pk=pk)
