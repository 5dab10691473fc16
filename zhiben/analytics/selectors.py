"""Reads of analytics: the registered figures (core.registry: Figure, FigureSource) for a region and its
children side by side, by industry, over a period. Analytics never reads a module's tables: every number
comes from a module's registration, counted inside the reader's scope.

Results are kept for `ANALYTICS_CACHE_SECONDS` per user, region, industry, period and breakdown (a
dashboard refreshed by many at once counts once); `fresh=True` counts again."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.http import Http404
from django.utils import timezone

from zhiben.core.memo import memo_scope
from zhiben.core.parallel import concurrently
from zhiben.core.periods import Period, PeriodError, current_period, parse_period
from zhiben.core.registry import figure_link, ordered, registry
from zhiben.core.scoping import in_subtree, normalize_code
from zhiben.regions.models import Industry, Region


def figures(keys=None, group=None):
    """The registered figures in display order, optionally only `keys` (in that order) or one `group`."""
    if keys:
        store = registry["figures"]
        return [store[k] for k in keys if k in store]
    found = [f for f in ordered("figures") if group is None or f.group == group]
    first = {}  # each section where its first figure stands, so a section's figures stay together
    for index, f in enumerate(found):
        first.setdefault(f.group or "其他", index)
    return sorted(found, key=lambda f: first[f.group or "其他"])


def figure_groups():
    """[(group, [figures])] in the order of each group's first figure."""
    groups = {}
    for f in ordered("figures"):
        groups.setdefault(f.group or "其他", []).append(f)
    return list(groups.items())


def region_for(user, code):
    """The region `code` if `user` may see it (else 404); no code: the user's own jurisdiction."""
    code = (code or "").strip() or user.region_id
    region = Region.objects.for_user(user).filter(code=code).first()
    if region is None:
        raise Http404("区划不存在或不在您的管辖范围内。")
    return region


def visible_ancestors(user, region):
    """The regions above `region` the user may open, from the top down (the crumbs), in one query."""
    from zhiben.core.scoping import region_chain

    return list(Region.objects.for_user(user).filter(code__in=region_chain(region.code)[1:]).order_by("code"))


def children_of(region):
    return list(Region.objects.filter(parent=region).order_by("code"))


def industry_for(code):
    """The industry of `code`, None for none; Http404 for an unknown code."""
    if not code:
        return None
    industry = Industry.objects.filter(code=code).first()
    if industry is None:
        raise Http404("行业不存在。")
    return industry


def read_filters(user, *, region=None, period="", industry=""):
    """(region, period, industry, errors) of a page's or an API call's query. An unknown region, or one
    outside the user's view, is Http404; a period or industry that cannot be read is named in `errors`
    ({"period": message, "industry": message}) and the default used instead (this year, every industry):
    a page shows the message, the API answers 422 with it."""
    errors = {}
    chosen = current_period("year")
    if (period or "").strip():
        try:
            chosen = parse_period(period)
        except PeriodError as error:
            errors["period"] = str(error)
    found = None
    code = (industry or "").strip()
    if code:
        try:
            found = industry_for(code)
        except Http404:
            errors["industry"] = f"没有代码为“{code}”的行业。"
    return region_for(user, region), chosen, found, errors


def _filters(region, period, industry):
    return {"region": region.code, "industry": industry.code if industry else "", **period.filters}


@memo_scope()  # the sources share what they both ask (core.memo)
def figure_values(*, user, figure_list, region, period, industry=None, by=None, fresh=False, children=None):
    """{group: {figure key: value}} for `figure_list`: group "" the whole of `region` (by=None), each child
    region's code (by="region") or each industry's code (by="industry"). A figure source is asked once for
    all its figures; other figures through their breakdown, else child by child. `children`: the region's
    children when the caller has read them."""
    filters = _filters(region, period, industry)
    key = "analytics:{}:{}:{}:{}:{}:{}".format(
        user.pk, filters["region"], filters["industry"], filters["start"], filters["end"], by or ""
    )
    wanted = [f.key for f in figure_list]
    cached = None if fresh else cache.get(key)
    if cached is not None and all(k in cached["keys"] for k in wanted):
        return cached["values"]
    values = {}

    def put(group, figure_key, value):
        values.setdefault(group, {})[figure_key] = value

    sources = list(dict.fromkeys(f.source for f in figure_list if f.source in registry["figure_sources"]))
    if by == "region" and children is None:
        children = children_of(region)
    groups = [child.code for child in children] if by == "region" else []
    # each source once, and each other figure that counts all groups at once (its breakdown), run at once
    # on PostgreSQL (core.parallel); what is left is asked group by group below
    entries = [registry["figure_sources"][source] for source in sources]
    alone = [f for f in figure_list if f.source not in sources and (by is None or f.breakdown is not None)]
    calls = [lambda entry=entry: entry.compute(user, filters, by) for entry in entries]
    calls += [
        (lambda f=f: f.compute(user, filters)) if by is None else (lambda f=f: f.breakdown(user, filters, by))
        for f in alone
    ]
    results, asked = concurrently(calls), {f.key for f in alone}
    for entry, found in zip(entries, results):
        empty = entry.empty() if entry.empty else {}
        for group in groups:  # the children it found nothing in: zeros, not blanks
            found.setdefault(group, empty)
        for group, row in found.items():
            for figure_key, value in row.items():
                put(group, figure_key, value)
    for f, found in zip(alone, results[len(entries) :]):
        if by is None:
            put("", f.key, found)
        else:
            for group, value in found.items():
                put(group, f.key, value)
    for f in figure_list:
        if f.source in sources or f.key in asked:
            continue
        if by == "region":
            for child in children:
                put(child.code, f.key, f.compute(user, {**filters, "region": child.code}))
        else:
            for industry in Industry.objects.all():
                put(industry.code, f.key, f.compute(user, {**filters, "industry": industry.code}))
    cache.set(key, {"keys": set(wanted), "values": values}, settings.ANALYTICS_CACHE_SECONDS)
    return values


