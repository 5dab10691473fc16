"""Enterprise endpoints: list (same filters as the page), detail, create and partial update, all scoped.

Writes call the same services as the pages; their ApplicationError becomes 400/403/404 in zhiben/api.py.
"""

from datetime import datetime
from decimal import Decimal

from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from zhiben.core.api import Pages, refusals
from zhiben.core.views import require_capability

from . import selectors, services
from .filters import ENTERPRISE_FILTERS

router = Router(tags=["生产经营单位"])


class EnterpriseOut(Schema):
    id: int
    credit_code: str
    name: str
    region_id: str
    region_name: str
    industry: str
    address: str
    high_risk: bool
    status: str
    principal: str

    @staticmethod
    def resolve_region_name(obj):
        return obj.region.name

    @staticmethod
    def resolve_industry(obj):
        return obj.industry.code


class EnterpriseDetailOut(EnterpriseOut):
    industry_name: str
    economic_code: str
    directly_supervised: bool
    scale: str
    employees: int | None
    principal_phone: str
    controller: str
    controller_phone: str
    safety_manager: str
    safety_manager_phone: str
    standard_grade: str
    liability_insurance: bool
    longitude: Decimal | None
    latitude: Decimal | None
    remarks: str
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_industry_name(obj):
        return obj.industry.name


class EnterpriseIn(Schema):
    """Fields to write. Values are checked by the service with the same rules as the Excel import:
    region is a 6/9/12-digit code, industry a code or name, choices a value or its Chinese label."""

    credit_code: str | None = None
    name: str | None = None
    region: str | None = None
    address: str | None = None
    industry: str | None = None
    economic_code: str | None = None
    high_risk: bool | None = None
    directly_supervised: bool | None = None
    scale: str | None = None
    employees: int | None = None
    principal: str | None = None
    principal_phone: str | None = None
    controller: str | None = None
    controller_phone: str | None = None
    safety_manager: str | None = None
    safety_manager_phone: str | None = None
    standard_grade: str | None = None
    liability_insurance: bool | None = None
    status: str | None = None
    longitude: Decimal | None = None
    latitude: Decimal | None = None
    remarks: str | None = None


EnterpriseFilters = ENTERPRISE_FILTERS.schema("EnterpriseFilters")


@router.get("/", response={200: list[EnterpriseOut], **refusals(403)})
@paginate(Pages, page_size=50)
def list_enterprises(request, filters: Query[EnterpriseFilters]):
    """The enterprises in scope: the same filters as the page and its export (enterprises/filters.py)."""
    require_capability(request.user, "enterprise.view")
    return selectors.enterprise_list(user=request.user, filters=filters)


@router.get("/{pk}", response={200: EnterpriseDetailOut, **refusals(403, 404)})
def get_enterprise(request, pk: int):
    require_capability(request.user, "enterprise.view")
    return selectors.enterprise_get(user=request.user, pk=pk)


@router.post("/", response={201: EnterpriseDetailOut, **refusals(400, 403)})
def create_enterprise(request, payload: EnterpriseIn):
    require_capability(request.user, "enterprise.add")
    enterprise = services.enterprise_create(actor=request.user, data=payload.dict(exclude_unset=True))
    return Status(201, selectors.enterprise_get(user=request.user, pk=enterprise.pk))


@router.patch("/{pk}", response={200: EnterpriseDetailOut, **refusals(400, 403, 404)})
def update_enterprise(request, pk: int, payload: EnterpriseIn):
    require_capability(request.user, "enterprise.change")
    enterprise = selectors.enterprise_get(user=request.user, pk=pk)
    services.enterprise_update(actor=request.user, enterprise=enterprise, data=payload.dict(exclude_unset=True))
    return selectors.enterprise_get(user=request.user, pk=pk)
