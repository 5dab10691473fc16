"""Reads of drills and rescue resources, from the user's scope: drill lists, the drill duty's compliance
(each enterprise judged on its own period containing the day: a year, or a half-year for high-risk
enterprises — period lengths in months are rules), and the construction rates per region and year."""

from collections import namedtuple
from dataclasses import dataclass
from datetime import date

from django.db.models import Case, DateField, F, Max, OuterRef, Q, Subquery, Value, When
from django.http import Http404
from django.utils import timezone

from zhiben.core.db import MappedRows
from zhiben.core.filters import Filter, FilterSet, Sort
from zhiben.core.rules import rule
from zhiben.core.scoping import child_code, child_prefix_length, normalize_code, subtree_q
from zhiben.enterprises.filters import industry_options, region_options
from zhiben.enterprises.selectors import operating_census, operating_enterprises
from zhiben.regions.models import Industry, Region
from zhiben.regions.selectors import child_codes

from .choices import DrillKind, TeamLevel
from .models import Drill, Equipment, RescueStation, RescueTeam, period_label

VIEW, MANAGE = "drill.view", "drill.manage"  # the capabilities of the pages and the API

DRILL_FILTERS = FilterSet(
    Filter("region", "所属区划", "choice", choices=region_options, q=lambda value, ctx: subtree_q(value)),
    Filter("industry", "行业", "choice", choices=industry_options, q=lambda v, ctx: Q(industry__code=v) if v else None),
    Filter("kind", "演练类型", "choice", choices=DrillKind.choices, lookup="kind"),
    Filter("from", "演练日期从", "date", lookup="held_on__gte"),
    Filter("to", "演练日期至", "date", lookup="held_on__lte"),
    Filter("q", "关键词", "search", search=("enterprise__name", "scenario", "evaluation")),
    Sort("sort", {"held": ("held_on", "id"), "-held": ("-held_on", "-id")}, default=("-held_on", "-id")),
)
TEAM_FILTERS = FilterSet(
    Filter("region", "所属区划", "choice", choices=region_options, q=lambda value, ctx: subtree_q(value)),
    Filter("level", "队伍类别", "choice", choices=TeamLevel.choices, lookup="level"),
    Filter("q", "关键词", "search", search=("name", "leader")),
    Sort("sort", {"name": ("name", "id"), "region": ("region_id", "name")}, default=("region_id", "level", "name")),
)


def drill_list(*, user, filters=None):
    return DRILL_FILTERS.filter(Drill.objects.for_user(user), filters or {}, user=user).select_related("enterprise")


def team_list(*, user, filters=None):
    return TEAM_FILTERS.filter(RescueTeam.objects.for_user(user), filters or {}, user=user).select_related(
        "region", "industry"
    )


def drill_get(user, pk):
    drill = Drill.objects.for_user(user).select_related("enterprise").filter(pk=pk).first()
    if drill is None:
        raise Http404
    return drill


# ---------------------------------------------------------------- drill duty


def period_months(enterprise):
    return months_for(enterprise.high_risk, enterprise.region_id)


def months_for(high_risk, region_id):
    key = "drills.high_risk_period_months" if high_risk else "drills.period_months"
    return max(1, min(12, int(rule(key, region_id))))