@dataclass
class Cell:
    value: object
    url: str = ""


@dataclass
class Row:
    code: str
    name: str
    cells: list = field(default_factory=list)
    total: bool = False


@dataclass
class Table:
    """One region (the total row) and its children side by side, or each industry, over one period."""

    region: Region
    period: Period
    industry: object
    by: str
    columns: list  # figures
    rows: list  # Row, the total first

    def column_groups(self):
        groups = []
        for f in self.columns:
            if groups and groups[-1][0] == (f.group or "其他"):
                groups[-1][1] += 1
            else:
                groups.append([f.group or "其他", 1])
        return groups


@memo_scope()  # the sources share what they both ask (core.memo)
def figure_table(*, user, region, period, industry=None, by="region", figure_list=None, fresh=False):
    """The total of `region` and, side by side, its children (by="region") or each industry
    (by="industry"); every value links to the records behind it (the figure's url, narrowed the same way).
    A child region with nothing counted still has its row (zeros), so no village disappears from a
    ranking; children outside the user's view never appear."""
    figure_list = figure_list if figure_list is not None else figures()
    filters = _filters(region, period, industry)

    def cells(values, narrowed):
        return [Cell(values.get(f.key), figure_link(f, user, narrowed)) for f in figure_list]

    kids = children_of(region) if by == "region" else []
    parts = {}
    if by != "region" or kids:  # a village has nothing to set side by side
        parts = figure_values(
            user=user,
            figure_list=figure_list,
            region=region,
            period=period,
            industry=industry,
            by=by,
            fresh=fresh,
            children=kids,
        )
    # a source that counted the children gave the whole too (""): only the other figures are asked for it
    whole = dict(parts.pop("", {}))
    missing = [f for f in figure_list if f.key not in whole]
    if missing:
        whole.update(
            figure_values(
                user=user, figure_list=missing, region=region, period=period, industry=industry, fresh=fresh
            ).get("", {})
        )
    rows = [Row(region.code, f"{region.name}（合计）", cells(whole, filters), total=True)]
    if not parts:
        return Table(region, period, industry, by, figure_list, rows)
    if by == "region":
        seen = {child.code for child in kids}
        for child in kids:
            rows.append(
                Row(child.code, child.name, cells(parts.get(child.code, {}), {**filters, "region": child.code}))
            )
        counted = [v for v in parts.get(region.code, {}).values() if v]
        if counted and region.code not in seen:  # rows registered on the node itself
            rows.append(
                Row(region.code, f"{region.name}本级", cells(parts[region.code], {**filters, "region": region.code}))
            )
        stray = [
            c
            for c in parts
            if c not in seen and c != region.code and in_subtree(c, region.code) and any(parts[c].values())
        ]
        for code in sorted(stray):  # a child missing from the region tree (an old code)
            rows.append(Row(code, f"（区划 {code}）", cells(parts[code], {**filters, "region": code})))
    else:
        for ind in Industry.objects.order_by("sort", "code"):
            counted = any(v for v in parts.get(ind.code, {}).values())  # industries with nothing are left out
            if counted and (industry is None or ind.pk == industry.pk):
                rows.append(Row(ind.code, ind.name, cells(parts[ind.code], {**filters, "industry": ind.code})))
    return Table(region, period, industry, by, figure_list, rows)


# ---------------------------------------------------------------- trends, record lists, maps


