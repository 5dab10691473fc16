"""Reads: cases and orders in scope, and enforcement statistics per unit with the 零处罚 flag."""

from collections import defaultdict

from django.db.models import Count, F, Q, Sum
from django.http import Http404
from django.utils import timezone

from zhiben.core.db import as_id, joined
from zhiben.core.db import grouped as _grouped
from zhiben.core.filters import Filter, FilterSet, Sort, flag, id_q
from zhiben.core.rules import rule
from zhiben.core.scoping import NOTHING, in_subtree, subtree_q
from zhiben.enterprises.filters import industry_options, region_options
from zhiben.inspections.choices import Kind
from zhiben.inspections.selectors import inspections_in_period, unit_options

from .choices import PENALTIES, CaseStatus, Measure, OrderStatus
from .models import EnforcementCase, RectificationOrder

DECIDED = (CaseStatus.DECIDED, CaseStatus.EXECUTED, CaseStatus.CLOSED)


def _measure_q(value, ctx):
    from django.db import connection

    if value not in Measure.values:
        return None
    if connection.features.supports_json_field_contains:
        return Q(measures__contains=[value])
    return Q(measures__icontains=f'"{value}"')  # SQLite has no JSON containment; the list is short


def _typical_q(value, ctx):
    wanted = flag(value)
    return None if wanted is None else Q(typical=wanted)


# The case orders (the case and typical lists' column headers switch each way): "marked" is when a case was made
# typical. Cases without a fine, decision or mark come last either way.
CASE_SORT = Sort.both_ways(
    {
        "filed": ("filed_date", "id"),
        "fine": (F("fine").asc(nulls_last=True), "id"),
        "decided": (F("decision_date").asc(nulls_last=True), "id"),
        "marked": (F("typical_at").asc(nulls_last=True), "id"),
        "number": ("number",),
    },
    default=("-filed_date", "-id"),
)

CASE_FILTERS = FilterSet(
    Filter("region", "区划", "choice", choices=region_options, q=lambda value, ctx: subtree_q(value)),
    Filter("industry", "行业", "choice", choices=industry_options, lookup="industry__code"),
    Filter("status", "状态", "choice", choices=CaseStatus.choices, lookup="status"),
    Filter("measure", "处罚措施", "choice", choices=Measure.choices, q=_measure_q),
    Filter("unit", "执法单位", "choice", choices=unit_options, q=id_q("unit_id", otherwise=NOTHING)),
    Filter("typical", "典型案例", "choice", choices=[("1", "是"), ("0", "否")], q=_typical_q),
    Filter(
        "fined",
        "已决定罚款",
        "choice",
        choices=[("1", "是")],
        q=lambda value, ctx: Q(status__in=DECIDED, fine__gt=0) if flag(value) else None,
    ),
    Filter("filed_from", "立案日期从", "date", lookup="filed_date__gte"),
    Filter("filed_to", "立案日期至", "date", lookup="filed_date__lte"),
    Filter("q", "关键词", "search", search=("number", "enterprise__name", "decision_number", "violation")),
    CASE_SORT,
)

# The order list's orders (its column headers switch each way): the newest first by default
ORDER_SORT = Sort.both_ways({"deadline": ("deadline", "id")}, default=("-created_at", "-id"))

ORDER_FILTERS = FilterSet(
    Filter("region", "区划", "choice", choices=region_options, q=lambda value, ctx: subtree_q(value)),
    Filter("status", "状态", "choice", choices=OrderStatus.choices, lookup="status"),
    Filter(
        "overdue",
        "逾期",
        "choice",
        choices=[("1", "已逾期")],
        q=lambda value, ctx: Q(status=OrderStatus.OPEN, deadline__lt=ctx.today) if flag(value) else None,
    ),
    Filter("unit", "责令单位", "choice", choices=unit_options, q=id_q("unit_id", otherwise=NOTHING)),
    Filter("q", "关键词", "search", search=("number", "enterprise__name", "items")),
    ORDER_SORT,
)

