"""Training endpoints (安全培训), read only, for the provincial training and certificate systems and the reports a
committee sends up: the coverage figures of the 培训覆盖率 page, special-operation certificates with the
certificate page's filters, and training sessions with their attendance. Scoped like the pages: out of view is a 404,
without `training.view` a 403. Identity numbers are never answered."""

from datetime import date
from decimal import Decimal

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from zhiben.core.api import Pages, refusals
from zhiben.core.views import require_capability

from . import selectors

router = Router(tags=["安全培训"])


class CoverageQuery(Schema):
    region: str = Field("", description="区划代码（本辖区内；其他辖区的为 404），空为整个辖区")
    industry: str = Field("", description="行业代码，空为全部行业")
    year: int | None = Field(None, ge=2000, le=2100, description="年度，默认今年")
    start: date | None = Field(None, description="统计起日（与 end 同时给出时代替 year）")
    end: date | None = Field(None, description="统计止日（含）")


class CoverageOut(Schema):
    """One figure of 培训覆盖率: `covered` of `expected` (`value` in percent, null when nobody is counted) and how
    many are `missing` (`missing_label` says who they are, as the page's list does)."""

    key: str
    label: str
    value: Decimal | None
    covered: int
    expected: int
    missing: int
    missing_label: str


@router.get("/coverage", response={200: list[CoverageOut], **refusals(403, 404)})
def coverage(request, query: Query[CoverageQuery]):
    """Every coverage figure for the region, industry and period asked, as the 培训覆盖率 page shows them."""
    require_capability(request.user, selectors.VIEW)
    args = selectors.coverage_args(request.user, **query.dict())
    return [
        {
            "key": figure.key,
            "label": figure.label,
            "value": figure.value,
            "covered": figure.numerator,
            "expected": figure.denominator,
            "missing": len(figure.missing),
            "missing_label": figure.missing_label,
        }
        for figure in selectors.all_coverage(request.user, **args)
    ]


class CertificateOut(Schema):
    """A certificate (`kind` special: 特种作业操作证, with its `category`). `revoked`: 已注销 on `revoked_on`."""

    id: int
    person_id: int
    person_name: str = Field(alias="person.name")
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    category: str
    category_label: str = Field(alias="get_category_display")
    number: str
    issuer: str
    issued_on: date
    expires_on: date
    revoked: bool
    revoked_on: date | None
    region_code: str = Field(alias="region_id")
    enterprise_id: int | None


CertificateFilters = selectors.CERTIFICATE_FILTERS.schema("CertificateFilters")


@router.get("/certificates", response={200: list[CertificateOut], **refusals(403)})
@paginate(Pages, page_size=50)
def list_certificates(request, filters: Query[CertificateFilters]):
    """Certificates in the caller's view, the earliest expiry first, with the filters and sorts of the 证书 page
    (`expiring=1` those about to expire, `expiring=0` those expired)."""
    require_capability(request.user, selectors.VIEW)
    return selectors.certificate_list(user=request.user, filters=filters.dict())


class SessionOut(Schema):
    id: int
    title: str
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    region_code: str = Field(alias="region_id")
    enterprise_id: int | None
    organiser: str
    body_id: int | None
    held_on: date
    hours: Decimal
    topics: str
    has_exam: bool


class AttendanceOut(Schema):
    person_id: int
    person_name: str = Field(alias="person.name")
    attended: bool
    score: Decimal | None
    result: str
    result_label: str = Field(alias="get_result_display")


class SessionDetailOut(SessionOut):
    attendance: list[AttendanceOut]


SessionFilters = selectors.SESSION_FILTERS.schema("SessionFilters")


@router.get("/sessions", response={200: list[SessionOut], **refusals(403)})
@paginate(Pages, page_size=50)
def list_sessions(request, filters: Query[SessionFilters]):
    """Training sessions in the caller's view, the latest first, with the filters and sorts of the 培训记录 page."""
    require_capability(request.user, selectors.VIEW)
    return selectors.session_list(user=request.user, filters=filters.dict())


@router.get("/sessions/{pk}", response={200: SessionDetailOut, **refusals(403, 404)})
def get_session(request, pk: int):
    """One session with who attended, their score and result; 404 when it does not exist or is out of view."""
    require_capability(request.user, selectors.VIEW)
    session = selectors.session_get(request.user, pk)
    session.attendance = list(session.attendances.select_related("person").order_by("id"))
    return session
