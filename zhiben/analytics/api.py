"""Analytics endpoints: the registered figures (what can be asked for) and a figure table — a region and
its children side by side, or by industry, over a period — as the dashboard shows it. Scoped like the
pages (a region outside the caller's jurisdiction is a 404); a period or industry that cannot be read is a
422 naming the parameter."""

from datetime import date

from django.http import Http404
from ninja import Field, Query, Router, Schema

from zhiben.core.api import refusals
from zhiben.core.filters import InvalidFilter
from zhiben.core.periods import PeriodError, current_period, parse_period
from zhiben.core.views import require_capability

from . import selectors

router = Router(tags=["统计分析"])


class FigureOut(Schema):
    key: str
    label: str
    group: str
    unit: str
    better: str


class RowOut(Schema):
    code: str = Field(description="区划代码（按行业时为行业代码）")
    name: str
    total: bool
    values: dict[str, int | float | None]
    urls: dict[str, str] = Field(description="每个指标背后的记录列表")


class TableOut(Schema):
    region_code: str
    region_name: str
    period: str
    period_label: str
    start: date
    end: date
    industry: str
    by: str
    figures: list[FigureOut]
    rows: list[RowOut]


class TableQuery(Schema):
    region: str = Field("", max_length=12, description="区划代码；不填为本辖区")
    period: str = Field(
        "",
        max_length=40,
        description="统计期：2026、2026H1、2026Q3、2026-05、2026W07 或 2026-03-01~2026-03-15；不填为本年",
    )
    industry: str = Field("", max_length=40, description="行业代码；不填为全部行业")
    by: str = Field("region", pattern="^(region|industry)$", description="并列：region 下级区划，industry 行业")
    keys: str = Field("", max_length=2000, description="只要这些指标（逗号分隔的 key）；不填为全部")
    fresh: bool = Field(False, description="true：不用一分钟内的统计结果，重新统计")


def _figure_out(f):
    return {"key": f.key, "label": f.label, "group": f.group or "其他", "unit": f.unit, "better": f.better}


@router.get("/figures", response={200: list[FigureOut], **refusals(403)})
def figure_catalogue(request):
    """Every registered figure: key, label, section, unit and which way is better."""
    require_capability(request.user, "analytics.view")
    return [_figure_out(f) for f in selectors.figures()]


@router.get("/table", response={200: TableOut, **refusals(403, 404)})
def figure_table(request, q: Query[TableQuery]):
    """A region (the total row) and its children side by side (by=region) or each industry (by=industry)
    over a period; each value with the address of the records behind it."""
    require_capability(request.user, "analytics.view")
    try:
        period = parse_period(q.period) if q.period.strip() else current_period("year")
    except PeriodError as error:
        raise InvalidFilter("period", str(error)) from None
    region = selectors.region_for(request.user, q.region)
    try:
        industry = selectors.industry_for(q.industry.strip())
    except Http404:
        raise InvalidFilter("industry", f"没有代码为“{q.industry}”的行业。") from None
    keys = [k.strip() for k in q.keys.split(",") if k.strip()]
    unknown = [k for k in keys if k not in {f.key for f in selectors.figures()}]
    if unknown:
        raise InvalidFilter("keys", f"没有这些指标：{'、'.join(unknown[:5])}。")
    table = selectors.figure_table(
        user=request.user,
        region=region,
        period=period,
        industry=industry,
        by=q.by,
        figure_list=selectors.figures(keys) if keys else None,
        fresh=q.fresh,
    )
    return {
        "region_code": region.code,
        "region_name": region.name,
        "period": period.text,
        "period_label": period.label,
        "start": period.start,
        "end": period.end,
        "industry": industry.code if industry else "",
        "by": table.by,
        "figures": [_figure_out(f) for f in table.columns],
        "rows": [
            {
                "code": row.code,
                "name": row.name,
                "total": row.total,
                "values": {f.key: c.value for f, c in zip(table.columns, row.cells, strict=True)},
                "urls": {f.key: c.url for f, c in zip(table.columns, row.cells, strict=True) if c.url},
            }
            for row in table.rows
        ],
    }
