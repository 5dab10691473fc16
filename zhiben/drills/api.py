"""Emergency drill endpoints (应急演练与救援队伍), read only, for the provincial emergency systems and the reports a
committee sends up: the drills and the rescue teams in the caller's view with the filters and sorts of their pages,
and one drill. Scoped like the pages: out of view is a 404, without `drill.view` a 403."""

from datetime import date

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from zhiben.core.api import Pages, refusals
from zhiben.core.views import require_capability

from . import selectors

router = Router(tags=["应急演练"])


class DrillOut(Schema):
    """A drill an enterprise held (`form` live: 实战演练, tabletop: 桌面推演)."""

    id: int
    enterprise_id: int
    enterprise_name: str = Field(alias="enterprise.name")
    region_code: str = Field(alias="region_id")
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    form: str
    form_label: str = Field(alias="get_form_display")
    held_on: date
    participants: int
    scenario: str
    evaluation: str


DrillFilters = selectors.DRILL_FILTERS.schema("DrillFilters")


@router.get("/", response={200: list[DrillOut], **refusals(403)})
@paginate(Pages, page_size=50)
def list_drills(request, filters: Query[DrillFilters]):
    """Drills in the caller's view, the latest first, with the filters and sorts of the 应急演练 page."""
    require_capability(request.user, selectors.VIEW)
    return selectors.drill_list(user=request.user, filters=filters.dict())


class RescueTeamOut(Schema):
    """A rescue team (`level` town: 镇级, village: 村级, industry: 行业专业 with its `industry`)."""

    id: int
    name: str
    level: str
    level_label: str = Field(alias="get_level_display")
    region_code: str = Field(alias="region_id")
    region_name: str = Field(alias="region.name")
    industry: str = Field("", alias="industry.code")
    members: int
    leader: str
    established_on: date
    active: bool


RescueTeamFilters = selectors.TEAM_FILTERS.schema("RescueTeamFilters")


@router.get("/teams", response={200: list[RescueTeamOut], **refusals(403)})
@paginate(Pages, page_size=50)
def list_teams(request, filters: Query[RescueTeamFilters]):
    """Rescue teams in the caller's view with the filters and sorts of the 救援队伍 page."""
    require_capability(request.user, selectors.VIEW)
    return selectors.team_list(user=request.user, filters=filters.dict())


@router.get("/{pk}", response={200: DrillOut, **refusals(403, 404)})
def get_drill(request, pk: int):
    """One drill; 404 when it does not exist or is out of the caller's view."""
    require_capability(request.user, selectors.VIEW)
    return selectors.drill_get(request.user, pk)
