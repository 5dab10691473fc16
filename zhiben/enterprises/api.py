"""Enterprise endpoints: list (same filters as the page) and detail, both scoped."""

from ninja import Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from zhiben.core.views import require_capability

from . import selectors

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


@router.get("/", response=list[EnterpriseOut])
@paginate(PageNumberPagination, page_size=50)
def list_enterprises(request, region: str = "", industry: str = "", high_risk: str = "", status: str = "", q: str = "", sort: str = ""):
    require_capability(request.user, "enterprise.view")
    filters = {"region": region, "industry": industry, "high_risk": high_risk, "status": status, "q": q, "sort": sort}
    return selectors.enterprise_list(user=request.user, filters=filters)


@router.get("/{int:pk}", response=EnterpriseOut)
def get_enterprise(request, pk: int):
    require_capability(request.user, "enterprise.view")
    return selectors.enterprise_get(user=request.user, pk=pk)
