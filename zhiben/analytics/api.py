"""Analytics endpoints: the registered figures (what can be asked for), a figure table — a region and
its children side by side, or by industry, over a period — as the dashboard shows it, a trend month by
month, and the records of a registered record list (the big screen's listed hazards). Scoped like the
pages (a region outside the caller's jurisdiction is a 404); a period or industry that cannot be read is a
422 naming the parameter."""

from datetime import date

from django.http import Http404
from ninja import Field, Query, Router, Schema

from zhiben.core.api import refusals
from zhiben.core.filters import InvalidFilter
from zhiben.core.registry import figure_link
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


class PlaceQuery(Schema):
    """The region and industry every figures query narrows by (read by `_read`)."""

    region: str = Field("", max_length=12, description="区划代码；不填为本辖区")
    industry: str = Field("", max_length=40, description="行业代码；不填为全部行业")


class TableQuery(PlaceQuery):
    period: str = Field(
        "",
        max_length=40,
        description="统计期：2026、2026H1、2026Q3、2026-05、2026W07 或 2026-03-01~2026-03-15；不填为本年",
    )
    by: str = Field("region", pattern="^(region|industry)$", description="并列：region 下级区划，industry 行业")
    keys: str = Field("", max_length=2000, description="只要这些指标（逗号分隔的 key）；不填为全部")
    fresh: bool = Field(False, description="true：不用一分钟内的统计结果，重新统计")


class TrendRowOut(Schema):
    period: str = Field(description="月份，如 2026-05")
    label: str
    start: date
    end: date
    values: dict[str, int | float | None]
    urls: dict[str, str] = Field(description="每个指标背后的记录列表")


class TrendOut(Schema):
    region_code: str
    region_name: str
    industry: str
    figures: list[FigureOut]
    rows: list[TrendRowOut]


class TrendQuery(PlaceQuery):
    period: str = Field(
        "",
        max_length=40,
        description="统计期：趋势截至该期的最后一个月（该期未结束时截至本月）；不填为本年",
    )
    months: int = Field(12, ge=1, le=36, description="月数（1—36）")
    keys: str = Field("hazards.found,hazards.closed", max_length=2000, description="指标（逗号分隔的 key）")
    fresh: bool = Field(False, description="true：不用一分钟内的统计结果，重新统计")


class RecordColumnOut(Schema):
    key: str
    label: str


class NamedRecordOut(Schema):
    url: str
    values: dict[str, str | int | float | None]


class RecordsOut(Schema):
    key: str
    label: str
    region_code: str
    region_name: str
    columns: list[RecordColumnOut]
    rows: list[NamedRecordOut]
    url: str = Field("", description="完整清单")


class RecordsQuery(PlaceQuery):
    key: str = Field(..., max_length=100, description="记录清单，如 hazards.listed_open（挂牌督办中的隐患）")
    period: str = Field("", max_length=40, description="统计期；不填为本年")
    limit: int = Field(20, ge=1, le=200, description="最多条数（1—200）")


def _read(request, q):
    """(region, period, industry) of the query; a period or industry that cannot be read answers 422."""
    region, period, industry, errors = selectors.read_filters(
        request.user, region=q.region, period=q.period, industry=q.industry
    )
    for field_name, message in errors.items():
        raise InvalidFilter(field_name, message)
    return region, period, industry


def _keys(text):
    keys = [k.strip() for k in text.split(",") if k.strip()]
    unknown = [k for k in keys if k not in {f.key for f in selectors.figures()}]
    if unknown:
        raise InvalidFilter("keys", f"没有这些指标：{'、'.join(unknown[:5])}。")
    return keys


def _plain(value):
    if isinstance(value, (str, int, float)) or value is None:
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


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
    region, period, industry = _read(request, q)
    keys = _keys(q.keys)
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


@router.get("/trend", response={200: TrendOut, **refusals(403, 404)})
def analytics_trend(request, q: Query[TrendQuery]):
    """The figures of a region (the whole of it) month by month: `months` calendar months up to the last
    month of `period` (this month while the period runs); each month counted as the figure table counts
    that month, with the address of the records behind each value."""
    require_capability(request.user, "analytics.view")
    region, period, industry = _read(request, q)
    keys = _keys(q.keys)
    if not keys:
        raise InvalidFilter("keys", "请至少指定一个指标。")
    figure_list = selectors.figures(keys)
    months = selectors.trend_months(period, q.months)
    trend = selectors.figure_trend(
        user=request.user, region=region, months=months, industry=industry, figure_list=figure_list, fresh=q.fresh
    )
    base = {"region": region.code, "industry": industry.code if industry else ""}
    return {
        "region_code": region.code,
        "region_name": region.name,
        "industry": base["industry"],
        "figures": [_figure_out(f) for f in figure_list],
        "rows": [
            {
                "period": month.text,
                "label": month.label,
                "start": month.start,
                "end": month.end,
                "values": {f.key: values.get(f.key) for f in figure_list},
                "urls": {
                    f.key: link
                    for f in figure_list
                    if (link := figure_link(f, request.user, {**base, **month.filters}))
                },
            }
            for month, values in trend
        ],
    }


@router.get("/records", response={200: RecordsOut, **refusals(403, 404)})
def analytics_records(request, q: Query[RecordsQuery]):
    """The records of a registered record list (e.g. hazards.listed_open, hazards.major_overdue) inside the
    caller's scope, narrowed to a region and industry, each with the address of its page."""
    require_capability(request.user, "analytics.view")
    region, period, industry = _read(request, q)
    try:
        entry, rows = selectors.records(
            user=request.user, key=q.key.strip(), region=region, period=period, industry=industry, limit=q.limit
        )
    except Http404:
        raise InvalidFilter("key", f"没有名为“{q.key}”的记录清单。") from None
    filters = {"region": region.code, "industry": industry.code if industry else "", **period.filters}
    return {
        "key": entry.key,
        "label": entry.label,
        "region_code": region.code,
        "region_name": region.name,
        "columns": [{"key": k, "label": label} for k, label in entry.columns],
        "rows": [{"url": r.get("url", ""), "values": {k: _plain(r.get(k)) for k, _ in entry.columns}} for r in rows],
        "url": entry.url(filters) if entry.url else "",
    }
