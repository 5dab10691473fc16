"""The campaigns API: campaigns with their progress, a campaign's checks (list, record), its
unchecked targets. Scoped like the pages: a campaign or check out of scope is a 404."""

from datetime import date as Date

from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from zhiben.core.api import Pages, refusals
from zhiben.core.views import require_capability

from . import selectors, services
from .filters import CAMPAIGN_FILTERS, CHECK_FILTERS

router = Router(tags=["专项整治"])


class ColumnOut(Schema):
    key: str
    label: str
    type: str
    choices: list[str]
    required: bool
    problem: bool = False


class CampaignItemOut(Schema):
    id: int
    sort: int
    text: str
    method: str


class RegionProgressOut(Schema):
    code: str
    name: str
    targets: int
    checked: int
    unchecked: int
    percent: int
    hazards: int
    closed: int


class ProgressOut(Schema):
    targets: int
    checked: int
    unchecked: int
    percent: int
    checks: int
    hazards: int
    closed: int


class DetailProgressOut(ProgressOut):
    by_region: list[RegionProgressOut]


class CampaignOut(Schema):
    id: int
    name: str
    region_id: str
    region_name: str
    status: str
    start_date: Date
    end_date: Date
    industries: list[str]
    place_kinds: list[str]
    progress: ProgressOut

    @staticmethod
    def resolve_region_name(obj):
        return obj.region.name

    @staticmethod
    def resolve_industries(obj):
        return [i.code for i in obj.industries.all()]

    @staticmethod
    def resolve_progress(obj, context):
        return selectors.campaign_progress(obj, context["request"].user, by_region=False)


class CampaignDetailOut(CampaignOut):
    description: str
    place_industry: str | None
    checklist_name: str | None
    checklist_items: list[CampaignItemOut]
    columns: list[ColumnOut]
    progress: DetailProgressOut

    @staticmethod
    def resolve_place_industry(obj):
        return obj.place_industry.code if obj.place_industry_id else None

    @staticmethod
    def resolve_checklist_name(obj):
        return obj.checklist.name if obj.checklist_id else None

    @staticmethod
    def resolve_checklist_items(obj):
        return services.checklist_items(obj)

    @staticmethod
    def resolve_progress(obj, context):
        return selectors.campaign_progress(obj, context["request"].user)


class CheckItemOut(Schema):
    sort: int
    text: str
    result: str
    note: str
    hazard_id: int | None


class CheckOut(Schema):
    id: int
    campaign_id: int
    target: str
    target_name: str
    enterprise_id: int | None
    place_id: int | None
    region_id: str
    date: Date
    checker: str
    unit_name: str
    values: dict
    note: str
    hazard_count: int
    closed_count: int
    hazard_numbers: list[str]
    items: list[CheckItemOut]

    @staticmethod
    def resolve_target(obj):
        return obj.target_key

    @staticmethod
    def resolve_target_name(obj):
        return obj.target.name

    @staticmethod
    def resolve_hazard_numbers(obj, context):
        from zhiben.hazards.models import Hazard

        return list(
            Hazard.objects.for_user(context["request"].user)
            .filter(campaign_checks=obj)
            .order_by("id")
            .values_list("number", flat=True)
        )

    @staticmethod
    def resolve_items(obj):
        return list(obj.items.all())


class TargetOut(Schema):
    key: str
    name: str
    region_id: str
    what: str
    checks: int
    last_date: Date | None


class CheckIn(Schema):
    target: str
    date: Date | None = None
    checker: str = ""
    unit_name: str = ""
    values: dict = {}
    results: dict = {}
    note: str = ""
    report_hazards: bool = True


CampaignFilters = CAMPAIGN_FILTERS.schema("CampaignFilters")
CheckFilters = CHECK_FILTERS.schema("CampaignCheckFilters")


@router.get("/", response={200: list[CampaignOut], **refusals(403)})
@paginate(Pages, page_size=20)
def list_campaigns(request, filters: Query[CampaignFilters]):
    """Campaigns the user may see (owned in the user's region subtree, or by its upper levels), with
    progress in the user's scope: targets, checked, unchecked, checks, hazards found and closed."""
    require_capability(request.user, "campaign.view")
    return selectors.campaign_list(user=request.user, filters=filters).prefetch_related("industries")


@router.get("/{pk}", response={200: CampaignDetailOut, **refusals(403, 404)})
def get_campaign(request, pk: int):
    """One campaign: its columns, checklist items (their ids key `results` when recording a check) and
    progress with the breakdown one region level below the owner. 404 when out of scope."""
    require_capability(request.user, "campaign.view")
    return selectors.campaign_get(user=request.user, pk=pk)


@router.get("/{pk}/checks", response={200: list[CheckOut], **refusals(403, 404)})
@paginate(Pages, page_size=50)
def list_checks(request, pk: int, filters: Query[CheckFilters]):
    """The campaign's checks in the user's scope, newest first, with column values and hazards."""
    require_capability(request.user, "campaign.view")
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    return selectors.check_list(user=request.user, campaign=campaign, filters=filters).prefetch_related("items")


@router.get("/{pk}/targets", response={200: list[TargetOut], **refusals(403, 404)})
@paginate(Pages, page_size=100)
def list_targets(request, pk: int, checked: str = ""):
    """The campaign's targets in the user's scope (`checked`=0 the unchecked ones, 1 the checked);
    `key` is what `target` takes when recording a check (e12 an enterprise, p7 a place)."""
    require_capability(request.user, "campaign.view")
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    from zhiben.core.filters import flag

    return selectors.target_rows(campaign, request.user, checked=flag(checked))


@router.post("/{pk}/checks", response={201: CheckOut, **refusals(400, 403, 404)})
def record_check(request, pk: int, payload: CheckIn):
    """Record a check of an active campaign (photos are added on the page). `values` by column key,
    `results` by checklist item id ({"result": "pass"|"fail"|"na", "note": ""}). Findings become
    hazards linked to the check. 400 with Chinese messages (and `errors` by field) when refused."""
    require_capability(request.user, "campaign.check")
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    check = services.check_record(actor=request.user, campaign=campaign, data=payload.dict())
    return Status(201, selectors.check_list(user=request.user, campaign=campaign).get(pk=check.pk))
