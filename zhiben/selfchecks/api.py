"""Self-inspection endpoints: records (list with the page's filters, detail, create from an enterprise's
own system) and compliance over a period. Scoped like the pages; errors in Chinese (zhiben/api.py)."""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from zhiben.core.api import Pages, refusals
from zhiben.core.views import require_capability

from . import selectors, services
from .choices import Source
from .filters import RECORD_FILTERS
from .models import SelfInspection
from .periods import parse_window

router = Router(tags=["企业自查"])


class RecordOut(Schema):
    id: int
    enterprise_id: int
    enterprise_name: str
    duty: str
    duty_name: str
    date: date
    inspector: str
    participants: str
    scope: str
    findings: int
    note: str
    source: str
    hazard_ids: list[int]
    created_at: datetime

    @staticmethod
    def resolve_enterprise_name(obj):
        return obj.enterprise.name

    @staticmethod
    def resolve_duty(obj):
        return obj.duty.key

    @staticmethod
    def resolve_duty_name(obj):
        return obj.duty.name

    @staticmethod
    def resolve_hazard_ids(obj):
        return [h.pk for h in obj.hazards.all()]


class FindingIn(Schema):
    description: str
    location: str = ""


class RecordIn(Schema):
    """One self-inspection of the caller's own enterprise. `duty` is a duty key (team_daily,
    department_weekly, director_monthly, principal_quarterly, principal_monthly), id or name."""

    duty: str
    date: str
    inspector: str
    participants: str = ""
    scope: str = ""
    note: str = ""
    findings: list[FindingIn] = []


class CellOut(Schema):
    duty: str
    state: str
    covered: int
    expected: int
    required: int
    missed: int


class ComplianceRowOut(Schema):
    enterprise_id: int
    enterprise_name: str
    region_id: str
    state: str
    duties: list[CellOut]


class ComplianceFilters(Schema):
    period: str = ""
    region: str = ""
    industry: str = ""


RecordFilters = RECORD_FILTERS.schema("SelfInspectionFilters")


def _can_read(user):
    if not (user.can("selfcheck.monitor") or user.can("selfcheck.record")):
        raise PermissionDenied("您的角色无权查看企业自查记录。")


@router.get("/", response={200: list[RecordOut], **refusals(403)})
@paginate(Pages, page_size=50)
def list_records(request, filters: Query[RecordFilters]):
    """Records in scope, with the filters of the record list page."""
    _can_read(request.user)
    qs = SelfInspection.objects.for_user(request.user).select_related("enterprise", "duty").prefetch_related("hazards")
    return RECORD_FILTERS.filter(qs, filters.dict(), user=request.user)


@router.get("/compliance", response={200: list[ComplianceRowOut], **refusals(400, 403)})
@paginate(Pages, page_size=100)
def compliance(request, filters: Query[ComplianceFilters]):
    """Every operating enterprise in scope against the duties binding it over `period` (2026-11, 2026Q4 or
    2026; default: the current month)."""
    require_capability(request.user, "selfcheck.monitor")
    from django.utils import timezone

    from .periods import window_containing

    window = parse_window(filters.period) if filters.period else window_containing(timezone.localdate())
    rows, _, _ = selectors.compliance(
        user=request.user, window=window, region=filters.region, industry=filters.industry
    )
    return [
        {
            "enterprise_id": row.enterprise["pk"],
            "enterprise_name": row.enterprise["name"],
            "region_id": row.enterprise["region_id"],
            "state": row.state.value,
            "duties": [
                {
                    "duty": cell.duty.key,
                    "state": cell.state.value,
                    "covered": cell.covered,
                    "expected": cell.expected,
                    "required": cell.required,
                    "missed": cell.missed,
                }
                for cell in row.cells.values()
            ],
        }
        for row in rows
    ]


@router.get("/{pk}", response={200: RecordOut, **refusals(403, 404)})
def get_record(request, pk: int):
    return selectors.record_get(user=request.user, pk=pk)


@router.post("/", response={201: RecordOut, **refusals(400, 403)})
def create_record(request, payload: RecordIn):
    record = services.selfcheck_record(actor=request.user, data=payload.dict(), source=Source.API)
    return Status(201, selectors.record_get(user=request.user, pk=record.pk))
