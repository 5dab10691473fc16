"""Hazard endpoints: the ledger with the page's filters, detail with timeline, intake, transitions, evidence."""

from datetime import date
from decimal import Decimal

from django.http import Http404
from ninja import Field, File, Form, Header, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from zhiben.core.api import Pages, refusals
from zhiben.core.offline import Repeated, api_key, submitted_once
from zhiben.core.views import require_capability

from . import selectors, services
from .choices import AttachmentKind
from .filters import HAZARD_FILTERS

router = Router(tags=["事故隐患"])


class HazardOut(Schema):
    id: int
    number: str
    enterprise_id: int | None
    enterprise_name: str = Field("", alias="enterprise.name")
    place_name: str = Field("", alias="place.name")
    region_id: str
    industry: str
    channel: str
    level: str
    category: str
    description: str
    location: str
    found_date: date
    deadline: date | None
    status: str
    overdue: bool
    listed_level: str
    criteria_item_id: int | None
    historic: bool
    occurrence: int  # which time the same hazard is found at its enterprise or place (1: the first)
    responsible_phone: str

    @staticmethod
    def resolve_responsible_phone(obj):
        return obj.responsible_phone_masked  # personal data: in full only on the detail page

    @staticmethod
    def resolve_industry(obj):
        return obj.industry.code

    @staticmethod
    def resolve_overdue(obj):
        return obj.is_overdue()


class EventOut(Schema):
    at: str
    actor_name: str
    action: str
    from_status: str
    to_status: str
    note: str

    @staticmethod
    def resolve_at(obj):
        return obj.at.isoformat()


class HazardDetailOut(HazardOut):
    responsible_person: str
    measures: str
    funds: Decimal | None
    contingency: str
    rectified_date: date | None
    review_deadline: date | None = Field(None, description="销号审核期限：申请销号待审核时才有")
    events: list[EventOut]

    @staticmethod
    def resolve_review_deadline(obj):
        return obj.review_deadline if obj.review_days_left() is not None else None

    @staticmethod
    def resolve_events(obj):
        return list(obj.events.all())


class HazardIn(Schema):
    enterprise: int | None = None
    place_name: str = ""
    place_kind: str = ""
    region: str = ""
    industry: str = ""
    channel: str = ""
    level: str = "general"
    criteria_item: int | None = None
    criteria_other: str = ""
    category: str = ""
    description: str
    location: str = ""
    found_date: date | None = None
    found_by: str = ""
    deadline: date | None = None
    responsible_person: str = ""
    responsible_phone: str = ""
    measures: str = ""
    funds: Decimal | None = None
    contingency: str = ""
    source_ref: str = ""
    remarks: str = ""


class TransitionIn(Schema):
    action: str
    note: str = ""
    target: int | None = None
    rectified_date: date | None = None


HazardFilters = HAZARD_FILTERS.schema("HazardFilters")


@router.get("/", response={200: list[HazardOut], **refusals(403)})
@paginate(Pages, page_size=50)
def list_hazards(request, filters: Query[HazardFilters]):
    """The ledger: the same filters as the page and its export (declared once in hazards/filters.py)."""
    require_capability(request.user, "hazard.view")
    return selectors.hazard_list(user=request.user, filters=filters)


class HazardBatchIn(Schema):
    items: list[HazardIn]


class HazardBatchOut(Schema):
    created: int
    items: list[HazardOut]


IDEMPOTENCY = (
    "可选：调用方为这次提交生成的唯一标识（16～64 位字母、数字、“-”或“_”，如一个 UUID）。超时或断线后以同一标识重试，"
    "不会重复写入：返回 200 与首次调用所建的记录。标识保留 30 天。"
)


def _once(request, key, save):
    """save() → the hazards it wrote, once per Idempotency-Key: (201, hazards), or (200, the first call's hazards)."""
    if key is None:
        return 201, save()
    try:
        with submitted_once(request.user, key) as memo:
            hazards = save()
            memo.ids = [h.pk for h in hazards]
    except Repeated as repeated:
        found = selectors.hazard_list(user=request.user).filter(pk__in=repeated.memo.ids).order_by("pk")
        return 200, list(found)
    return 201, hazards


