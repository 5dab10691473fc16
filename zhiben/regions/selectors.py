"""Reads of the jurisdiction tree and of units, always through `for_user`."""

from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.shortcuts import get_object_or_404

from zhiben.core.filters import Sort
from zhiben.core.memo import ProcessCache
from zhiben.core.scoping import LEVEL_PREFIX, in_subtree, scope_key, subtree_q, subtree_range

from .models import Industry, Region, Unit

# The codes of each region's children, per process: a dashboard's figure sources each break down by child
# region (16 lookups of the same children in one request). Cleared on Region changes (connected in apps) and by
# region_import after its bulk insert.
_children_cache = ProcessCache("region-children", "REGION_CACHE_SECONDS")


def child_codes(code):
    """Codes of the regions directly under `code` (the top level for ""), in code order."""

    def read():
        children = Region.objects.filter(parent_id=code) if code else Region.objects.filter(parent__isnull=True)
        return list(children.order_by("code").values_list("code", flat=True))

    return list(_children_cache.get(code, read))


# The industries each unit supervises, per process: a department's staff see only those, which every request of
# theirs asks (scope_terms). Cleared on changes to a unit's industries and on Industry changes (connected in apps).
_domains_cache = ProcessCache("unit-industries", "REGION_CACHE_SECONDS")


def place_name(code, user):
    """The name a statistics page's export gives its place: region `code` (one the page already checked is in
    scope), else the user's own jurisdiction, else 全部."""
    name = Region.objects.filter(code=code or user.region_id).values_list("name", flat=True).first()
    return name or "全部"


def unit_industry_ids(unit_id):
    """Ids of the industries unit `unit_id` supervises, in id order."""

    def read():
        through = Unit.industries.through.objects.filter(unit_id=unit_id)
        return tuple(through.order_by("industry_id").values_list("industry_id", flat=True))

    return list(_domains_cache.get(unit_id, read))


# The rows the region and industry filters offer, per process: every list page offers them (up to 500 regions
# read and made into options each time). Cleared on Region and Industry changes (connected in apps).
_options_cache = ProcessCache("filter-options", "REGION_CACHE_SECONDS")


def indented(name, level, top_level):
    """A region's name as a select option shows it: one full-width space per level below `top_level`."""
    return "\u3000" * max(level - top_level, 0) + name


def scoped_region_options(user, levels, *, top_level, limit=None):
    """[(code, name indented below `top_level`)] of the regions at `levels` that `user` may see, in code order (the
    first `limit`): what the lists' region filters offer."""
    key = scope_key(user, Region)
    if key is None:
        return []

    def read():
        rows = Region.objects.for_user(user).filter(level__in=levels).order_by("code")
        return [
            (code, indented(name, level, top_level))
            for code, name, level in rows.values_list("code", "name", "level")[:limit]
        ]

    return _options_cache.get(("regions", key, tuple(levels), top_level, limit), read)


def industry_rows(domains=None):
    """[(code, name)] of the industries in their order (only those of `domains`, ids, when given)."""

    def read():
        qs = Industry.objects.all() if domains is None else Industry.objects.filter(id__in=domains)
        return list(qs.values_list("code", "name"))

    return _options_cache.get(("industries", None if domains is None else tuple(domains)), read)


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


# The region search's orders (its column headers switch each way): by code by default
REGION_SORT = Sort.both_ways(
    {"code": ("code",), "name": ("name", "code"), "level": ("level", "code")}, default=("code",)
)


def region_search(*, user, text="", sort=""):
    """Regions in `user`'s scope whose name contains `text` or whose code starts with it (all of them for no text),
    in the order `sort` names (REGION_SORT)."""
    text = text.strip()
    qs = Region.objects.for_user(user).select_related("parent")
    if text:
        qs = qs.filter(Q(name__contains=text) | Q(code__startswith=text))
    return REGION_SORT.narrow(qs, sort or "", None)


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
