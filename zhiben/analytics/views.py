"""Pages of analytics: the dashboard (a region and its children side by side, or by industry, over a
period; every number links to the records behind it) and its Excel export; the big screen (dark,
1920×1080, refreshing its charts from the figures API every minute; stacked on a phone) and each chart's
Excel export; the map of a region's children (GeoJSON upload, served to the charts)."""

from types import SimpleNamespace
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from pydantic import ValidationError as PydanticError

from zhiben.core.excel import write_xlsx
from zhiben.core.filters import InvalidFilter
from zhiben.core.forms import form_service, run_service
from zhiben.core.periods import current_period
from zhiben.core.rules import rule
from zhiben.core.scoping import in_subtree
from zhiben.core.views import download, require_capability
from zhiben.regions.models import Industry, Region

from . import api, charts, selectors, services
from .forms import RegionMapForm, ScreenLinkForm
from .models import RegionMap

ECHARTS = "vendor/echarts/echarts.min.js"
REFRESH_SECONDS = 60

# the figures of the headline cards (dynamic zeroing first), when registered
HEADLINE = [
    "hazards.stock_open",
    "hazards.stock_cleared_rate",
    "hazards.increment",
    "hazards.increment_change",
    "hazards.overdue",
    "hazards.review_overdue",
    "hazards.ontime_rate",
    "hazards.major_open",
    "hazards.listed_open",
    "hazards.self_share",
]
QUICK_PERIODS = [("year", "本年"), ("half", "本半年"), ("quarter", "本季度"), ("month", "本月"), ("week", "本周")]


def read_request(request):
    """(region, period, industry, by, errors) from the query: an unknown region or one outside the user's
    view is a 404; a period or industry that cannot be read is named in `errors` and the default used."""
    region, period, industry, problems = selectors.read_filters(
        request.user,
        region=request.GET.get("region"),
        period=request.GET.get("period"),
        industry=request.GET.get("industry"),
    )
    errors = [problems["period"]] if "period" in problems else []
    if "industry" in problems:
        errors.append(problems["industry"].rstrip("。") + "，已按全部行业统计。")
    by = request.GET.get("by") if request.GET.get("by") in ("region", "industry") else "region"
    return region, period, industry, by, errors


def _tone(figure, value):
    """Red for a count of what should be none (overdue, stock left, listed …)."""
    return "red" if figure.better == "lower" and figure.unit != "%" and value else ""


@login_required
def dashboard(request):
    require_capability(request.user, "analytics.view")
    region, period, industry, by, errors = read_request(request)
    fresh = request.GET.get("fresh") == "1"
    table = selectors.figure_table(
        user=request.user, region=region, period=period, industry=industry, by=by, fresh=fresh
    )
    headline = []
    total = table.rows[0]
    for f, cell in zip(table.columns, total.cells, strict=True):
        if f.key in HEADLINE:
            headline.append({"figure": f, "cell": cell, "tone": _tone(f, cell.value)})
    headline.sort(key=lambda h: HEADLINE.index(h["figure"].key))
    sections = []
    start = 0
    for group, count in table.column_groups():
        columns = table.columns[start : start + count]
        rows = [(row, list(zip(columns, row.cells[start : start + count], strict=True))) for row in table.rows]
        sections.append({"group": group, "columns": columns, "rows": rows})
        start += count
    ancestors = selectors.visible_ancestors(request.user, region)
    return render(
        request,
        "analytics/dashboard.html",
        {
            "table": table,
            "headline": headline,
            "sections": sections,
            "region": region,
            "ancestors": ancestors,
            "period": period,
            "period_text": request.GET.get("period") or period.text,
            "quick": [(current_period(kind).text, label) for kind, label in QUICK_PERIODS],
            "industry": industry,
            "industries": Industry.objects.order_by("sort", "code"),
            "by": by,
            "errors": errors,
            "computed_at": timezone.localtime(),
            "query": request.GET.urlencode(),
            **_chart_context(request.user, region, period, industry, refresh=0, page="dashboard"),
        },
    )


