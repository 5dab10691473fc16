"""Reads of “两单两卡一会”, all starting from the user's scope: posts, versions, 班前会 and the coverage per
enterprise (posts with all four items current and a 班前会 within N days, N a rule)."""

from collections import namedtuple
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Exists, F, Max, OuterRef, Q
from django.http import Http404
from django.utils import timezone

from zhiben.core.db import MappedRows, as_id, whole_number
from zhiben.core.filters import Filter, FilterSet, InvalidFilter, Sort, parse_date, region_param
from zhiben.core.middleware import api_request
from zhiben.core.rules import rule
from zhiben.core.scoping import child_code, child_prefix_length, normalize_code, subtree_q
from zhiben.enterprises.filters import industry_options, region_options
from zhiben.enterprises.selectors import operating_census, operating_enterprises
from zhiben.regions.models import Industry
from zhiben.regions.selectors import child_codes

from .choices import KINDS, CardKind
from .models import Briefing, CardVersion, Post

VIEW, MANAGE = "post.view", "post.manage"  # the capabilities of the pages and the API
BRIEFING_RULE = "posts.briefing_days"


def _industry_q(value, ctx):
    return Q(industry__code=value) if value else None


POST_FILTERS = FilterSet(
    Filter("region", "所属区划", "choice", choices=region_options, q=lambda value, ctx: subtree_q(value)),
    Filter("industry", "行业", "choice", choices=industry_options, q=_industry_q),
    Filter("enterprise", "企业", "hidden", lookup="enterprise_id"),
    Filter("q", "关键词", "search", search=("name", "team", "enterprise__name")),
    Sort(
        "sort",
        {"name": ("name", "id"), "-name": ("-name", "-id"), "enterprise": ("enterprise__name", "name", "id")},
        default=("enterprise__name", "name", "id"),
    ),
)

BRIEFING_FILTERS = FilterSet(
    Filter("region", "所属区划", "choice", choices=region_options, q=lambda value, ctx: subtree_q(value)),
    Filter("post", "岗位", "hidden", lookup="post_id"),
    Filter("from", "日期从", "date", lookup="held_on__gte"),
    Filter("to", "日期至", "date", lookup="held_on__lte"),
    Filter("q", "关键词", "search", search=("post__name", "team", "content", "recorder", "enterprise__name")),
    Sort("sort", {"held": ("held_on", "id"), "-held": ("-held_on", "-id")}, default=("-held_on", "-id")),
)


def _digit_filter(filters, key):
    """A hidden id filter with a value that is no id lists nothing rather than failing (on the API: a 422)."""
    value = str((filters or {}).get(key) or "").strip()
    if not value or as_id(value) is not None:
        return False
    if api_request():
        raise InvalidFilter(key, "取值不符合要求。")
    return True


def post_list(*, user, filters=None):
    qs = Post.objects.for_user(user)
    if _digit_filter(filters, "enterprise"):
        return qs.none()
    return POST_FILTERS.filter(qs, filters or {}, user=user).select_related("enterprise", "region")


def briefing_list(*, user, filters=None):
    qs = Briefing.objects.for_user(user)
    if _digit_filter(filters, "post"):
        return qs.none()
    return BRIEFING_FILTERS.filter(qs, filters or {}, user=user).select_related("post", "enterprise")


def post_get(user, pk):
    post = Post.objects.for_user(user).select_related("enterprise", "region").filter(pk=pk).first()
    if post is None:
        raise Http404
    return post


def card_version_get(user, pk):
    card = CardVersion.objects.for_user(user).select_related("post", "enterprise", "created_by").filter(pk=pk).first()
    if card is None:
        raise Http404
    return card


def current_card(post, kind):
    return CardVersion.objects.filter(post=post, kind=kind, current=True).select_related("created_by").first()


def post_cards(post):
    """[(kind, label, current version or None, older versions)] of the four items."""
    versions = list(CardVersion.objects.filter(post=post).select_related("created_by").order_by("kind", "-version"))
    rows = []
    for kind in CardKind:
        mine = [v for v in versions if v.kind == kind.value]
        current = next((v for v in mine if v.current), None)
        rows.append((kind.value, kind.label, current, [v for v in mine if not v.current]))
    return rows


def briefing_days(region_code=""):
    return int(rule(BRIEFING_RULE, region_code or ""))


# ---------------------------------------------------------------- coverage


