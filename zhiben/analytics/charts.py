"""The charts of the big screen and the dashboard: which registered figures each one shows, and each chart's
numbers as a table (title, headers, rows) — what its Excel export writes. The pages draw the same numbers
from the figures API (`/api/v1/analytics/table`, `/trend`, `/records`), which reads the same selectors."""

from zhiben.core.registry import registry

from . import selectors

# 动态清零 headline: rates as gauges, counts of what should be none as numbers
GAUGES = ["hazards.stock_cleared_rate", "hazards.ontime_rate", "hazards.self_share"]
NUMBERS = ["hazards.overdue", "hazards.major_open", "hazards.listed_open"]
TREND = ["hazards.found", "hazards.closed"]
TREND_MONTHS = 12
BY_INDUSTRY = ["hazards.found", "hazards.open"]
BY_REGION = ["hazards.open", "hazards.found", "hazards.overdue"]  # the first is drawn (bar length, map colour)
TICKER = "hazards.listed_open"
TICKER_LIMIT = 50

CHARTS = {
    "headline": "动态清零",
    "trend": f"近 {TREND_MONTHS} 个月隐患发现与销号",
    "industry": "分行业隐患",
    "region": "分区域隐患",
    "listed": "挂牌督办隐患",
}


def keys():
    """What the page's script asks the API for, chart by chart (only registered figures)."""
    known = {f.key for f in selectors.figures()}

    def only(wanted):
        return [k for k in wanted if k in known]

    return {
        "gauges": only(GAUGES),
        "numbers": only(NUMBERS),
        "trend": only(TREND),
        "industry": only(BY_INDUSTRY),
        "region": only(BY_REGION),
        "ticker": TICKER if TICKER in registry["record_lists"] else "",
        "trend_months": TREND_MONTHS,
        "ticker_limit": TICKER_LIMIT,
    }


def _label(f):
    return f.label + (f"（{f.unit}）" if f.unit else "")


def _table_rows(table, first):
    """(headers, rows) of a figure table: code, name, then each figure."""
    headers = [first, "名称", *[_label(f) for f in table.columns]]
    return headers, [[row.code, row.name, *[cell.value for cell in row.cells]] for row in table.rows]


def chart_table(kind, *, user, region, period, industry=None):
    """(title, headers, rows) of chart `kind` (a key of CHARTS) for `region` over `period`."""
    if kind == "headline":
        figure_list = selectors.figures(GAUGES + NUMBERS)
        values = selectors.figure_values(
            user=user, figure_list=figure_list, region=region, period=period, industry=industry
        ).get("", {})
        return CHARTS[kind], ["指标", "数值", "单位"], [[f.label, values.get(f.key), f.unit] for f in figure_list]
    if kind == "trend":
        figure_list = selectors.figures(TREND)
        months = selectors.trend_months(period, TREND_MONTHS)
        trend = selectors.figure_trend(
            user=user, region=region, months=months, industry=industry, figure_list=figure_list
        )
        rows = [[month.text, *[values.get(f.key) for f in figure_list]] for month, values in trend]
        return CHARTS[kind], ["月份", *[_label(f) for f in figure_list]], rows
    if kind in ("industry", "region"):
        table = selectors.figure_table(
            user=user,
            region=region,
            period=period,
            industry=industry,
            by=kind,
            figure_list=selectors.figures(BY_INDUSTRY if kind == "industry" else BY_REGION),
        )
        headers, rows = _table_rows(table, "行业代码" if kind == "industry" else "区划代码")
        return CHARTS[kind], headers, rows
    if kind == "listed":
        entry, found = selectors.records(
            user=user, key=TICKER, region=region, period=period, industry=industry, limit=TICKER_LIMIT
        )
        return entry.label, [label for _, label in entry.columns], [[r.get(k) for k, _ in entry.columns] for r in found]
    raise KeyError(kind)
