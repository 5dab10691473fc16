"""Reads: reports and rewards in scope (never the reporter's identity: that is `services.identity_reveal`),
the reporter's own view, home figures and statistics that leave spam out."""

from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404

from zhiben.core.db import grouped as _grouped
from zhiben.core.filters import Filter, FilterSet, Sort, flag, id_q
from zhiben.core.scoping import NOTHING, region_chain, subtree_q
from zhiben.enterprises.filters import industry_options, region_options
from zhiben.inspections.selectors import unit_options

from .choices import OPEN, MessageKind, RewardStatus, Source, Status
from .models import Category, Keeper, Message, Report, Reward, RoutingRule


def category_options(user=None):
    return [(c.code, c.name) for c in Category.objects.filter(is_active=True)]


def _overdue_q(value, ctx):
    return Q(status__in=OPEN, deadline__lt=ctx.today) if flag(value) else None


def _mine_q(value, ctx):
    return Q(assignee=ctx.user) if flag(value) else None


def _valid_q(value, ctx):
    return ~Q(status=Status.SPAM) if flag(value) else None


def _replied_q(value, ctx):
    wanted = flag(value)
    if wanted is None:
        return None
    replied = Exists(Message.objects.filter(report=OuterRef("pk"), kind=MessageKind.REPLY))
    return Q(replied) if wanted else ~Q(replied)


REPORT_FILTERS = FilterSet(
    Filter("region", "区划", "choice", choices=region_options, q=lambda value, ctx: subtree_q(value)),
    Filter("category", "举报类别", "choice", choices=category_options, lookup="category__code"),
    Filter("industry", "行业", "choice", choices=industry_options, lookup="industry__code"),
    Filter("status", "状态", "choice", choices=Status.choices, lookup="status"),
    Filter("overdue", "逾期", "choice", choices=[("1", "核查已逾期")], q=_overdue_q),
    Filter("unit", "承办单位", "choice", choices=unit_options, q=id_q("unit_id", otherwise=NOTHING)),
    Filter("mine", "我核查的", "choice", choices=[("1", "是")], q=_mine_q),
    Filter("source", "来源", "choice", choices=Source.choices, lookup="source"),
    Filter("valid", "有效举报", "choice", choices=[("1", "不含无效信息")], q=_valid_q),
    Filter("replied", "答复", "choice", choices=[("1", "已答复举报人"), ("0", "未答复举报人")], q=_replied_q),
    Filter("from", "举报日期从", "date", lookup="created_at__date__gte"),
    Filter("to", "举报日期至", "date", lookup="created_at__date__lte"),
    Filter("q", "关键词", "search", search=("code", "description", "address", "enterprise_name")),
    Sort(
        "sort",
        {
            "created": ("created_at", "id"),
            "-created": ("-created_at", "-id"),
            "deadline": ("deadline", "id"),
            "-deadline": ("-deadline", "-id"),
        },
        default=("-created_at", "-id"),
    ),
)

# The reward list's orders (its column headers switch each way): the newest first by default
REWARD_SORT = Sort.both_ways(
    {"amount": ("amount", "id"), "created": ("created_at", "id"), "status": ("status", "created_at", "id")},
    default=("-created_at", "-id"),
)

REWARD_FILTERS = FilterSet(
    Filter(
        "region", "区划", "choice", choices=region_options, q=lambda value, ctx: subtree_q(value, "report__region_id")
    ),
    Filter("status", "状态", "choice", choices=RewardStatus.choices, lookup="status"),
    Filter("q", "举报编号", "search", search=("report__code",)),
    REWARD_SORT,
)


def _viewer(user):
    if not user.can("report.view"):
        raise Http404


def report_list(*, user, filters=None):
    _viewer(user)
    qs = Report.objects.for_user(user).select_related("category", "region", "unit", "assignee")
    return REPORT_FILTERS.filter(qs, filters or {}, user=user)


