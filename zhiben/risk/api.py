"""Risk endpoints (双重预防: 风险分级管控), read only, for the provincial 双重预防 systems and the systems of
enterprises' own: risk points in the caller's view with the filters and sorts of the 风险点 page, and one point with
its control measures and the hazards found at it. Scoped like the pages: out of view is a 404, without `risk.view`
a 403."""

from datetime import date
from decimal import Decimal

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from zhiben.core.api import Pages, refusals
from zhiben.core.views import require_capability

from . import selectors

router = Router(tags=["风险分级管控"])


class RiskPointOut(Schema):
    """A risk point. `method` lec (D = L × E × C) or ls (R = L × S), its factors in the `_score` fields and the
    result in `score`; `level` major/larger/general/low with its colour (红橙黄蓝) in `level_label`, which may differ
    from `score_level` when the point was judged major directly (`direct_reason`, e.g. a 重大事故隐患判定标准 item).
    `active` false: taken out of use (the list gives the points in use unless `active=0` asks for the others)."""

    id: int
    enterprise_id: int
    enterprise_name: str
    region_code: str
    industry: str = Field("", alias="industry.code")
    name: str
    kind: str
    kind_label: str
    location: str
    factors: str
    accident_types: str
    method: str
    l_score: Decimal
    e_score: Decimal | None
    c_score: Decimal | None
    s_score: int | None
    score: Decimal
    exposed: int
    score_level: str
    level: str
    level_label: str
    direct_reason: str
    control_level: str
    responsible: str
    reviewed_on: date | None
    next_review: date | None
    active: bool

    @staticmethod
    def resolve_enterprise_name(obj):
        return obj.enterprise.name

    @staticmethod
    def resolve_region_code(obj):
        return obj.region_id

    @staticmethod
    def resolve_kind_label(obj):
        return obj.get_kind_display()

    @staticmethod
    def resolve_level_label(obj):
        return obj.level_text


class ControlMeasureOut(Schema):
    type: str
    type_label: str
    control_level: str
    text: str
    responsible: str

    @staticmethod
    def resolve_type_label(obj):
        return obj.get_type_display()


class RiskPointDetailOut(RiskPointOut):
    measures: list[ControlMeasureOut]
    hazard_ids: list[int]  # the hazards found at the point that the caller may see, open ones first


RiskFilters = selectors.RISK_FILTERS.schema("RiskFilters")


@router.get("/points", response={200: list[RiskPointOut], **refusals(403)})
@paginate(Pages, page_size=50)
def list_points(request, filters: Query[RiskFilters]):
    """Risk points in the caller's view, the highest level first, with the filters and sorts of the 风险点 page."""
    require_capability(request.user, "risk.view")
    return selectors.point_list(user=request.user, filters=filters.dict())


@router.get("/points/{pk}", response={200: RiskPointDetailOut, **refusals(404)})
def get_point(request, pk: int):
    """One risk point with its control measures and the hazards found at it; 404 when it does not exist or is out
    of the caller's view."""
    point = selectors.point_get(user=request.user, pk=pk)
    point.hazard_ids = [link.hazard_id for link in selectors.point_hazards(point, request.user)]
    return point