@dataclass
class EnterpriseCoverage:
    enterprise: "Listed"
    posts: int = 0
    complete: int = 0  # posts with all four items current
    briefed: int = 0  # posts with a 班前会 within N days
    full: int = 0  # posts with both
    days: int = 7
    missing: list = field(default_factory=list)  # "岗位名：缺 岗位操作卡、班前会"

    @property
    def covered(self):
        return self.posts > 0 and self.complete == self.posts and self.briefed == self.posts

    @property
    def share(self):
        if not self.posts:
            return 0
        return round(100 * self.full / self.posts)


class Coverage:
    """The coverage of the enterprises in scope at `day`. Only the enterprises with posts are judged one by one; the
    rest are never covered and their rows (`rows`, `missing`, `by_share()`) are made only for the page shown — a
    district's 30,000 enterprises each made a row took most of a 0.5 s page."""

    def __init__(self, listed, judged, day):
        self._listed = listed  # (pk, name, region_id, region_name, industry_code) of every enterprise, in order
        self._judged = judged  # {pk: EnterpriseCoverage} of those with an active post
        self.day = day
        self._days = {}

    @property
    def total(self):
        return len(self._listed)

    @property
    def covered(self):
        return sum(1 for r in self._judged.values() if r.covered)

    @property
    def value(self):
        return None if not self._listed else round(100 * self.covered / len(self._listed), 1)

    def _row(self, values):
        found = self._judged.get(values[0])
        if found is not None:
            return found
        region_id = values[2]
        if region_id not in self._days:  # the rule once per place, not per enterprise
            self._days[region_id] = briefing_days(region_id)
        return EnterpriseCoverage(Listed._make(values), days=self._days[region_id], missing=["未建立岗位"])

    def _rows(self, listed):
        return MappedRows(listed, lambda page: [self._row(values) for values in page], len(listed))

    @property
    def rows(self):
        return self._rows(self._listed)

    @property
    def missing(self):
        judged = self._judged
        return self._rows([v for v in self._listed if v[0] not in judged or not judged[v[0]].covered])

    def by_share(self, rows, *, descending=False):
        """`rows` (rows or missing) by share of posts fully covered (none: 0), in place order among equals."""
        judged = self._judged

        def share(values):
            found = judged.get(values[0])
            return found.share if found is not None else 0

        return self._rows(sorted(rows.items, key=share, reverse=descending))


# an enterprise as the coverage list shows and counts it
Listed = namedtuple("Listed", ("pk", "name", "region_id", "region_name", "industry_code"))


def coverage(user, *, region="", industry="", day=None, with_posts_only=False):
    """Per enterprise in scope: active posts, those with all four items in force, those with a 班前会
    within the jurisdiction's N days (rule posts.briefing_days) up to `day`. For a past day the posts
    and versions are those of that day (created by then, not yet superseded). `with_posts_only`: only
    the enterprises with an active post (the others are never covered; coverage_counts counts them)."""
    day = day or timezone.localdate()
    enterprises = operating_enterprises(user, region, industry)
    if with_posts_only:
        enterprises = enterprises.filter(Exists(Post.objects.filter(enterprise=OuterRef("pk"), active=True)))
    listed = list(
        enterprises.annotate(region_name=F("region__name"), industry_code=F("industry__code"))
        .order_by("region_id", "name")
        .values_list(*Listed._fields)
    )
    posts_qs = Post.objects.filter(enterprise__in=enterprises.values("pk"), active=True)  # not 30,000 parameters
    versions = CardVersion.objects.filter(current=True)
    if day < timezone.localdate():
        edge = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
        posts_qs = posts_qs.filter(created_at__lt=edge)
        versions = CardVersion.objects.filter(created_at__lt=edge).filter(
            Q(superseded_at__isnull=True) | Q(superseded_at__gte=edge)
        )
    posts = {}
    for post in posts_qs.order_by("name"):
        posts.setdefault(post.enterprise_id, []).append(post)
    have = {}
    for post_id, kind in versions.filter(post__in=posts_qs.values("pk")).values_list("post_id", "kind"):
        have.setdefault(post_id, set()).add(kind)
    last = dict(
        Briefing.objects.filter(post__in=posts_qs.values("pk"), held_on__lte=day)
        .values("post_id")
        .annotate(last=Max("held_on"))
        .values_list("post_id", "last")
    )
    judged, days_of = {}, {}
    for values in listed:
        if values[0] not in posts:
            continue
        enterprise = Listed._make(values)
        if enterprise.region_id not in days_of:  # the rule once per place, not per enterprise
            days_of[enterprise.region_id] = briefing_days(enterprise.region_id)
        days = days_of[enterprise.region_id]
        since = day - timedelta(days=min(days - 1, (day - date.min).days))  # not before the calendar's first day
        row = judged[enterprise.pk] = EnterpriseCoverage(enterprise, days=days)
        for post in posts[enterprise.pk]:
            row.posts += 1
            lacking = [CardKind(k).label for k in KINDS if k not in have.get(post.pk, set())]
            if not lacking:
                row.complete += 1
            held = last.get(post.pk)
            if held is not None and held >= since:
                row.briefed += 1
            else:
                lacking.append(f"近{days}天班前会")
            if not lacking:
                row.full += 1
            else:
                row.missing.append(f"{post.name}：缺{'、'.join(lacking)}")
    return Coverage(listed, judged, day)