RELATED = ("enterprise", "unit", "region")  # what the export and the API read with each case or order


def case_list(*, user, filters=None, related=RELATED):
    """The cases `user` may see, narrowed and ordered by `filters` (CASE_FILTERS), each read with its `related` rows
    (a list page: only those its table shows)."""
    qs = joined(EnforcementCase.objects.for_user(user), related)
    return CASE_FILTERS.filter(qs, filters or {}, user=user)


def order_list(*, user, filters=None, related=RELATED):
    """The orders `user` may see, narrowed and ordered by `filters` (ORDER_FILTERS), each read with its `related`
    rows."""
    qs = joined(RectificationOrder.objects.for_user(user), related)
    return ORDER_FILTERS.filter(qs, filters or {}, user=user)


def _get(model, user, pk):
    if not user.can("enforcement.view"):
        raise Http404
    obj = (
        model.objects.for_user(user).select_related("enterprise", "unit", "region", "inspection").filter(pk=pk).first()
    )
    if obj is None:
        raise Http404
    return obj


def case_get(*, user, pk):
    return _get(EnforcementCase, user, pk)


def order_get(*, user, pk):
    return _get(RectificationOrder, user, pk)


def unit_statistics(*, user, start, end, today=None, region=""):
    """Per enforcing unit in the user's scope (None: the system, every unit), inside `region`'s subtree
    when given, for [start, end]: completed inspections (of them 执法检查), hazards they found, cases filed,
    penalty cases, fines, orders issued and overdue, typical cases; units with at least
    `enforcement.zero_penalty_min_inspections` enforcement inspections and no penalty are flagged 零处罚.
    Returns (rows, threshold)."""
    from zhiben.regions.models import Unit

    today = today or timezone.localdate()
    threshold = rule("enforcement.zero_penalty_min_inspections", region or getattr(user, "region_id", "") or "")
    units = Unit.objects.for_user(user) if user is not None else Unit.objects.all()
    where = subtree_q(region) if region else None
    units = {u.pk: u for u in (units.filter(where) if where is not None else units)}
    stats = defaultdict(lambda: defaultdict(int))
    inspections = (
        inspections_in_period(start, end)
        .filter(unit_id__in=units)
        .values("unit_id")
        .annotate(
            n=Count("pk", distinct=True),
            enforcement=Count("pk", distinct=True, filter=Q(kind=Kind.ENFORCEMENT)),
            hazards=Count("hazards", distinct=True),
        )
        .order_by()
    )
    for row in inspections:
        s = stats[row["unit_id"]]
        s["inspections"], s["enforcement"], s["hazards"] = row["n"], row["enforcement"], row["hazards"]
    for case in EnforcementCase.objects.filter(unit_id__in=units, filed_date__gte=start, filed_date__lte=end).only(
        "unit_id", "status", "measures", "fine", "typical"
    ):
        s = stats[case.unit_id]
        s["cases"] += 1
        if case.status in DECIDED and any(m in PENALTIES for m in case.measures):
            s["penalties"] += 1
            s["fines"] += case.fine or 0
        s["typical"] += int(case.typical)
    orders = (
        RectificationOrder.objects.filter(unit_id__in=units, created_at__date__gte=start, created_at__date__lte=end)
        .values("unit_id")
        .annotate(n=Count("pk"), overdue=Count("pk", filter=Q(status=OrderStatus.OPEN, deadline__lt=today)))
        .order_by()
    )
    for row in orders:
        stats[row["unit_id"]]["orders"], stats[row["unit_id"]]["orders_overdue"] = row["n"], row["overdue"]
    rows = []
    for pk, s in stats.items():
        zero = s["enforcement"] >= threshold and s["penalties"] == 0
        rows.append({"unit": units[pk], **{k: s[k] for k in FIGURES}, "zero_penalty": zero})
    rows.sort(key=lambda r: (not r["zero_penalty"], -r["inspections"], r["unit"].name))
    return rows, threshold


