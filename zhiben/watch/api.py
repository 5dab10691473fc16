"""值班值守 endpoints, read only, for the systems a duty room works beside (a hotline, a provincial platform, a big
screen): the units keeping a roster, who is on duty over a period, the duty log, and the information reports
(信息报送) with their chain of levels. Scoped like the pages: a unit or report out of the caller's view is a 404,
without `watch.view` a 403. Phone numbers are shown in full only to whoever keeps that unit's roster, masked to
the others, as on the pages."""

from datetime import date, datetime

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from zhiben.core.api import Pages, refusals
from zhiben.core.exceptions import ApplicationError
from zhiben.core.views import require_capability

from . import selectors

router = Router(tags=["值班值守"])


class DutyUnitOut(Schema):
    """A unit keeping a roster. `kind`: committee 安委办, department 监管部门, other 其他单位."""

    id: int
    name: str
    kind: str
    region_code: str

    @staticmethod
    def resolve_region_code(obj):
        return obj.region_id


class DutyPersonOut(Schema):
    name: str
    phone: str  # in full to whoever keeps the unit's roster, masked (138****8000) to the others; "" when none


class DutyShiftOut(Schema):
    """One shift in force on one day, filled or not (`leaders` and `staff` empty: nobody is on it yet).
    `earlier_rule`: written under a shift rule since changed (the pages show it as “（原班次）”)."""

    day: date
    shift: str
    starts_at: datetime
    ends_at: datetime
    leaders: list[DutyPersonOut]
    staff: list[DutyPersonOut]
    earlier_rule: bool = False


class RosterOut(Schema):
    unit: DutyUnitOut
    start: date
    end: date
    shifts: list[DutyShiftOut]


class DutyLogEntryOut(Schema):
    """A duty log entry. `kind`: the 类型 of the page (its label in `kind_label`)."""

    id: int
    unit_id: int
    unit_name: str
    duty_date: date
    at: datetime
    kind: str
    kind_label: str
    content: str
    recorded_by_name: str

    @staticmethod
    def resolve_unit_name(obj):
        return obj.unit.name

    @staticmethod
    def resolve_duty_date(obj):
        return obj.duty_day.day

    @staticmethod
    def resolve_kind_label(obj):
        return obj.get_kind_display()


class EventReportOut(Schema):
    """An information report (信息报送) of an emergency or accident. `status`: open 报送中, closed 已终报.
    `late`: one of its levels passed it on after its deadline, or (open) has not and the deadline is gone."""

    id: int
    number: str
    kind: str
    kind_label: str
    title: str
    description: str
    region_code: str
    region_name: str
    place: str
    occurred_at: datetime
    deaths: int
    missing: int
    injured: int
    measures: str
    reporter_unit: str = Field("", alias="reporter_unit.name")
    reporter_name: str
    status: str
    status_label: str
    closed_at: datetime | None
    late: bool

    @staticmethod
    def resolve_kind_label(obj):
        return obj.get_kind_display()

    @staticmethod
    def resolve_region_code(obj):
        return obj.region_id

    @staticmethod
    def resolve_region_name(obj):
        return obj.region.name

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()

    @staticmethod
    def resolve_late(obj):
        return bool(obj.is_late)


class ReportLevelOut(Schema):
    """One level of the report's chain, from the top down: when it received the report, by when it had to pass it
    on (none at the top) and when it did; the same for the written report."""

    level: int
    region_code: str
    region_name: str
    received_at: datetime
    deadline_at: datetime | None
    passed_at: datetime | None
    passed_by_name: str
    late: bool
    written_deadline_at: datetime | None
    written_at: datetime | None
    written_by_name: str
    written_late: bool

    @staticmethod
    def resolve_region_code(obj):
        return obj.region_id

    @staticmethod
    def resolve_region_name(obj):
        return obj.region.name

    @staticmethod
    def resolve_late(obj):
        return obj.late()

    @staticmethod
    def resolve_written_late(obj):
        return obj.written_late()


