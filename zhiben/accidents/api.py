"""Accident endpoints, read only, for the statistics and provincial systems the office reports to: accidents in the
caller's view with the filters and sorts of the 事故 page, and one accident with its reporting chain (each
level's time limit and when it was reported), its investigation and its corrective measures. Scoped like the
pages: out of view is a 404, without `accident.view` a 403."""

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from zhiben.core.api import Pages, refusals
from zhiben.core.views import require_capability

from . import selectors

router = Router(tags=["生产安全事故"])


class AccidentOut(Schema):
    """An accident. `enterprise_id` is null for a place that is not a registered enterprise (`place_name`).
    `grade`, `type` and `status` are keys; their Chinese in the `_label` fields."""

    id: int
    number: str
    occurred_at: datetime
    learned_at: datetime
    region_code: str
    region_name: str
    address: str
    enterprise_id: int | None
    enterprise_name: str = Field("", alias="enterprise.name")
    place_name: str
    industry: str
    industry_name: str
    type: str
    type_label: str
    road_traffic: bool
    deaths: int
    missing: int
    serious_injuries: int
    minor_injuries: int
    direct_loss: Decimal
    account: str
    grade: str
    grade_label: str
    status: str
    status_label: str
    listed: bool
    closed_at: datetime | None

    @staticmethod
    def resolve_region_code(obj):
        return obj.region_id

    @staticmethod
    def resolve_region_name(obj):
        return obj.region.name

    @staticmethod
    def resolve_industry(obj):
        return obj.industry.code

    @staticmethod
    def resolve_industry_name(obj):
        return obj.industry.name

    @staticmethod
    def resolve_type_label(obj):
        return obj.get_type_display()

    @staticmethod
    def resolve_grade_label(obj):
        return obj.get_grade_display()

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()


class AccidentStepOut(Schema):
    """A report along the chain: to whom (`level`), by when, when it was made; `state` as the page says it
    (按时报告, 已超时报告, 计时中, 已超时未报)."""

    level: str
    level_label: str
    due_at: datetime
    reported_at: datetime | None
    recipient: str
    method: str
    state: str
    late: bool


class AccidentInvestigationOut(Schema):
    lead_unit: str
    leader: str
    started_on: date
    report_due: date
    extended_days: int
    submitted_on: date | None
    approval_due: date | None
    approved_on: date | None
    approval_number: str
    causes: str


class AccidentMeasureOut(Schema):
    """A corrective measure. `status`: its key (its Chinese in `status_label`); `hazard_id`: the hazard tracking
    it, when one does."""

    text: str
    responsible: str
    deadline: date
    status: str
    status_label: str
    done_on: date | None
    hazard_id: int | None

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()


class AccidentDetailOut(AccidentOut):
    steps: list[AccidentStepOut]
    investigation: AccidentInvestigationOut | None
    measures: list[AccidentMeasureOut]

    @staticmethod
    def resolve_steps(obj):
        return [
            {
                "level": step.level,
                "level_label": step.get_level_display(),
                "due_at": step.due_at,
                "reported_at": step.reported_at,
                "recipient": step.recipient,
                "method": step.method,
                "state": state,
                "late": minutes < 0,
            }
            for step, state, minutes in selectors.clocks(obj)
        ]

    @staticmethod
    def resolve_investigation(obj):
        return getattr(obj, "investigation", None)

    @staticmethod
    def resolve_measures(obj):
        return list(obj.measures.all())


AccidentFilters = selectors.ACCIDENT_FILTERS.schema("AccidentFilters")


@router.get("/", response={200: list[AccidentOut], **refusals(403)})
@paginate(Pages, page_size=50)
def list_accidents(request, filters: Query[AccidentFilters]):
    """Accidents in the caller's view, newest first, with the filters and sorts of the 事故 page (`late=1`: a
    report along the chain made late or still owed past its time limit; `larger=1`: 较大及以上)."""
    require_capability(request.user, "accident.view")
    return selectors.accident_list(user=request.user, filters=filters.dict())


@router.get("/{pk}", response={200: AccidentDetailOut, **refusals(404)})
def get_accident(request, pk: int):
    """One accident with its reporting chain, investigation and measures; 404 when it does not exist or is out of
    the caller's view."""
    return selectors.accident_get(user=request.user, pk=pk)
