"""Reads: records in scope, the duties binding an enterprise, compliance over a window, and the
"查不出问题" list (self-inspections that report nothing while inspectors find hazards)."""

import math
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum
from django.http import Http404
from django.utils import timezone

from zhiben.core.rules import rule
from zhiben.core.scoping import in_subtree, region_chain, subtree_q
from zhiben.enterprises.models import Enterprise
from zhiben.enterprises.selectors import operating_enterprises
from zhiben.hazards.choices import Channel
from zhiben.hazards.choices import Status as HazardStatus
from zhiben.hazards.models import Hazard

from .choices import STATE_TONES, AppliesTo, State
from .models import Duty, SelfInspection
from .periods import bucket_bounds, bucket_of

# hazards found by government inspectors (the "查不出问题" comparison)
INSPECTOR_CHANNELS = (Channel.SUPERVISION, Channel.ENFORCEMENT, Channel.UNANNOUNCED)
NOT_COUNTED = (HazardStatus.REJECTED, HazardStatus.MERGED)


def record_get(*, user, pk):
    if not (user.can("selfcheck.record") or user.can("selfcheck.monitor")):
        raise Http404
    record = (
        SelfInspection.objects.for_user(user)
        .select_related("enterprise", "enterprise__region", "duty", "created_by")
        .filter(pk=pk)
        .first()
    )
    if record is None:
        raise Http404
    return record


def duty_list(*, user):
    """The duties on `user`'s duty list, in their order: the national ones, those of the regions above the user's
    (they bind its enterprises too) and those of its own subtree; every one for a superuser. Another county's local
    duties are not there."""
    qs = Duty.objects.select_related("region").order_by("sort", "id")
    if user.is_superuser:
        return qs
    code = user.region_id or ""
    visible = Q(region__isnull=True) | Q(region_id__in=region_chain(code))
    if code:
        visible |= subtree_q(code)
    return qs.filter(visible)


def active_duties():
    return list(Duty.objects.filter(active=True).order_by("sort", "id"))


def duties_for(enterprise, duties=None):
    """The active duties binding `enterprise` (its class, and local duties of a region above it)."""
    return [
        d
        for d in (duties if duties is not None else active_duties())
        if (not d.region_id or in_subtree(enterprise.region_id, d.region_id)) and d.applies(enterprise)
    ]


def enterprises_in(*, user, region="", industry=""):
    """Operating enterprises in the user's scope (None: the system, every one), narrowed to a region subtree
    and an industry."""
    return operating_enterprises(user, region, industry)


@dataclass
class Cell:
    """One enterprise's standing on one duty over a window."""

    duty: Duty
    expected: int  # duty periods overlapping the window (from the enterprise's registration on)
    required: int  # how many of them must have a record
    covered: int  # periods with at least one record
    ended: int  # expected periods already over
    covered_ended: int
    state: State = State.OPEN

    @property
    def missed(self):
        return self.ended - self.covered_ended

    @property
    def tone(self):
        return STATE_TONES[self.state]

    @property
    def label(self):
        return self.state.label


@dataclass
class Row:
    enterprise: dict
    cells: dict = field(default_factory=dict)  # duty id -> Cell
    columns: list = field(
        default_factory=list
    )  # (duty, cell) in the order of the duties shown (cell None: not binding)

    @property
    def state(self):
        states = {c.state for c in self.cells.values()}
        if State.MISSED in states:
            return State.MISSED
        return State.OPEN if State.OPEN in states else State.DONE

    @property
    def tone(self):
        return STATE_TONES[self.state]


class Judge:
    """Judges one duty over a window: the window's duty periods and today's are computed once, the periods
    owed by an enterprise registered on a given day once per day (a district's rows share few days)."""

    def __init__(self, duty, window, today):
        self.duty = duty
        span = window.buckets(duty.frequency)
        self.first, self.last = span.start, span.stop - 1
        self.today = bucket_of(today, duty.frequency)
        self.owed = {}

    def __call__(self, registered, counts):
        owed = self.owed.get(registered)
        if owed is None:
            first = max(self.first, bucket_of(registered, self.duty.frequency))
            expected = max(0, self.last - first + 1)
            ended = max(0, min(self.last, self.today - 1) - first + 1)
            owed = self.owed[registered] = (expected, ended, math.ceil(expected * self.duty.required_percent / 100))
        expected, ended, required = owed
        covered, covered_ended = counts
        cell = Cell(self.duty, expected, required, covered, ended, covered_ended)
        if covered >= required:
            cell.state = State.DONE
        elif covered + (expected - ended) - (covered - covered_ended) < required:
            cell.state = State.MISSED  # even a record in every period still open would not reach the requirement
        return cell