@login_required
def export(request):
    require_capability(request.user, "analytics.view")
    region, period, industry, by, _ = read_request(request)
    table = selectors.figure_table(user=request.user, region=region, period=period, industry=industry, by=by)
    headers = ["区划代码" if by == "region" else "行业代码", "名称"] + [
        f"{f.group or '其他'}·{f.label}" + (f"（{f.unit}）" if f.unit else "") for f in table.columns
    ]
    rows = [[row.code, row.name, *[cell.value for cell in row.cells]] for row in table.rows]
    data = write_xlsx(headers, rows, sheet_title=period.label, widths=[14, 16] + [12] * len(table.columns))
    services.export_recorded(actor=request.user, what=f"table.{by}", region=region, period=period, rows=len(rows))
    suffix = f"_{industry.name}" if industry else ""
    return download(data, f"统计分析_{region.name}_{period.label}{suffix}.xlsx")


# ---------------------------------------------------------------- charts: the big screen and the dashboard's


def echarts_src():
    """The address of the ECharts served by the project, or "" when scripts/setup.sh has not installed it
    (the pages then show every chart as its table and say how to install it)."""
    try:
        url = static(ECHARTS)
    except ValueError:  # production: not collected, so not in the manifest
        return ""
    return url if finders.find(ECHARTS) or staticfiles_storage.exists(ECHARTS) else ""


def chart_config(user, region, period, industry, *, refresh, page, echarts=True, link_key=None):
    """What charts.js reads (json_script): the API addresses, the query, the figures of each chart, the
    region's map when one was uploaded, and how often to refresh (0: never). With `link_key` (a big-screen
    link's key) the figures are read through the link's own addresses, which need no login."""
    region_map = selectors.region_map(user, region)
    has_children = Region.objects.filter(parent=region).exists()
    if link_key:
        api = {
            kind: reverse("analytics:screen_link_data", args=[link_key, kind]) for kind in ("table", "trend", "records")
        }
        map_url = reverse("analytics:screen_link_data", args=[link_key, "map"]) + f"?region={region.code}&"
        drill = reverse("analytics:screen_link_show", args=[link_key])
    else:
        api = {
            "table": reverse("api:figure_table"),
            "trend": reverse("api:analytics_trend"),
            "records": reverse("api:analytics_records"),
        }
        map_url = reverse("analytics:map_geojson", args=[region.code]) + "?"
        drill = reverse(f"analytics:{page}")
    return {
        "page": page,
        "refresh": refresh,
        "tz": settings.TIME_ZONE,  # the clock of 更新于 reads as 统计于 does, whatever the screen's own clock zone
        "api": api,
        "params": {"region": region.code, "period": period.text, "industry": industry.code if industry else ""},
        "region": {"code": region.code, "name": region.name, "has_children": has_children},
        "keys": charts.keys(),
        "map": ({"url": f"{map_url}v={region_map.version}"} if region_map is not None and has_children else None),
        "drill": drill,
        "echarts": echarts,
    }


def _chart_context(user, region, period, industry, *, refresh, page, link_key=None):
    query = {"region": region.code, "period": period.text}
    if industry:
        query["industry"] = industry.code
    src = echarts_src()
    return {
        "chart_config": chart_config(
            user, region, period, industry, refresh=refresh, page=page, echarts=bool(src), link_key=link_key
        ),
        "echarts_src": src,
        "chart_titles": charts.CHARTS,
        "chart_query": urlencode(query),
    }


@login_required
def screen(request):
    """一屏观全域: the dynamic-zeroing gauges and numbers, the 12-month trend, by industry, by child region
    (on the uploaded map, else ranked bars) and the listed hazards, for a region (the user's by default)
    and period (this year by default); the script refreshes the numbers every minute."""
    require_capability(request.user, "analytics.view")
    region, period, industry, _by, errors = read_request(request)
    ancestors = selectors.visible_ancestors(request.user, region)
    return _screen_page(request, request.user, region, period, industry, errors, ancestors)


def _screen_page(request, user, region, period, industry, errors, ancestors, link=None):
    return render(
        request,
        "analytics/screen.html",
        {
            "region": region,
            "ancestors": ancestors,
            "children": selectors.children_of(region),
            "period": period,
            "period_text": request.GET.get("period") or period.text,
            "quick": [(current_period(kind).text, label) for kind, label in QUICK_PERIODS],
            "industry": industry,
            "errors": errors,
            "refresh": REFRESH_SECONDS,
            "link": link,
            **_chart_context(
                user, region, period, industry, refresh=REFRESH_SECONDS, page="screen", link_key=link and link.key
            ),
        },
    )


