"""Pages of analytics: the dashboard (a region and its children side by side, or by industry, over a
period; every number links to the records behind it) and its Excel export."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from zhiben.core.excel import write_xlsx
from zhiben.core.periods import PeriodError, current_period, parse_period
from zhiben.core.views import download, require_capability
from zhiben.regions.models import Industry, Region

from . import selectors

# the figures of the headline cards (dynamic zeroing first), when registered
HEADLINE = [
    "hazards.stock_open",
    "hazards.stock_cleared_rate",
    "hazards.increment",
    "hazards.increment_change",
    "hazards.overdue",
    "hazards.ontime_rate",
    "hazards.major_open",
    "hazards.listed_open",
    "hazards.self_share",
]
QUICK_PERIODS = [("year", "本年"), ("half", "本半年"), ("quarter", "本季度"), ("month", "本月"), ("week", "本周")]


def read_request(request):
    """(region, period, industry, by, errors) from the query: an unknown region or one outside the user's
    view is a 404; a period or industry that cannot be read is named in `errors` and the default used."""
    errors = []
    region = selectors.region_for(request.user, request.GET.get("region"))
    text = (request.GET.get("period") or "").strip()
    period = current_period("year")
    if text:
        try:
            period = parse_period(text)
        except PeriodError as error:
            errors.append(str(error))
    industry = None
    code = (request.GET.get("industry") or "").strip()
    if code:
        try:
            industry = selectors.industry_for(code)
        except Http404:
            errors.append(f"没有代码为“{code}”的行业，已按全部行业统计。")
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
    ancestors = [r for r in region.ancestors() if Region.objects.for_user(request.user).filter(code=r.code).exists()]
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
    suffix = f"_{industry.name}" if industry else ""
    return download(data, f"统计分析_{region.name}_{period.label}{suffix}.xlsx")
