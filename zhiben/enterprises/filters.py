"""The filters of the enterprise list, declared once: the list page and its form, the Excel export and
the API endpoint `GET /api/v1/enterprises/` all use `ENTERPRISE_FILTERS` (see core.filters)."""

import re

from django.db.models import Q

from zhiben.core import crypto
from zhiben.core.filters import Filter, FilterSet, Sort, flag
from zhiben.core.scoping import code_level, subtree_q

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
    from zhiben.regions.selectors import scoped_region_options

    level = code_level(user.region_id) if user.region_id else 2
    return scoped_region_options(user, (level + 1, level + 2), top_level=level + 1)


def industry_options(user):
    from zhiben.regions.selectors import industry_rows

    return industry_rows(user.domain_ids if user.limited_to_domains else None)


def high_risk_q(value, ctx):
    wanted = flag(value)
    return None if wanted is None else Q(high_risk=wanted)


PHONE_FIELDS = ("principal_phone", "controller_phone", "safety_manager_phone")
PHONE_TEXT = re.compile(r"^\+?\d{7,15}$")


def phone_q(value):
    """A phone typed in full matches any of the enterprise's contact phones, through their blind indexes
    (the phones are encrypted: part of a number matches nothing). None when `value` is not a phone."""
    if not PHONE_TEXT.match(crypto.normalise(value)):
        return None
    indexes = crypto.blind_indexes(value)
    q = Q()
    for field in PHONE_FIELDS:
        q |= Q(**{f"{field}_index__in": indexes})
    return q


def text_q(value, ctx):
    q = (
        Q(name__icontains=value)
        | Q(credit_code__icontains=value.upper())
        | Q(address__icontains=value)
        | Q(principal__icontains=value)
    )
    phone = phone_q(value)
    return q | phone if phone is not None else q


ENTERPRISE_FILTERS = FilterSet(
    Filter(
        "q",
        "关键词",
        "search",
        q=text_q,
        placeholder="名称、信用代码、地址、负责人、完整电话",
        help="单位名称、统一社会信用代码、地址或主要负责人中包含的文字，或完整的联系电话",
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