# ---------------------------------------------------------------- 大屏投放: the big screen on a display, no login


@login_required
def screen_links(request):
    """The big-screen links of a region (the user's by default) and of the jurisdiction: make one (its
    address shown once), see when each was last used, revoke one."""
    require_capability(request.user, "analytics.manage")
    region = selectors.region_for(request.user, request.GET.get("region") or request.POST.get("region"))
    form = ScreenLinkForm(request.POST or None)
    address = None
    if request.method == "POST" and form.is_valid():
        result = form_service(
            form,
            lambda: services.screen_link_create(
                actor=request.user,
                name=form.cleaned_data["name"],
                region_code=region.code,
                period=form.cleaned_data["period"],
                industry=form.cleaned_data["industry"],
            ),
        )
        if result is not None:
            address = request.build_absolute_uri(reverse("analytics:screen_link_show", args=[result[1]]))
            form = ScreenLinkForm()
    return render(
        request,
        "analytics/screen_links.html",
        {
            "region": region,
            "ancestors": selectors.visible_ancestors(request.user, region),
            "form": form,
            "address": address,
            "links": selectors.screen_links(request.user),
            "days": rule("analytics.screen_link_days", region.code),
        },
    )


@login_required
@require_POST
def screen_link_revoke(request, pk):
    require_capability(request.user, "analytics.manage")
    link = selectors.screen_link_get(user=request.user, pk=pk)
    run_service(
        request,
        lambda: services.screen_link_revoke(actor=request.user, link=link),
        f"已撤销投放链接“{link.name}”，使用该链接的屏幕将停止显示。",
    )
    return redirect(f"{reverse('analytics:screen_links')}?region={link.region_id}")


def _live_link(key):
    link = selectors.screen_link_for_key(key)
    if link is None:
        raise Http404("投放链接无效、已过期或已被撤销，请向安委办索取新的链接。")
    link.key = key
    return link


def screen_link_show(request, key):
    """The big screen of a link, without logging in: the link's region or one below it, its period unless the
    display picks another, its industry."""
    link = _live_link(key)
    region, period, industry, errors = selectors.read_filters(
        link.created_by,
        region=selectors.link_region_code(link, request.GET.get("region")),
        period=request.GET.get("period") or link.period,
        industry=link.industry.code if link.industry else "",
    )
    ancestors = [a for a in selectors.visible_ancestors(link.created_by, region) if in_subtree(a.code, link.region_id)]
    return _screen_page(request, link.created_by, region, period, industry, list(errors.values()), ancestors, link)


_LINK_DATA = {
    "table": (api.TableQuery, api.figure_table, api.TableOut),
    "trend": (api.TrendQuery, api.analytics_trend, api.TrendOut),
    "records": (api.RecordsQuery, api.analytics_records, api.RecordsOut),
}


def screen_link_data(request, key, kind):
    """What the link's screen draws, as the figures API answers it (same shapes), read as the link's maker
    inside the link's region and industry; `map` is the region's uploaded map. Never counted afresh on demand
    (the display shares the minute-long results)."""
    try:
        link = _live_link(key)
        code = selectors.link_region_code(link, request.GET.get("region"))
        if kind == "map":
            region_map = selectors.region_map(link.created_by, selectors.region_for(link.created_by, code))
            if region_map is None:
                raise Http404("该区划没有上传地图。")
            return HttpResponse(region_map.geojson, content_type="application/json")
        if kind not in _LINK_DATA:
            raise Http404("没有这项数据。")
        query, operation, out = _LINK_DATA[kind]
        params = {**request.GET.dict(), "region": code, "fresh": False}
        if link.industry:
            params["industry"] = link.industry.code
        try:
            q = query(**params)
        except PydanticError as error:
            first = error.errors()[0]
            return JsonResponse({"detail": f"参数 {'.'.join(map(str, first['loc']))} 无效。"}, status=422)
        body = operation(SimpleNamespace(user=link.created_by), q)
    except InvalidFilter as error:
        return JsonResponse({"detail": error.message}, status=422)
    except (Http404, PermissionDenied) as error:
        return JsonResponse({"detail": str(error) or "未找到。"}, status=404)
    return JsonResponse(out.model_validate(body).model_dump(mode="json"))


