"""The filters of the hazard ledger (隐患台账), declared once: the ledger page and its form, the Excel
export and the API endpoint `GET /api/v1/hazards/` all use `HAZARD_FILTERS` (see core.filters)."""

from django.db.models import Exists, OuterRef, Q

from zhiben.core.filters import Filter, FilterSet, Sort, flag, id_q, status_filter_q
from zhiben.core.rules import rule_date
from zhiben.core.scoping import NOTHING, subtree_q

from .choices import NOT_COUNTED, OPEN_STATUSES, Category, Channel, ExtensionStatus, Level, Status
from .models import review_overdue_q


def region_options(user):
    """Counties, towns and villages in the user's scope (the first 500), indented by level."""
    from zhiben.regions.selectors import scoped_region_options

    return scoped_region_options(user, (3, 4, 5), top_level=3, limit=500)


def industry_options(user):
    from zhiben.regions.selectors import industry_rows

    return industry_rows()


# "counted": what the figures count, neither 不予认定 nor merged into another
status_q = status_filter_q(
    Status, {"open": OPEN_STATUSES, "counted": [s for s in Status.values if s not in NOT_COUNTED]}
)


def overdue(qs, value, ctx):
    wanted = flag(value)
    if wanted is None:
        return qs
    return qs.overdue(ctx.today) if wanted else qs.not_overdue(ctx.today)


def stock_q(value, ctx):
    """存量: found on or before the baseline date of the user's jurisdiction; 增量: after it."""
    if value not in ("stock", "increment"):
        return None
    baseline = rule_date("hazard.baseline_date", ctx.user.region_id or "")
    return Q(found_date__lte=baseline) if value == "stock" else Q(found_date__gt=baseline)


def listed_q(value, ctx):
    wanted = flag(value)
    return None if wanted is None else ~Q(listed_level="") if wanted else Q(listed_level="")


def repeat_q(value, ctx):
    wanted = flag(value)
    return None if wanted is None else Q(repeat_of__isnull=not wanted)


def review_q(value, ctx):
    """销号审核超期: a request left unreviewed past its review deadline; 审核未超期: one waiting within it."""
    wanted = flag(value)
    if wanted is None:
        return None
    late = review_overdue_q(ctx.today)
    return late if wanted else Q(status=Status.SUBMITTED) & ~late


def extension_q(value, ctx):
    """延期申请待审批: a request to move the deadline that nobody has decided yet."""
    from .models import HazardExtension

    if value != "pending":
        return None
    return Q(Exists(HazardExtension.objects.filter(hazard=OuterRef("pk"), status=ExtensionStatus.PENDING)))


enterprise_q = id_q("enterprise_id", otherwise=NOTHING)


HAZARD_FILTERS = FilterSet(
    Filter(
        "region",
        "区划",
        "choice",
        choices=region_options,
        q=lambda value, ctx: subtree_q(value),
        help="区划代码（2/4/6/9/12 位），含下级",
    ),
    Filter("industry", "行业", "choice", choices=industry_options, lookup="industry__code", help="行业领域代码"),
    Filter("level", "等级", "choice", choices=Level.choices, lookup="level"),
    Filter(
        "status",
        "状态",
        "choice",
        choices=[("open", "未销号"), ("counted", "计入统计"), *Status.choices],
        q=status_q,
    ),
    Filter("channel", "渠道", "choice", choices=Channel.choices, lookup="channel"),
    Filter("category", "类别", "choice", choices=Category.choices, lookup="category"),
    Filter(
        "overdue", "逾期", "choice", choices=[("1", "已逾期"), ("0", "未逾期")], apply=overdue, help="1/true 或 0/false"
    ),
    Filter(
        "stock",
        "存量/增量",
        "choice",
        choices=[("stock", "存量"), ("increment", "增量")],
        q=stock_q,
        help="以本辖区存量隐患基准日划分",
    ),
    Filter(
        "listed", "挂牌督办", "choice", choices=[("1", "已挂牌"), ("0", "未挂牌")], q=listed_q, help="1/true 或 0/false"
    ),
    Filter(
        "review_overdue",
        "销号审核",
        "choice",
        choices=[("1", "审核超期"), ("0", "审核未超期")],
        q=review_q,
        help="申请销号后监管部门审核是否超过期限（规则 hazard.review_days）：1/true 或 0/false",
    ),
    Filter(
        "extension",
        "延期申请",
        "choice",
        choices=[("pending", "待审批")],
        q=extension_q,
        help="pending：有待审批的延期申请",
    ),
    Filter("found_from", "发现日期从", "date", lookup="found_date__gte"),
    Filter("found_to", "发现日期至", "date", lookup="found_date__lte"),
    Filter("closed_from", "销号日期从", "date", lookup="closed_at__date__gte"),
    Filter("closed_to", "销号日期至", "date", lookup="closed_at__date__lte"),
    Filter(
        "repeat",
        "重复发生",
        "choice",
        choices=[("1", "重复发生"), ("0", "首次发生")],
        q=repeat_q,
        help="1/true 或 0/false",
    ),
    Filter("deadline_from", "整改期限从", "date", lookup="deadline__gte"),
    Filter("deadline_to", "整改期限至", "date", lookup="deadline__lte"),
    Filter("enterprise", "生产经营单位", "hidden", q=enterprise_q, help="单位 ID"),
    Filter(
        "q",
        "关键词",
        "search",
        search=("number", "description", "enterprise__name", "place__name", "location"),
        placeholder="编号、描述、单位",
        help="隐患编号、描述、单位/场所名称或部位中包含的文字",
    ),
    Sort(
        "sort",
        {
            "deadline": ("deadline", "id"),
            "-deadline": ("-deadline", "-id"),
            "found": ("found_date", "id"),
            "-found": ("-found_date", "-id"),
            "number": ("number",),
            "-number": ("-number",),
            "status": ("status", "id"),
            "-status": ("-status", "-id"),
            "review": ("review_deadline", "id"),  # 销号 requests by when they are to be reviewed
            "level": ("level", "-found_date", "-id"),
            "-level": ("-level", "-found_date", "-id"),
        },
        default=("-found_date", "-id"),
        help="前加 - 为倒序；默认按发现日期倒序",
    ),
)