class ReportUpdateOut(Schema):
    """A 续报 (`kind` follow) or the 终报 (final), with the casualty figures when they changed."""

    kind: str
    kind_label: str
    at: datetime
    text: str
    deaths: int | None
    missing: int | None
    injured: int | None
    created_by_name: str

    @staticmethod
    def resolve_kind_label(obj):
        return obj.get_kind_display()


class EventReportDetailOut(EventReportOut):
    levels: list[ReportLevelOut]
    updates: list[ReportUpdateOut]

    @staticmethod
    def resolve_levels(obj):
        return obj.chain

    @staticmethod
    def resolve_updates(obj):
        return list(obj.updates.all())


LogFilters = selectors.LOG_FILTERS.schema("WatchLogFilters")
ReportFilters = selectors.REPORT_FILTERS.schema("WatchReportFilters")


class RosterQuery(Schema):
    unit: int | None = None
    start: date
    end: date


def _unit(user, pk):
    require_capability(user, "watch.view")
    unit = selectors.unit_get(user, pk) if pk is not None else selectors.default_unit(user)
    if unit is None:
        raise ApplicationError("您的辖区内没有编排值班表的单位。", code="no_unit")
    return unit


def _people(people, full):
    return [{"name": p.name, "phone": p.phone if full else p.phone_masked} for p in people]


@router.get("/units", response={200: list[DutyUnitOut], **refusals(403)})
def list_units(request):
    """The units in the caller's view that keep a roster (every 安委办, and any unit with a duty day)."""
    require_capability(request.user, "watch.view")
    return list(selectors.roster_units(request.user))


@router.get("/roster", response={200: RosterOut, **refusals(400, 403, 404)})
def get_roster(request, query: Query[RosterQuery]):
    """A unit's roster (the caller's own unit, else the 安委办 of their jurisdiction, when `unit` is not given)
    from `start` to `end`, at most 92 days: every shift in force on each day, filled or not."""
    unit = _unit(request.user, query.unit)
    problem = selectors.roster_period_problem(query.start, query.end)
    if problem:
        raise ApplicationError(problem, code="bad_period")
    full = selectors.can_manage_unit(request.user, unit)
    shifts = []
    for row in selectors.roster_days(unit, query.start, query.end):
        cells = [(c["shift"], c["starts_at"], c["ends_at"], c["slot"], False) for c in row["cells"]]
        cells += [(s.shift, s.starts_at, s.ends_at, s, True) for s in row["other_slots"]]
        for shift, starts_at, ends_at, slot, earlier in cells:
            shifts.append(
                {
                    "day": row["day"],
                    "shift": shift,
                    "starts_at": starts_at,
                    "ends_at": ends_at,
                    "leaders": _people(slot.leaders if slot else [], full),
                    "staff": _people(slot.staff if slot else [], full),
                    "earlier_rule": earlier,
                }
            )
    return {"unit": unit, "start": query.start, "end": query.end, "shifts": shifts}


@router.get("/log", response={200: list[DutyLogEntryOut], **refusals(403)})
@paginate(Pages, page_size=50)
def list_log(request, filters: Query[LogFilters]):
    """Duty log entries of the units in the caller's view, newest first, with the filters of 值班日志查询."""
    require_capability(request.user, "watch.view")
    return selectors.log_list(user=request.user, filters=filters.dict())


@router.get("/reports", response={200: list[EventReportOut], **refusals(403)})
@paginate(Pages, page_size=50)
def list_reports(request, filters: Query[ReportFilters]):
    """Information reports in the caller's view, with the filters and sorts of the 信息报送 page (`late=1`: with
    a late level)."""
    require_capability(request.user, "watch.view")
    return selectors.report_list(user=request.user, filters=filters.dict())


@router.get("/reports/{pk}", response={200: EventReportDetailOut, **refusals(404)})
def get_report(request, pk: int):
    """One information report with its levels and its 续报/终报; 404 when it does not exist or is out of the
    caller's view."""
    report = selectors.report_get(user=request.user, pk=pk)
    report.chain = list(report.levels.all())
    for level in report.chain:
        level.report = report  # its late() reads the report's status without a query
    report.is_late = any(level.late() for level in report.chain)
    return report
