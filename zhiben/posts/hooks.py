"""What “两单两卡一会” offers the platform: capabilities post.view/post.manage for the business roles, the
班前会 rule, the coverage figure, menu entries, a home card and the demo."""

from django.urls import reverse
from django.utils import timezone

from zhiben.accounts.choices import ROLE_CAPABILITIES, Role
from zhiben.core.registry import DemoLoader, Figure, HomeSection, MenuEntry, RuleDef, register

from . import demo
from .selectors import MANAGE, VIEW

GROUP = "两单两卡一会"

CAPABILITIES = {
    Role.COMMITTEE_ADMIN: {VIEW, MANAGE},
    Role.REGULATOR: {VIEW, MANAGE},
    Role.ENTERPRISE: {VIEW, MANAGE},
    Role.GRID: {VIEW},
    Role.LEADER: {VIEW},
}
for role, capabilities in CAPABILITIES.items():
    ROLE_CAPABILITIES[role] |= capabilities


def _judged_on(filters):
    """The day coverage is taken on for a figure's period (year, or start/end): its last day, today while
    it runs; None for a period that has not begun."""
    from zhiben.core.periods import filter_range

    first, last = filter_range(filters or {})
    today = timezone.localdate()
    return None if first > today else min(last, today)


def coverage_value(user, filters=None):
    from .selectors import coverage_value as value

    filters = filters or {}
    day = _judged_on(filters)
    if day is None:
        return None
    return value(user, region=filters.get("region") or "", industry=filters.get("industry") or "", day=day)


def coverage_breakdown(user, filters, by):
    from .selectors import coverage_breakdown as breakdown

    filters = filters or {}
    day = _judged_on(filters)
    if day is None:
        return {}
    return breakdown(user, by=by, region=filters.get("region") or "", industry=filters.get("industry") or "", day=day)


def coverage_url(filters=None, **kwargs):
    filters = dict(filters or {}, **kwargs)
    parts = [f"{k}={filters[k]}" for k in ("region", "industry") if filters.get(k)]
    day = _judged_on(filters)
    if day is not None and day < timezone.localdate():
        parts.append(f"day={day:%Y-%m-%d}")
    return reverse("posts:coverage") + (f"?{'&'.join(parts)}" if parts else "")


def home_cards(user):
    from .selectors import coverage_counts

    counts = coverage_counts(user).values()  # counted by the database, not enterprise by enterprise
    total = sum(n for _, n in counts)
    if not total:
        return []
    missing = total - sum(covered for covered, _ in counts)
    if user.enterprise_id:  # its own posts, not a count of enterprises
        return [
            {
                "label": "两单两卡一会",
                "value": "未全覆盖" if missing else "已全覆盖",
                "url": reverse("posts:coverage"),
                "tone": "orange" if missing else "green",
            }
        ]
    return [
        {
            "label": "两单两卡一会未全覆盖企业",
            "value": missing,
            "url": reverse("posts:coverage") + "?missing=1",
            "tone": "orange" if missing else "",
        }
    ]


register(
    RuleDef("posts.briefing_days", 7, "班前会覆盖统计：岗位在最近多少天内开过班前会", "days", GROUP, order=150),
    Figure(
        "posts.coverage",
        "两单两卡一会全覆盖企业占比",
        coverage_value,
        coverage_url,
        order=80,
        group="两单两卡一会",
        unit="%",
        better="higher",
        breakdown=coverage_breakdown,
    ),
    MenuEntry("两单两卡一会", "posts:posts", VIEW, order=55, group="台账"),
    HomeSection("posts", lambda user: user.can(VIEW), home_cards, order=41, title="教育培训与应急演练"),
    DemoLoader("posts", demo.load, demo.summary, order=95),
)