def _registered(user, window, region, industry):
    """The operating enterprises in scope registered by the window's end, each with `registered`: the local
    day of registration, or the window's first day for all registered before it (they owe the same
    periods), so the database converts the time of day only for the few registered inside the window."""
    from datetime import datetime, time, timedelta

    from django.db.models import Case, DateField, Value, When
    from django.db.models.functions import TruncDate

    def moment(day):
        return timezone.make_aware(datetime.combine(day, time.min))

    registered = Case(
        When(created_at__lt=moment(window.start), then=Value(window.start)),
        default=TruncDate("created_at"),
        output_field=DateField(),
    )
    return (
        enterprises_in(user=user, region=region, industry=industry)
        .filter(created_at__lt=moment(window.end + timedelta(days=1)))
        .annotate(registered=registered)
    )


def _records_q(duties, window):
    """The records of `duties` inside their periods of `window`."""
    condition = Q()
    for d in duties:
        span = window.buckets(d.frequency)
        condition |= Q(duty_id=d.pk, bucket__gte=span.start, bucket__lt=span.stop)
    return condition


def period_counts(duties, window, today, **enterprises):
    """{(enterprise id, duty id): (periods with a record, of them periods already over)} over `window`, in
    one grouped query; `enterprises` narrows the records (enterprise__in=…, enterprise=…)."""
    if not duties:
        return {}
    ended = Q()
    for d in duties:
        ended |= Q(duty_id=d.pk, bucket__lt=bucket_of(today, d.frequency))
    grouped = (
        SelfInspection.objects.filter(_records_q(duties, window), **enterprises)
        .values_list("enterprise_id", "duty_id")
        .annotate(n=Count("bucket", distinct=True), n_ended=Count("bucket", distinct=True, filter=ended))
        .order_by()
    )
    return {(e, d): (n, n_ended) for e, d, n, n_ended in grouped}


def compliance(*, user, window, region="", industry="", duty=None, today=None):
    """Every operating enterprise in scope against every duty binding it over `window`.

    Returns (rows, duties, summary). One grouped query counts, per enterprise and duty, the distinct duty
    periods with a record — all of them, and those already over (for 漏查)."""
    today = today or timezone.localdate()
    duties = [d for d in active_duties() if duty is None or d.pk == duty.pk]
    enterprises = _registered(user, window, region, industry)
    counts = period_counts(duties, window, today, enterprise__in=enterprises.values("pk"))
    rows = []
    judges = [Judge(d, window, today) for d in duties]
    fields = (
        "pk", "name", "region_id", "region__name", "industry__code", "industry__name", "high_risk", "registered",
    )  # fmt: skip
    for values in enterprises.values(*fields).order_by("region_id", "name", "pk"):
        row = _judged(values, judges, lambda d, pk=values["pk"]: counts.get((pk, d.pk), (0, 0)))
        if row.cells:
            row.columns = [(d, row.cells.get(d.pk)) for d in duties]
            rows.append(row)
    return rows, duties, summarize(rows, duties)


_STATE_ORDER = {State.MISSED: 0, State.OPEN: 1, State.DONE: 2}  # 漏查 first: what a supervisor chases
COMPLIANCE_SORTS = {  # key → (label, the key of a row); "": as compliance() lists them (by place, then name)
    "": ("区划", None),
    "name": ("单位名称", lambda row: (row.enterprise["name"], row.enterprise["pk"])),
    "state": ("漏查优先", lambda row: _STATE_ORDER[row.state]),
    "missed": ("漏查期数↓", lambda row: -sum(c.missed for c in row.cells.values())),
}


def sort_rows(rows, key):
    """compliance()'s rows in the order of the page's `sort` (an unknown key: as they are). Stable: rows that tie
    stay by place and name."""
    by = COMPLIANCE_SORTS.get(key or "", COMPLIANCE_SORTS[""])[1]
    return sorted(rows, key=by) if by else rows


def _judged(values, judges, counts_of):
    """The row of one enterprise (`values`: region_id, high_risk, registered …) judged on every duty
    binding it (by the duty's region and class), `counts_of(duty)` giving its record counts."""
    row = Row(values)
    for judge in judges:
        d = judge.duty
        if d.region_id and not in_subtree(values["region_id"], d.region_id):
            continue
        if d.applies_to != AppliesTo.ALL and (d.applies_to == AppliesTo.HIGH_RISK) != values["high_risk"]:
            continue
        row.cells[d.pk] = judge(values["registered"], counts_of(d))
    return row