@router.post("/batch", response={200: HazardBatchOut, 201: HazardBatchOut, **refusals(400, 403)})
def create_hazards(
    request,
    payload: HazardBatchIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", description=IDEMPOTENCY),
):
    """Take many hazards in one call (integrations; at most BATCH_MAX, 1,000 by default): all or
    nothing — if any item is refused, none is written and `errors` names each (`items.3.description`)."""
    items = [item.dict() for item in payload.items]
    status, hazards = _once(
        request, api_key(idempotency_key), lambda: services.hazard_report_batch(actor=request.user, items=items)
    )
    return Status(status, {"created": len(hazards), "items": hazards})


class BatchTransitionIn(Schema):
    ids: list[int] = Field(..., description="要处理的隐患 id（一次最多 BATCH_MAX 条，默认 1,000）")
    action: str = Field(..., description="verify、reject、start、submit、return 或 close（merge 须逐条）")
    note: str = Field("", description="意见或理由：reject、return 须填写理由，close 须填写审核意见")


class BatchFailure(Schema):
    id: int
    number: str = Field("", description="隐患编号；不存在或不在管辖范围内时为空")
    message: str


class BatchTransitionOut(Schema):
    done: list[HazardOut]
    failed: list[BatchFailure]


# declared before the /{pk} routes, which would take "transitions" for a pk
@router.post("/transitions", response={200: BatchTransitionOut, **refusals(400, 403)})
def transition_hazards(request, payload: BatchTransitionIn):
    """One workflow step on many hazards: each moved in a transaction of its own; those that cannot be moved (state
    changed, no duty, not found) are listed in `failed` with the reason, and the others are done. A request that
    cannot apply to any (unknown action, merge, no ids, too many, a missing note) is refused whole with 400."""
    require_capability(request.user, "hazard.view")
    done, failed = services.hazard_transition_many(
        actor=request.user, ids=payload.ids, action=payload.action, note=payload.note
    )
    return {
        "done": selectors.hazard_list(user=request.user).filter(pk__in=[h.pk for h in done]).order_by("pk"),
        "failed": [
            {"id": key, "number": hazard.number if hazard else "", "message": message}
            for hazard, key, message in failed
        ],
    }


@router.get("/{pk}", response={200: HazardDetailOut, **refusals(403, 404)})
def get_hazard(request, pk: int):
    require_capability(request.user, "hazard.view")
    return selectors.hazard_get(user=request.user, pk=pk)


@router.post("/", response={200: HazardOut, 201: HazardOut, **refusals(400, 403, 404)})
def create_hazard(
    request,
    payload: HazardIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", description=IDEMPOTENCY),
):
    """Take a hazard in; returns the new record (its timeline is at GET /hazards/{id})."""
    data = payload.dict()
    status, hazards = _once(
        request, api_key(idempotency_key), lambda: [services.hazard_report(actor=request.user, data=data)]
    )
    if not hazards:  # created by the first call, no longer visible to the caller
        raise Http404
    return Status(status, hazards[0])


@router.post("/{pk}/transitions", response={200: HazardDetailOut, **refusals(400, 403, 404)})
def transition_hazard(request, pk: int, payload: TransitionIn):
    require_capability(request.user, "hazard.view")  # before the lookup: no 403/404 difference to probe ids with
    hazard = selectors.hazard_get(user=request.user, pk=pk)
    services.hazard_transition(
        actor=request.user,
        hazard=hazard,
        action=payload.action,
        note=payload.note,
        target=payload.target,
        rectified_date=payload.rectified_date,
    )
    return selectors.hazard_get(user=request.user, pk=pk)


@router.post("/{pk}/attachments", response={201: list[str], **refusals(400, 403, 404)})
def upload_attachments(
    request, pk: int, kind: Form[str] = AttachmentKind.AFTER, files: File[list[UploadedFile]] = None
):
    require_capability(request.user, "hazard.view")
    hazard = selectors.hazard_get(user=request.user, pk=pk)
    saved = services.hazard_attach(actor=request.user, hazard=hazard, kind=kind, files=files or [])
    return Status(201, [a.sha256 for a in saved])