def trend_months(period, count=12, today=None):
    """The `count` calendar months (Periods "2026-05") ending with the month of the period's end, or of
    today when the period runs past today (a trend of this year stops at this month)."""
    today = today or timezone.localdate()
    last = period.end if period.end < today or period.start > today else today
    index = last.year * 12 + last.month - 1
    return [parse_period(f"{i // 12}-{i % 12 + 1:02d}") for i in range(index - count + 1, index + 1)]


@memo_scope()  # the sources share what they both ask (core.memo)
def figure_trend(*, user, region, months, industry=None, figure_list=None, fresh=False):
    """[(month, {figure key: value})]: the whole of `region` month by month. A figure source that counts
    month by month (compute(user, filters, "month") → {"YYYY-MM": {key: value}} for every month of the
    span) gives all the months at once; the other figures come through figure_values month by month.
    The trend is kept for ANALYTICS_CACHE_SECONDS like any figure table."""
    figure_list = figure_list if figure_list is not None else figures()
    wanted = [f.key for f in figure_list]
    key = "analytics-trend:{}:{}:{}:{}:{}:{}".format(
        user.pk, region.code, industry.code if industry else "", months[0].text, months[-1].text, ",".join(wanted)
    )
    cached = None if fresh else cache.get(key)
    if cached is not None:
        return cached
    span = parse_period(f"{months[0].start:%Y-%m-%d}~{months[-1].end:%Y-%m-%d}")
    filters = _filters(region, span, industry)
    monthly = {month.text: {} for month in months}
    for source in {f.source for f in figure_list if f.source in registry["figure_sources"]}:
        found = registry["figure_sources"][source].compute(user, filters, "month")
        if all(month in found for month in monthly):  # a source that does not count by month gives no months
            for month, row in monthly.items():
                row.update(found[month])
    rest = [f for f in figure_list if any(f.key not in row for row in monthly.values())]
    result = []
    for month in months:
        values = {k: v for k, v in monthly[month.text].items() if k in wanted}
        if rest:
            values.update(
                figure_values(
                    user=user, figure_list=rest, region=region, period=month, industry=industry, fresh=fresh
                ).get("", {})
            )
        result.append((month, values))
    cache.set(key, result, settings.ANALYTICS_CACHE_SECONDS)
    return result


def record_list(key):
    """The registered RecordList `key`; Http404 when none is registered under it."""
    entry = registry["record_lists"].get(key)
    if entry is None:
        raise Http404("没有这个记录清单。")
    return entry


def records(*, user, key, region, period, industry=None, limit=20):
    """(RecordList, rows) of the list `key` inside `user`'s scope, narrowed to `region` (and `industry`)."""
    entry = record_list(key)
    return entry, entry.rows(user, _filters(region, period, industry), limit)


def region_map(user, region):
    """The map of `region`'s children when one was uploaded and `user` may see the region, else None."""
    from .models import RegionMap

    return RegionMap.objects.for_user(user).filter(region=region).first()


def screen_links(user):
    """The big-screen links of the user's jurisdiction, newest first."""
    from .models import ScreenLink

    return ScreenLink.objects.for_user(user).select_related("region", "industry", "created_by").order_by("-created_at")


def screen_link_get(*, user, pk):
    from django.shortcuts import get_object_or_404

    return get_object_or_404(screen_links(user), pk=pk)


LINK_SEEN_RESOLUTION = timedelta(minutes=5)  # last_used_at is written at most this often


def screen_link_for_key(key):
    """The live link of `key`, or None: unknown, revoked or expired, or its maker inactive, locked, without
    analytics.view or no longer seeing the link's region. Marks it used (at most every few minutes)."""
    from .models import ScreenLink

    if not key or not key.startswith("zbs_") or len(key) > 64:
        return None
    link = (
        ScreenLink.objects.select_related("created_by", "region", "industry")
        .filter(key_hash=ScreenLink.hash_key(key))
        .first()
    )
    if link is None or not link.is_valid:
        return None
    maker = link.created_by
    if not maker.is_active or maker.is_locked or not maker.can("analytics.view"):
        return None
    if not Region.objects.for_user(maker).filter(code=link.region_id).exists():
        return None
    now = timezone.now()
    if link.last_used_at is None or now - link.last_used_at > LINK_SEEN_RESOLUTION:
        ScreenLink.objects.filter(pk=link.pk).update(last_used_at=now)
    return link


def link_region_code(link, code):
    """The 12-digit code of region `code` if it is the link's region or below it (else 404); no code: the link's
    region. Whether the link's maker sees it is read_filters' (region_for) to say."""
    code = (code or "").strip()
    code = (normalize_code(code) or code) if code else link.region_id
    if not in_subtree(code, link.region_id):
        raise Http404("该区划不在投放链接的范围内。")
    return code