def compliance_tally(*, user, window, region="", industry="", today=None):
    """[(region_id, industry code, state, enterprises)] of compliance() for figures: the enterprises with a
    record in the window are judged one by one, the others — most of a district — by the database in
    groups of the same region, class and registration day (they share their judgement)."""
    today = today or timezone.localdate()
    duties = list(active_duties())
    enterprises = _registered(user, window, region, industry)
    counts = period_counts(duties, window, today, enterprise__in=enterprises.values("pk"))
    # those with a record: a subquery, not a list of ids (most of a district may keep records)
    recorded = SelfInspection.objects.filter(_records_q(duties, window), enterprise__in=enterprises.values("pk"))
    recorded = recorded.values("enterprise_id")
    judges = [Judge(d, window, today) for d in duties]
    tally = []
    fields = ("pk", "region_id", "industry__code", "high_risk", "registered")
    for values in enterprises.filter(pk__in=recorded).values(*fields):
        row = _judged(values, judges, lambda d, pk=values["pk"]: counts.get((pk, d.pk), (0, 0)))
        if row.cells:
            tally.append((values["region_id"], values["industry__code"], row.state, 1))
    groups = (
        enterprises.exclude(pk__in=recorded)
        .values("region_id", "industry__code", "high_risk", "registered")
        .annotate(n=Count("pk"))
        .order_by()
    )
    judged = {}  # the judgement depends on the region, class and registration day, not the industry
    for values in groups:
        same = (values["region_id"], values["high_risk"], values["registered"])
        row = judged.get(same) or judged.setdefault(same, _judged(values, judges, lambda d: (0, 0)))
        if row.cells:
            tally.append((values["region_id"], values["industry__code"], row.state, values["n"]))
    return tally


def summarize(rows, duties):
    summary = {"total": len(rows), State.DONE: 0, State.OPEN: 0, State.MISSED: 0, "duties": []}
    for row in rows:
        summary[row.state] += 1
    for d in duties:
        cells = [row.cells[d.pk] for row in rows if d.pk in row.cells]
        summary["duties"].append(
            {
                "duty": d,
                "applicable": len(cells),
                "done": sum(c.state == State.DONE for c in cells),
                "missed": sum(c.state == State.MISSED for c in cells),
            }
        )
    return summary


def enterprise_standing(enterprise, window, today=None):
    """One enterprise's cells over `window` (its own 自查 page)."""
    today = today or timezone.localdate()
    duties = duties_for(enterprise)
    registered = timezone.localdate(enterprise.created_at)
    counts = period_counts(duties, window, today, enterprise=enterprise)
    cells = [Judge(d, window, today)(registered, counts.get((enterprise.pk, d.pk), (0, 0))) for d in duties]
    return cells


def current_period_of(duty, today):
    """(first, last) day of the duty period containing `today`."""
    return bucket_bounds(bucket_of(today, duty.frequency), duty.frequency)


def blind_spots(*, user, window, region="", industry="", today=None):
    """Enterprises whose self-inspections in `window` report nothing — records kept, no hazard found, none
    self-reported — while inspectors found at least `selfcheck.blind_min_hazards` hazards there in the same
    window: the "查不出问题" list, for 责任倒查. Returns dicts, most inspector hazards first."""
    enterprises = enterprises_in(user=user, region=region, industry=industry)
    minimum = rule("selfcheck.blind_min_hazards", region or getattr(user, "region_id", "") or "")
    # first the enterprises whose records in the window found nothing (usually few), then the inspectors'
    # hazards there, in one query: no list of ids goes back and forth
    silent = (
        SelfInspection.objects.filter(
            enterprise__in=enterprises.values("pk"), date__gte=window.start, date__lte=window.end
        )
        .values("enterprise_id")
        .annotate(records=Count("pk"), findings=Sum("findings"))
        .filter(findings=0)
        .order_by()
    )
    found = (
        Hazard.objects.filter(
            found_date__gte=window.start, found_date__lte=window.end, enterprise__in=silent.values("enterprise_id")
        )
        .exclude(status__in=NOT_COUNTED)
        .values("enterprise_id")
        .annotate(
            inspector=Count("pk", filter=Q(channel__in=INSPECTOR_CHANNELS)),
            major=Count("pk", filter=Q(channel__in=INSPECTOR_CHANNELS, level="major")),
            own=Count("pk", filter=Q(channel=Channel.SELF_REPORT)),
        )
        .filter(inspector__gte=minimum, own=0)
        .order_by()
    )
    found = {row["enterprise_id"]: row for row in found}
    if not found:
        return []
    records = {row["enterprise_id"]: row for row in silent.filter(enterprise_id__in=list(found))}
    names = Enterprise.objects.filter(pk__in=records).select_related("region", "industry").in_bulk()
    result = []
    for pk, row in records.items():
        result.append(
            {
                "enterprise": names[pk],
                "records": row["records"],
                "inspector_hazards": found[pk]["inspector"],
                "major_hazards": found[pk]["major"],
            }
        )
    result.sort(key=lambda r: (-r["inspector_hazards"], -r["major_hazards"], r["enterprise"].name))
    return result