@login_required
def chart_export(request, kind):
    """One chart's numbers as Excel: the same figures the chart and its table view show."""
    require_capability(request.user, "analytics.view")
    if kind not in charts.CHARTS:
        raise Http404("没有这个图表。")
    region, period, industry, _by, _errors = read_request(request)
    title, headers, rows = charts.chart_table(kind, user=request.user, region=region, period=period, industry=industry)
    widths = [14 if i == 0 else (20 if i == 1 else 14) for i in range(len(headers))]
    data = write_xlsx(headers, rows, sheet_title=title[:31], widths=widths)
    services.export_recorded(actor=request.user, what=f"chart.{kind}", region=region, period=period, rows=len(rows))
    suffix = f"_{industry.name}" if industry else ""
    return download(data, f"{title}_{region.name}_{period.label}{suffix}.xlsx")


# ---------------------------------------------------------------- the map of a region's children


@login_required
def maps(request):
    """The map of a region's children: what was uploaded (and which children have no shape), a preview as
    the big screen draws it, the upload form; and the maps uploaded in the user's jurisdiction."""
    require_capability(request.user, "analytics.manage")
    region = selectors.region_for(request.user, request.GET.get("region"))
    form = RegionMapForm()
    return _maps_page(request, region, form)


def _maps_page(request, region, form):
    region_map = selectors.region_map(request.user, region)
    children = selectors.children_of(region)
    drawn = set(region_map.children) if region_map else set()
    period = current_period("year")
    ancestors = selectors.visible_ancestors(request.user, region)
    return render(
        request,
        "analytics/maps.html",
        {
            "region": region,
            "ancestors": ancestors,
            "region_map": region_map,
            "children": [(child, child.code in drawn) for child in children],
            "missing": [child.name for child in children if region_map and child.code not in drawn],
            "maps": RegionMap.objects.for_user(request.user).select_related("region", "uploaded_by").order_by("region"),
            "form": form,
            "max_mb": _max_mb(region),
            **_chart_context(request.user, region, period, None, refresh=0, page="dashboard"),
        },
    )


def _max_mb(region):
    return rule("analytics.map_max_mb", region.code)


@login_required
@require_POST
def map_upload(request):
    require_capability(request.user, "analytics.manage")
    region = selectors.region_for(request.user, request.POST.get("region"))
    form = RegionMapForm(request.POST, request.FILES)
    if form.is_valid():
        result = form_service(
            form,
            lambda: services.region_map_save(
                actor=request.user, region_code=region.code, upload=form.cleaned_data["file"]
            ),
        )
        if result is not None:
            region_map, missing = result
            text = f"已保存{region.name}的地图（{region_map.features} 个图形）。"
            if missing:
                text += f"以下下级区划在地图上没有图形，只在表格中显示：{'、'.join(missing[:20])}{'等' if len(missing) > 20 else ''}。"
            messages.success(request, text)
            return redirect(f"{reverse('analytics:maps')}?region={region.code}")
    return _maps_page(request, region, form)


@login_required
@require_POST
def map_delete(request):
    require_capability(request.user, "analytics.manage")
    region = selectors.region_for(request.user, request.POST.get("region"))
    run_service(
        request,
        lambda: services.region_map_delete(actor=request.user, region_code=region.code),
        f"已删除{region.name}的地图，大屏改以排序柱状图显示下级区划。",
    )
    return redirect(f"{reverse('analytics:maps')}?region={region.code}")


@login_required
def map_geojson(request, code):
    """The region's map as GeoJSON for echarts.registerMap (a user who may see the region)."""
    require_capability(request.user, "analytics.view")
    region = selectors.region_for(request.user, code)
    region_map = selectors.region_map(request.user, region)
    if region_map is None:
        raise Http404("该区划没有上传地图。")
    response = HttpResponse(region_map.geojson, content_type="application/json")
    if request.GET.get("v") == region_map.version:  # the address changes with every upload
        response["Cache-Control"] = "private, max-age=86400"
    return response
