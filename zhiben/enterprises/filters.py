"""The filters of the enterprise list, declared once: the list page and its form, the Excel export and
the API endpoint `GET /api/v1/enterprises/` all use `ENTERPRISE_FILTERS` (see core.filters)."""

from django.db.models import Q

from zhiben.core.filters import Filter, FilterSet, Sort, flag
from zhiben.core.scoping import subtree_q

from .choices import Scale, Status

SORTS = {
    "name": "name",
    "-name": "-name",
    "region": "region_id",
    "-region": "-region_id",
    "industry": "industry__sort",
    "-industry": "-industry__sort",
    "credit_code": "credit_code",
    "-credit_code": "-credit_code",
    "updated": "updated_at",
    "-updated": "-updated_at",
}


def region_options(user):
    """The regions under the user's own, two levels down (a county sees its towns and villages)."""
    from zhiben.regions.models import Region

    from .forms import region_choices

    level = user.region.level if user.region_id else 2
    regions = Region.objects.for_user(user).filter(level__in=(level + 1, level + 2)).order_by("code")
    return region_choices(regions, level + 1)


def industry_options(user):
    from .forms import industry_queryset

    return [(i.code, i.name) for i in industry_queryset(user)]


def high_risk_q(value, ctx):
    wanted = flag(value)
    return None if wanted is None else Q(high_risk=wanted)


def text_q(value, ctx):
    return (
        Q(name__icontains=value)
        | Q(credit_code__icontains=value.upper())
        | Q(address__icontains=value)
        | Q(principal__icontains=value)
    )


ENTERPRISE_FILTERS = FilterSet(
    Filter(
        "q",
        "关键词",
        "search",
        q=text_q,
        placeholder="名称、信用代码、地址、负责人",
        help="单位名称、统一社会信用代码、地址或主要负责人中包含的文字",
    ),
    Filter(
        "region",
        "所在区划",
        "choice",
        choices=region_options,
        q=lambda value, ctx: subtree_q(value),
        help="区划代码（2/4/6/9/12 位），含下级",
    ),
    Filter("industry", "监管行业", "choice", choices=industry_options, lookup="industry__code", help="行业领域代码"),
    Filter(
        "high_risk", "高危企业", "choice", choices=[("1", "是"), ("0", "否")], q=high_risk_q, help="1/true 或 0/false"
    ),
    Filter("status", "经营状态", "choice", choices=Status.choices, lookup="status"),
    Filter("scale", "规模", "choice", choices=Scale.choices, lookup="scale"),
    Sort(
        "sort",
        {key: (order, "id") for key, order in SORTS.items()},
        default=("region_id", "name", "id"),
        help="前加 - 为倒序；默认按区划、名称",
    ),
)