# ---------------------------------------------------------------- figures for analytics

# (key, label, unit, better)
SELFCHECK_FIGURES = [
    ("compliance_rate", "企业自查合规率", "%", "higher"),
    ("missed", "自查漏查企业", "家", "lower"),
    ("blind_spots", "自查“查不出问题”企业", "家", "lower"),
]


def figure_window(filters, today=None):
    """The compliance window of a figure's filters (core.registry.Figure: start/end, else the year)."""
    from zhiben.core.periods import filter_range

    from .periods import span_window

    return span_window(*filter_range(filters, today))


def selfcheck_figures(*, user, filters=None, by=None, today=None):
    """The self-inspection figures for `user`'s scope (None: the system, unscoped) narrowed by `filters`
    (region, industry, year or start/end: core.registry.Figure), as the compliance and "查不出问题" pages
    count them over the same window: {group: {"selfchecks.<key>": value}} with group "" (by=None), each
    child region's code (by="region") or each industry's code (by="industry").

    - 合规率: of the operating enterprises some duty binds, the share not 漏查 — every duty period over
      is covered as required (for a period already over: all of them 已完成);
    - 漏查: those 漏查; 查不出问题: those whose records in the window found nothing while inspectors did.
    Each list is computed once (one grouped query each) and its rows are counted child by child by the
    leading digits of the enterprise's region code."""
    from zhiben.core.scoping import child_prefix_length, normalize_code
    from zhiben.regions.models import Industry
    from zhiben.regions.selectors import child_codes

    filters = filters or {}
    today = today or timezone.localdate()
    window = figure_window(filters, today)
    region = normalize_code(filters.get("region")) or (getattr(user, "region_id", "") or "")
    industry = filters.get("industry") or ""
    members = compliance_tally(user=user, window=window, region=region, industry=industry, today=today)
    blind = blind_spots(user=user, window=window, region=region, industry=industry, today=today)
    flagged = [(r["enterprise"].region_id, r["enterprise"].industry.code) for r in blind]

    if by == "region":
        length = child_prefix_length(region) if region else 0
        children = child_codes(region) if region else []
        groups = {code: code[:length] for code in children}
        if not groups:
            return {}

        def group_of(region_code, industry_code):
            return region_code[:length]
    elif by == "industry":
        groups = {code: code for code in Industry.objects.values_list("code", flat=True)}

        def group_of(region_code, industry_code):
            return industry_code
    else:
        groups = {"": ""}

        def group_of(region_code, industry_code):
            return ""

    counts = {}
    for region_code, industry_code, state, n in members:
        c = counts.setdefault(group_of(region_code, industry_code), {"total": 0, "missed": 0, "blind": 0})
        c["total"] += n
        c["missed"] += n if state == State.MISSED else 0
    for region_code, industry_code in flagged:
        counts.setdefault(group_of(region_code, industry_code), {"total": 0, "missed": 0, "blind": 0})["blind"] += 1

    def values(c):
        total, missed = c.get("total", 0), c.get("missed", 0)
        return {
            "selfchecks.compliance_rate": round(100 * (total - missed) / total, 1) if total else None,
            "selfchecks.missed": missed,
            "selfchecks.blind_spots": c.get("blind", 0),
        }

    result = {code: values(counts.get(part, {})) for code, part in groups.items()}
    if by == "region":  # the whole from the same lists (analytics then does not count it again)
        whole = {"total": 0, "missed": 0, "blind": 0}
        for c in counts.values():
            for name in whole:
                whole[name] += c[name]
        result[""] = values(whole)
    return result