def report_get(*, user, pk):
    _viewer(user)
    report = (
        Report.objects.for_user(user)
        .select_related(
            "category", "region", "unit", "assignee", "hazard", "enterprise", "duplicate_of", "duplicate_hazard"
        )
        .filter(pk=pk)
        .first()
    )
    if report is None:
        raise Http404
    return report


def reward_list(*, user, filters=None):
    _viewer(user)
    qs = Reward.objects.for_user(user).select_related("report", "report__category", "report__region", "approved_by")
    return REWARD_FILTERS.filter(qs, filters or {}, user=user)


def reward_of(report):
    return Reward.objects.filter(report=report).select_related("approved_by", "paid_by", "created_by").first()


def messages_of(report, *, internal=True):
    qs = Message.objects.filter(report=report).prefetch_related("photos")
    return list(qs if internal else qs.exclude(kind=MessageKind.NOTE))


def public_view(report):
    """What the reporter sees: status, deadline, replies and their own additions (no official's name, no
    internal note), and the reward."""
    return {
        "report": report,
        "messages": messages_of(report, internal=False),
        "photos": list(report.photos.filter(message__isnull=True)),
        "reward": reward_of(report),
    }


def similar_reports(report, limit=5):
    """Open or recent reports of the same category in the same village/town, for marking duplicates."""
    since = report.created_at - timedelta(days=90)
    return list(
        Report.objects.filter(region_id=report.region_id, category_id=report.category_id, created_at__gte=since)
        .exclude(pk=report.pk)
        .exclude(status=Status.SPAM)
        .order_by("-created_at")[:limit]
    )


def transfer_units(user, report):
    """Units a report may be transferred to: the handler's own region's units and those up the report's chain."""
    from zhiben.regions.models import Unit

    return (
        Unit.objects.filter(is_active=True)
        .filter(Q(region_id__in=region_chain(report.region_id)) | subtree_q(user.region_id or "-"))
        .exclude(pk=report.unit_id)
        .order_by("region_id", "name")
    )


def assignees(report):
    from zhiben.accounts.models import User

    if not report.unit_id:
        return User.objects.none()
    return User.objects.filter(unit_id=report.unit_id, is_active=True, role__in=("anweiban_admin", "regulator", "grid"))


def open_figures(user, today):
    qs = Report.objects.for_user(user).filter(status__in=OPEN)
    return qs.aggregate(
        received=Count("pk", filter=Q(status=Status.RECEIVED)),
        overdue=Count("pk", filter=Q(deadline__lt=today)),
    )


def statistics(*, user, start, end):
    """Counts by category and status for reports made in [start, end]; spam is counted apart and kept out."""
    _viewer(user)
    qs = Report.objects.for_user(user).filter(created_at__date__gte=start, created_at__date__lte=end)
    spam = qs.filter(status=Status.SPAM).count()
    rows = (
        qs.exclude(status=Status.SPAM)
        .values("category__name")
        .annotate(
            total=Count("pk"),
            open=Count("pk", filter=Q(status__in=OPEN)),
            verified=Count("pk", filter=Q(status=Status.VERIFIED)),
            unfounded=Count("pk", filter=Q(status=Status.UNFOUNDED)),
            duplicate=Count("pk", filter=Q(status=Status.DUPLICATE)),
            referred=Count("pk", filter=Q(status=Status.REFERRED)),
        )
        .order_by("-total", "category__name")
    )
    return list(rows), spam


# ---------------------------------------------------------------- figures for analytics

# (key, label, unit, better, the report list's filters behind it, with {start}/{end} for the period)
REPORT_FIGURES = [
    ("received", "群众举报受理", "条", "higher", "valid=1&from={start}&to={end}"),
    ("verified_share", "举报核查属实率", "%", "higher", "status=verified&from={start}&to={end}"),
    ("reply_days", "举报首次答复平均天数", "天", "lower", "valid=1&replied=1&from={start}&to={end}"),
    ("overdue", "举报核查逾期", "条", "lower", "overdue=1&to={end}"),
]


