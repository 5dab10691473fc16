"""What “两单两卡一会” offers the platform: capabilities post.view/post.manage for the business roles, the
班前会 rule, the coverage figure, menu entries, a home card and the demo."""

from django.urls import reverse

from zhiben.accounts.choices import ROLE_CAPABILITIES, Role
from zhiben.core.registry import DemoLoader, Figure, HomeSection, MenuEntry, RuleDef, register

from . import demo

GROUP = "两单两卡一会"

CAPABILITIES = {
    Role.COMMITTEE_ADMIN: {"post.view", "post.manage"},
    Role.REGULATOR: {"post.view", "post.manage"},
    Role.ENTERPRISE: {"post.view", "post.manage"},
    Role.GRID: {"post.view"},
    Role.LEADER: {"post.view"},
}
for role, capabilities in CAPABILITIES.items():
    ROLE_CAPABILITIES[role] |= capabilities


def coverage_value(user, filters=None):
    from .selectors import coverage

    filters = filters or {}
    return coverage(user, region=filters.get("region") or "", industry=filters.get("industry") or "").value


def coverage_url(filters=None, **kwargs):
    filters = dict(filters or {}, **kwargs)
    query = "&".join(f"{k}={v}" for k, v in filters.items() if v and k in ("region", "industry"))
    return reverse("posts:coverage") + (f"?{query}" if query else "")


def home_cards(user):
    from .selectors import coverage

    result = coverage(user)
    if not result.total:
        return []
    missing = result.total - result.covered
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
    Figure("posts.coverage", "两单两卡一会全覆盖企业占比（%）", coverage_value, coverage_url, order=80),
    MenuEntry("两单两卡一会", "posts:posts", "post.view", order=55, group="台账"),
    HomeSection("posts", lambda user: user.can("post.view"), home_cards, order=45),
    DemoLoader("posts", demo.load, demo.summary, order=95),
)