def period_of(day, months):
    """(first, last) day of the `months`-long period (counted from 1 January) containing `day`."""
    index = (day.month - 1) // months
    first_month = index * months + 1
    last_month = first_month + months - 1
    first = date(day.year, first_month, 1)
    last = date(day.year + (last_month // 12 if last_month > 12 else 0), (last_month - 1) % 12 + 1, 1)
    import calendar

    last = last.replace(day=calendar.monthrange(last.year, last.month)[1])
    return first, last


@dataclass
class DutyRow:
    enterprise: "Listed"
    start: date
    end: date
    last: date | None  # latest drill within the period
    months: int

    @property
    def done(self):
        return self.last is not None

    @property
    def label(self):
        return period_label(self.start, self.end, self.months)


class Compliance:
    """The drill duty at `day` for the operating enterprises in scope. The figures (done, total, value) are counted
    by the database (compliance_counts); the rows (`rows`, `missing`, `listed()`) are read a page at a time, each
    enterprise with its latest drill inside its own period found by the database — a district of 30,000 enterprises
    read and judged in Python took 0.3 s of every page."""

    def __init__(self, user, day, region="", industry=""):
        self.day = day
        self._enterprises = operating_enterprises(user, region, industry)
        self._periods, counts = _counted(user, day, region, industry)
        self.total, self.done = sum(c[2] for c in counts), sum(c[3] for c in counts)

    @property
    def value(self):
        return None if not self.total else round(100 * self.done / self.total, 1)

    def listed(self, *, missing=False, by_last=False):
        """The rows as the page lists them: all or those without a drill, by place and name or by latest drill
        (none first)."""
        # each enterprise's period starts on the first day its place and class give: one CASE branch per distinct
        # first day (a county's rule is usually one for high-risk and one for other enterprises)
        firsts = {}
        for (region_id, high), (_, first, _) in self._periods.items():
            firsts.setdefault((high, first), []).append(region_id)
        branches = []
        for (high, first), regions in firsts.items():
            alone = sum(1 for h, _ in firsts if h == high) == 1  # every place of this class shares the day
            where = Q(high_risk=high) if alone else Q(high_risk=high, region_id__in=regions)
            branches.append(When(where, then=Value(first)))
        latest = Drill.objects.filter(
            enterprise_id=OuterRef("pk"), held_on__gte=OuterRef("period_first"), held_on__lte=self.day
        ).order_by("-held_on")
        qs = self._enterprises.annotate(
            period_first=Case(*branches, default=Value(self.day), output_field=DateField()),
            last=Subquery(latest.values("held_on")[:1]),
        )
        if missing:
            qs = qs.filter(last__isnull=True)
        order = (F("last").asc(nulls_first=True), "region_id", "name") if by_last else ("region_id", "name")
        periods = dict(self._periods)

        def made_rows(page):
            made = []
            for values in page:
                listed = Listed._make(values[:4])
                place = (listed.region_id, listed.high_risk)
                if place not in periods:  # a place met after the census (an enterprise registered since)
                    periods.update(_periods({place}, self.day))
                months, start, end = periods[place]
                made.append(DutyRow(listed, start, end, values[4], months))
            return made

        count = self.total - self.done if missing else self.total
        return MappedRows(qs.order_by(*order).values_list(*Listed._fields, "last"), made_rows, count)

    @property
    def rows(self):
        return self.listed()

    @property
    def missing(self):
        return self.listed(missing=True)


# an enterprise as the compliance list shows it
Listed = namedtuple("Listed", ("pk", "name", "region_id", "high_risk"))


def _periods(places, day):
    """{(region_id, high_risk): (months, first, last)}: the period containing `day` per place and class (its rule
    looked up once per place, not per enterprise)."""
    found = {}
    for region_id, high in places:
        months = months_for(high, region_id)
        found[region_id, high] = (months, *period_of(day, months))
    return found


def compliance(user, *, day=None, region="", industry=""):
    """Each operating enterprise in scope against its own drill period containing `day`."""
    return Compliance(user, day or timezone.localdate(), region, industry)


def compliance_counts(user, *, day=None, region="", industry=""):
    """[(region_id, industry code, enterprises, drilled)] of compliance(), counted by the database: the
    enterprises by (region, industry, high risk) in one grouped query — their drill period follows from
    the region and high risk — and the drilled ones from the drills themselves (each enterprise's latest
    drill since the earliest period's first day), so a figure never loads or probes every enterprise."""
    return _counted(user, day or timezone.localdate(), region, industry)[1]


def _counted(user, day, region, industry):
    """(the periods of the places in scope as _periods gives them, compliance_counts)."""
    qs = operating_enterprises(user, region, industry)
    census = operating_census(user, region, industry)
    periods = _periods({(region_id, high) for region_id, _, high, _ in census}, day)
    firsts = {place: first for place, (_, first, _) in periods.items()}
    drilled = {}
    latest = (
        Drill.objects.filter(enterprise__in=qs, held_on__gte=min(firsts.values(), default=day), held_on__lte=day)
        .values("enterprise_id", "enterprise__region_id", "enterprise__industry__code", "enterprise__high_risk")
        .annotate(last=Max("held_on"))
        .order_by()
        .values_list("enterprise__region_id", "enterprise__industry__code", "enterprise__high_risk", "last")
    )
    for region_id, code, high, last in latest:
        first = firsts.get((region_id, high))  # None: moved between the two reads
        if first is not None and last >= first:  # a drill inside its own period (which runs to `day` at least)
            drilled[(region_id, code, high)] = drilled.get((region_id, code, high), 0) + 1
    counts = {}
    for region_id, code, high, n in census:  # high and ordinary enterprises of a place count together
        total = counts.setdefault((region_id, code), [0, 0])
        total[0], total[1] = total[0] + n, total[1] + drilled.get((region_id, code, high), 0)
    return periods, [(region_id, code, n, done) for (region_id, code), (n, done) in counts.items()]


def _rate(done, total):
    return None if not total else round(100 * done / total, 1)


def compliance_value(user, *, day=None, region="", industry=""):
    """The number of compliance() (share of enterprises drilled in their period), from compliance_counts."""
    counts = compliance_counts(user, day=day, region=region, industry=industry)
    return _rate(sum(c[3] for c in counts), sum(c[2] for c in counts))


def compliance_breakdown(user, *, by, day=None, region="", industry=""):
    """{code: value} of the compliance for each child region of `region` (by="region", keyed by the child's
    code; enterprises on the region's own node under its own code) or each industry (by="industry"), from
    one computation: each value equals compliance() of that child or industry; "" the whole from the same counts."""
    if by not in ("region", "industry"):
        raise ValueError(f"unknown breakdown {by!r}")
    root = normalize_code(region) if region else (getattr(user, "region_id", "") or "")
    if by == "industry":
        sums = {code: [0, 0] for code in Industry.objects.values_list("code", flat=True)}
    else:
        sums = {code: [0, 0] for code in child_codes(root)}
        keep = child_prefix_length(root) if root else 2
    for region_id, industry_code, total, done in compliance_counts(user, day=day, region=region, industry=industry):
        if by == "industry":
            code = industry_code
        else:
            code = region_id if region_id == root else child_code(region_id[:keep])
        group = sums.setdefault(code, [0, 0])
        group[0], group[1] = group[0] + done, group[1] + total
    result = {code: _rate(done, total) for code, (done, total) in sums.items()}
    result[""] = _rate(sum(done for done, _ in sums.values()), sum(total for _, total in sums.values()))  # the whole
    return result


def latest_drill(enterprise_id):
    return Drill.objects.filter(enterprise_id=enterprise_id).aggregate(last=Max("held_on"))["last"]


# ---------------------------------------------------------------- construction rates


@dataclass
class Rate:
    key: str
    label: str
    have: int
    total: int
    target: float
    missing: list  # names of the towns / villages / industries without one

    @property
    def value(self):
        return None if not self.total else round(100 * self.have / self.total, 1)

    @property
    def met(self):
        return self.value is not None and self.value >= self.target


def _root(user, region):
    code = normalize_code(region) if region else ""
    if code and user is not None and not user.is_superuser and user.region_id:
        from zhiben.core.scoping import in_subtree

        if not in_subtree(code, user.region_id):
            code = ""
    return code or (user.region_id if user is not None and user.region_id else "")


def rates(user, *, region="", year=None, end=None):
    """镇队伍 (towns with a town team / towns), 村站点 (villages with a station / villages), 行业专业队伍
    (key industries with an industry team / key industries) in the region's subtree, counting teams and
    stations established by `end` (default: the end of `year`) and active."""
    year = int(year or timezone.localdate().year)
    code = _root(user, region)
    return _rates_of(code, _rate_data(code, end or date(year, 12, 31)))


def rate_values(user, *, region="", end, by=None):
    """{group: {rate key: value}} of the three rates for the region ("") and, by="region", each child region
    (keyed by its code), from one read of the subtree's towns, villages, teams and stations."""
    code = _root(user, region)
    data = _rate_data(code, end)
    groups = {"": code}
    if by == "region":
        groups.update((c, c) for c in child_codes(code))
    return {group: {r.key: r.value for r in _rates_of(c, data)} for group, c in groups.items()}


def _rate_data(code, end):
    region_q = subtree_q(code, "code") if code else Q()
    within = subtree_q(code) if code else Q()
    return {
        "towns": list(Region.objects.filter(region_q, level=4).order_by("code").values_list("code", "name")),
        "villages": list(Region.objects.filter(region_q, level=5).order_by("code").values_list("code", "name")),
        "teams": list(
            RescueTeam.objects.filter(within, active=True, established_on__lte=end).values_list(
                "region_id", "level", "industry__code"
            )
        ),
        "industries": list(Industry.objects.order_by("sort").values_list("code", "name")),
        "stations": set(
            RescueStation.objects.filter(within, active=True, established_on__lte=end).values_list(
                "region_id", flat=True
            )
        ),
    }


def _rates_of(code, data):
    """The three Rates of region `code` from `_rate_data` of it or of a region above it."""
    from zhiben.core.scoping import in_subtree

    def inside(region_code):
        return not code or in_subtree(region_code, code)

    towns = [(c, name) for c, name in data["towns"] if inside(c)]
    villages = [(c, name) for c, name in data["villages"] if inside(c)]
    teams = [(region_code, level, industry) for region_code, level, industry in data["teams"] if inside(region_code)]
    town_teams = {region_code for region_code, level, _ in teams if level == TeamLevel.TOWN}
    stations = {c for c in data["stations"] if inside(c)}
    keys = set(rule("drills.key_industries", code) or [])
    industries = [(c, name) for c, name in data["industries"] if c in keys]
    covered = {industry for _, level, industry in teams if level == TeamLevel.INDUSTRY}
    return [
        Rate(
            "drills.town_team_rate",
            "镇级救援队伍建成率",
            sum(c in town_teams for c, _ in towns),
            len(towns),
            float(rule("drills.target_town_team", code)),
            [name for c, name in towns if c not in town_teams],
        ),
        Rate(
            "drills.village_station_rate",
            "村级救援站点建成率",
            sum(c in stations for c, _ in villages),
            len(villages),
            float(rule("drills.target_village_station", code)),
            [name for c, name in villages if c not in stations],
        ),
        Rate(
            "drills.industry_team_rate",
            "行业专业救援队伍覆盖率",
            sum(c in covered for c, _ in industries),
            len(industries),
            float(rule("drills.target_industry_team", code)),
            [name for c, name in industries if c not in covered],
        ),
    ]


def equipment_due(user, *, today=None, days=30):
    today = today or timezone.localdate()
    return Equipment.objects.for_user(user).filter(next_inspection_on__lte=date.fromordinal(today.toordinal() + days))