def report_figures(*, user, filters=None, by=None, today=None):
    """The public-report figures for `user`'s scope (None: the system, unscoped) narrowed by `filters`
    (core.registry.Figure: region, industry, year or start/end), over the reports made in the period
    (无效信息 left out): how many, the share found 属实 of those concluded 属实 or 不属实, the average days
    from the report to the first reply to the reporter (of those replied to), and — as of today — the
    reports made by the period's end still open past their deadline. {group: {"reports.<key>": value}}
    with group "" (by=None), each child region's code (by="region") or each industry's code
    (by="industry"), in one aggregate query."""
    from django.db.models import Avg, DurationField, ExpressionWrapper, F, Subquery
    from django.utils import timezone

    from zhiben.core.periods import filter_range
    from zhiben.core.scoping import normalize_code

    filters = filters or {}
    today = today or timezone.localdate()
    start, end = filter_range(filters, today)
    qs = Report.objects.for_user(user) if user is not None else Report.objects.all()
    qs = qs.exclude(status=Status.SPAM).filter(created_at__date__lte=end)
    region = normalize_code(filters.get("region")) or (getattr(user, "region_id", "") or "")
    if region:
        qs = qs.filter(subtree_q(region))
    if filters.get("industry"):
        qs = qs.filter(industry__code=filters["industry"])
    first_reply = Message.objects.filter(report=OuterRef("pk"), kind=MessageKind.REPLY).order_by("at").values("at")[:1]
    qs = qs.alias(first_reply=Subquery(first_reply))
    made = Q(created_at__date__gte=start)
    measures = {
        "received": Count("pk", filter=made),
        "verified": Count("pk", filter=made & Q(status=Status.VERIFIED)),
        "concluded": Count("pk", filter=made & Q(status__in=[Status.VERIFIED, Status.UNFOUNDED])),
        "reply": Avg(
            ExpressionWrapper(F("first_reply") - F("created_at"), output_field=DurationField()),
            filter=made & Q(first_reply__isnull=False),
        ),
        "overdue": Count("pk", filter=Q(status__in=OPEN, deadline__lt=today)),
    }

    def values(c):
        concluded, reply = c.get("concluded", 0), c.get("reply")
        return {
            "reports.received": c.get("received", 0),
            "reports.verified_share": round(100 * c.get("verified", 0) / concluded, 1) if concluded else None,
            "reports.reply_days": round(reply.total_seconds() / 86400, 1) if reply is not None else None,
            "reports.overdue": c.get("overdue", 0),
        }

    return _grouped(qs, measures, values, region=region, by=by)


def keepers(user):
    return (
        Keeper.objects.filter(user__region_id__isnull=False)
        .select_related("user", "designated_by")
        .filter(subtree_q(user.region_id or "-", "user__region_id"))
    )


def routing_rules(user):
    return RoutingRule.objects.for_user(user).select_related("region", "category", "unit")


def public_root():
    """The top of the tree the public picks from: the nearest region that holds every active 安委办 (a
    county deployment starts at the county, a city's at the city)."""
    from zhiben.regions.models import Region, Unit

    codes = set(Unit.objects.filter(kind="committee", is_active=True).values_list("region_id", flat=True))
    if not codes:
        return None
    chains = [region_chain(code) for code in codes]
    common = [code for code in chains[0] if all(code in chain for chain in chains[1:])]
    return Region.objects.filter(code=common[0]).first() if common else None


def public_region(code):
    """A town or village of the public tree (for QR codes and posters), or 404."""
    from zhiben.regions.models import Region

    root = public_root()
    region = Region.objects.filter(code=str(code)[:12].ljust(12, "0"), level__gte=4).first()
    if root is None or region is None or not region.code.startswith(root.short_code):
        raise Http404
    return region