def coverage_args(user, *, region="", industry="", day=None):
    """The keyword arguments of `coverage()` from the parameters of the coverage page and the API: the region
    (core.filters.region_param: a code inside the user's jurisdiction, another jurisdiction's a 404), the industry
    (its code, or its id: one no column can hold counts no enterprise) and the day coverage is taken on (统计日: a
    date or its ISO text up to today, else None: today). On the API such an id or a day after today is the caller's
    mistake, a 422 naming it."""
    region = region_param(user, region)
    industry = str(industry or "").strip()
    if whole_number(industry) is not None and as_id(industry) is None:  # read as an id, which no column holds
        if api_request():
            raise InvalidFilter("industry", "取值不符合要求。")
        industry = "0"  # an id no industry has: no enterprise
    day = parse_date(str(day).strip() if isinstance(day, str) else day)
    if day is not None and day > timezone.localdate():
        if api_request():
            raise InvalidFilter("day", "不能晚于今天。")
        day = None
    return {"region": region, "industry": industry, "day": day}


COVERAGE_SORTS = ("share", "-share")  # by share of posts fully covered, up or down; else in place order


def coverage_rows(result, *, missing=False, sort=""):
    """The rows of `coverage()`'s result a list shows: all, or only the enterprises not fully covered (`missing`),
    in place order or by share (`sort` share / -share)."""
    if sort and sort not in COVERAGE_SORTS and api_request():
        raise InvalidFilter("sort", "不是可选值之一。")
    rows = result.missing if missing else result.rows
    if sort in COVERAGE_SORTS:
        rows = result.by_share(rows, descending=sort == "-share")
    return rows


def coverage_counts(user, *, region="", industry="", day=None):
    """{(region_id, industry code): [covered, operating]} of coverage(), with the operating enterprises
    counted by the database and only those with posts judged one by one (a figure and its breakdown)."""
    counts = {}
    for region_id, code, _, n in operating_census(user, region, industry):
        counts.setdefault((region_id, code), [0, 0])[1] += n
    for row in coverage(user, region=region, industry=industry, day=day, with_posts_only=True).rows:
        if row.covered:
            counts[(row.enterprise.region_id, row.enterprise.industry_code)][0] += 1
    return counts


def coverage_value(user, *, region="", industry="", day=None):
    counts = coverage_counts(user, region=region, industry=industry, day=day).values()
    total = sum(n for _, n in counts)
    return None if not total else round(100 * sum(c for c, _ in counts) / total, 1)


def coverage_breakdown(user, *, by, region="", industry="", day=None):
    """{code: value} of coverage for each child region of `region` (by="region"; enterprises on the region's
    own node under its own code) or each industry (by="industry"), from one computation; "" the whole."""
    root = normalize_code(region) if region else (getattr(user, "region_id", "") or "")
    if by == "industry":
        sums = {code: [0, 0] for code in Industry.objects.values_list("code", flat=True)}
    else:
        sums = {code: [0, 0] for code in child_codes(root)}
        keep = child_prefix_length(root) if root else 2
    for (region_id, code), (covered, n) in coverage_counts(user, region=region, industry=industry, day=day).items():
        key = code if by == "industry" else (region_id if region_id == root else child_code(region_id[:keep]))
        group = sums.setdefault(key, [0, 0])
        group[0], group[1] = group[0] + covered, group[1] + n
    sums[""] = [sum(covered for covered, _ in sums.values()), sum(n for _, n in sums.values())]  # the whole
    return {key: None if not n else round(100 * covered / n, 1) for key, (covered, n) in sums.items()}