FIGURES = (
    "inspections",
    "enforcement",
    "hazards",
    "cases",
    "penalties",
    "fines",
    "orders",
    "orders_overdue",
    "typical",
)


def open_orders(user):
    return RectificationOrder.objects.for_user(user).filter(status=OrderStatus.OPEN)


def inspection_for(user, pk):
    """The inspection a case or order starts from (None when absent, malformed or out of scope)."""
    from zhiben.inspections.models import Inspection

    pk = as_id(pk)
    if pk is None:
        return None
    return Inspection.objects.for_user(user).select_related("enterprise").filter(pk=pk).first()


def hazards_of(user, ids):
    from zhiben.hazards.models import Hazard

    return list(Hazard.objects.for_user(user).filter(pk__in=ids).order_by("pk"))


def open_order_figures(user, today):
    """Open orders in scope and how many of them are past their deadline (one query)."""
    return open_orders(user).aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(deadline__lt=today)))


def case_year_figures(user, year):
    """Cases filed in `year` in scope, and the fines decided in them (yuan and 万元, one query)."""
    row = (
        EnforcementCase.objects.for_user(user)
        .filter(filed_date__year=year)
        .aggregate(cases=Count("pk"), fines=Sum("fine", filter=Q(status__in=DECIDED)))
    )
    fines = row["fines"] or 0
    return {"cases": row["cases"], "fines": fines, "fines_wan": f"{fines / 10000:,.2f}".rstrip("0").rstrip(".")}


# ---------------------------------------------------------------- figures for analytics

# (key, label, unit, better)
ENFORCEMENT_FIGURES = [
    ("cases", "执法立案", "起", "higher"),
    ("fines", "罚款金额", "元", "higher"),
    ("zero_penalty_units", "“零处罚”执法单位", "家", "lower"),
]


def enforcement_figures(*, user, filters=None, by=None, today=None):
    """The enforcement figures for `user`'s scope (None: the system, unscoped) narrowed by `filters`
    (core.registry.Figure: region, industry, year or start/end): {group: {"enforcement.<key>": value}} with
    group "" (by=None), each child region's code (by="region") or each industry's code (by="industry").

    - cases filed in the period and the fines decided in them (已决定、执行完毕、结案), one aggregate query;
    - the enforcing units flagged 零处罚 for the period (the statistics page's rule), by the unit's own
      region; a unit is no industry's, so by industry it is left out (None)."""
    from zhiben.core.periods import filter_range
    from zhiben.core.scoping import normalize_code

    filters = filters or {}
    start, end = filter_range(filters, today)
    qs = EnforcementCase.objects.for_user(user) if user is not None else EnforcementCase.objects.all()
    qs = qs.filter(filed_date__gte=start, filed_date__lte=end)
    region = normalize_code(filters.get("region")) or (getattr(user, "region_id", "") or "")
    if region:
        qs = qs.filter(subtree_q(region))
    if filters.get("industry"):
        qs = qs.filter(industry__code=filters["industry"])
    measures = {"cases": Count("pk"), "fines": Sum("fine", filter=Q(status__in=DECIDED))}

    def values(c):
        return {"enforcement.cases": c.get("cases", 0), "enforcement.fines": float(c.get("fines") or 0)}

    out = _grouped(qs, measures, values, region=region, by=by)
    if by == "industry":
        return {group: {**row, "enforcement.zero_penalty_units": None} for group, row in out.items()}
    rows, _ = unit_statistics(user=user, start=start, end=end, today=today, region=region)
    zero = [r["unit"].region_id for r in rows if r["zero_penalty"]]
    for group, row in out.items():
        row["enforcement.zero_penalty_units"] = sum(1 for code in zero if not group or in_subtree(code, group))
    return out
