"""Reads of the jurisdiction tree and of units, always through `for_user`."""

import time

from django.conf import settings
from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.shortcuts import get_object_or_404

from zhiben.core.filters import Sort
from zhiben.core.scoping import LEVEL_PREFIX, in_subtree, subtree_q, subtree_range

from .models import Region, Unit

# The codes of each region's children, per process: a dashboard's figure sources each break down by child
# region (16 lookups of the same children in one request). A change made through this process clears it
# (signals on Region, connected in apps; region_import after its bulk insert); other processes see it
# within REGION_CACHE_SECONDS.
_children_cache: dict[str, tuple[float, list]] = {}


def child_codes(code):
    """Codes of the regions directly under `code` (the top level for ""), in code order."""
    now = time.monotonic()
    hit = _children_cache.get(code)
    if hit is not None and now - hit[0] < getattr(settings, "REGION_CACHE_SECONDS", 30):
        return list(hit[1])
    children = Region.objects.filter(parent_id=code) if code else Region.objects.filter(parent__isnull=True)
    codes = list(children.order_by("code").values_list("code", flat=True))
    _children_cache[code] = (now, codes)
    return list(codes)


def children_cache_clear(**_):
    """Forget the cached children (a region was saved, deleted or imported, or a test starts)."""
    _children_cache.clear()


def _subtree_counts(qs, field, regions):
    """{region code: rows of `qs` whose `field` lies in that region's subtree}, one query for sibling regions."""
    regions = list(regions)
    if not regions:
        return {}
    keep = LEVEL_PREFIX[regions[0].level]
    low = min(r.code for r in regions)
    high = max(subtree_range(r.code)[1] for r in regions)
    rows = (
        qs.filter(**{f"{field}__gte": low, f"{field}__lte": high})
        .annotate(prefix=Substr(field, 1, keep))
        .values("prefix")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_prefix = {row["prefix"]: row["n"] for row in rows}
    return {r.code: by_prefix.get(r.code[:keep], 0) for r in regions}


def with_counts(*, user, regions):
    """Attach `enterprise_count` and `unit_count` (what `user` may see in each subtree) to sibling regions."""
    from zhiben.enterprises.models import Enterprise

    regions = list(regions)
    by_level = {}
    for region in regions:
        by_level.setdefault(region.level, []).append(region)
    for group in by_level.values():
        enterprises = _subtree_counts(Enterprise.objects.for_user(user), "region_id", group)
        units = _subtree_counts(Unit.objects.for_user(user), "region_id", group)
        for region in group:
            region.enterprise_count, region.unit_count = enterprises[region.code], units[region.code]
    return regions


def region_roots(*, user):
    """Where the tree starts for `user`: their own region, or the top level for a national superuser."""
    if user.region_id and not user.is_superuser:
        return list(Region.objects.filter(code=user.region_id))
    return list(Region.objects.for_user(user).filter(parent__isnull=True))


def region_search(*, user, text):
    text = text.strip()
    qs = Region.objects.for_user(user)
    return qs.filter(Q(name__contains=text) | Q(code__startswith=text)).order_by("code")


def region_get(*, user, code):
    return get_object_or_404(Region.objects.for_user(user), code=code)


def region_breadcrumb(*, user, region):
    """Ancestors from the top down, each marked with whether `user` may open it."""
    return [
        (node, user.is_superuser or (bool(user.region_id) and in_subtree(node.code, user.region_id)))
        for node in region.ancestors()
    ]


# The unit list's orders (?sort=key, "-key" descending): each ends on the name so that equal keys stay in order
UNIT_SORT = Sort.both_ways(
    {"name": ("name", "id"), "kind": ("kind", "name"), "region": ("region_id", "name")}, default=("region_id", "name")
)


def unit_list(*, user, filters=None):
    """Units `user` may see, narrowed by text, kind, industry, region subtree and state, in the order `sort` names
    (UNIT_SORT; by region by default)."""
    filters = filters or {}
    qs = Unit.objects.for_user(user).select_related("region").prefetch_related("industries")
    text = (filters.get("q") or "").strip()
    if text:
        qs = qs.filter(Q(name__icontains=text) | Q(short_name__icontains=text) | Q(aliases__icontains=text))
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("industry"):
        qs = qs.filter(industries=filters["industry"])
    if (filters.get("region") or "").strip():
        region = subtree_q(filters["region"])
        if region is None:
            return qs.none()
        qs = qs.filter(region)
    if filters.get("active") == "1":
        qs = qs.filter(is_active=True)
    elif filters.get("active") == "0":
        qs = qs.filter(is_active=False)
    return UNIT_SORT.narrow(qs, filters.get("sort") or "", None)


def unit_get(*, user, pk):
    return get_object_or_404(Unit.objects.for_user(user).select_related("region"), pk=pk)
