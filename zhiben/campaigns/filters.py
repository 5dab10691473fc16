"""The filters of the campaign list and of a campaign's checks, declared once for the page and the API."""

from django.db.models import Q

from zhiben.core.filters import Filter, FilterSet, Sort, id_q, parse_date
from zhiben.core.scoping import normalize_code, region_chain, subtree_q

from .choices import Status


def region_options(user):
    from zhiben.hazards.filters import region_options as options

    return options(user)


def region_q(value, ctx):
    """Campaigns owned in the region's subtree or by its upper levels (the campaigns it carries out)."""
    code = normalize_code(value)
    if not code:
        return None
    return subtree_q(code) | Q(region_id__in=region_chain(code))


def status_q(value, ctx):
    return Q(status=value) if value in Status.values else None


def active_on(qs, value, ctx):
    day = parse_date(value)
    return qs if day is None else qs.filter(start_date__lte=day, end_date__gte=day)


CAMPAIGN_FILTERS = FilterSet(
    Filter("status", "状态", "choice", choices=Status.choices, q=status_q),
    Filter(
        "region",
        "区划",
        "choice",
        choices=region_options,
        q=region_q,
        help="12位区划代码：该区划及其下级牵头的专项整治，以及上级牵头、该区划须落实的专项整治",
    ),
    Filter("on", "进行日期", "date", apply=active_on, help="在该日期处于整治期间的专项整治"),
    Filter("q", "名称", "search", search=("name",), placeholder="名称关键词"),
    Sort(
        "sort",
        {
            "start": ("start_date", "id"),
            "-start": ("-start_date", "-id"),
            "end": ("end_date", "id"),
            "-end": ("-end_date", "-id"),
            "name": ("name", "id"),
            "status": ("status", "-start_date", "-id"),
        },
        default=("-start_date", "-id"),
        help="start/-start 开始日期，end/-end 结束日期，name 名称，status 状态",
    ),
)


def target_q(value, ctx):
    field = {"e": "enterprise_id", "p": "place_id"}.get(value[:1])
    return id_q(field)(value[1:], ctx) if field else None


CHECK_FILTERS = FilterSet(
    Filter("region", "区划", "choice", choices=region_options, q=lambda v, ctx: subtree_q(v)),
    Filter("date_from", "检查日期从", "date", lookup="date__gte"),
    Filter("date_to", "检查日期至", "date", lookup="date__lte"),
    Filter("target", "检查对象", "hidden", q=target_q, help="e+单位ID 或 p+场所ID，如 e12"),
    Filter(
        "q",
        "关键词",
        "search",
        search=("enterprise__name", "place__name", "checker", "unit_name", "note"),
        placeholder="对象、检查人、单位",
    ),
    Sort(
        "sort",
        {"date": ("date", "id"), "-date": ("-date", "-id"), "region": ("region_id", "-date", "-id")},
        default=("-date", "-id"),
        help="date/-date 检查日期，region 区划",
    ),
)
