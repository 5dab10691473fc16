"""Enterprises in the menu, on the home page and in the demo (registered from `EnterprisesConfig.ready()`)."""

from django.db.models import Count, Q
from django.urls import reverse

from zhiben.core.registry import DemoLoader, HomeSection, MenuEntry, register

from . import demo
from .models import Enterprise


def regulator_cards(user):
    figures = Enterprise.objects.for_user(user).aggregate(
        total=Count("id"),
        high_risk=Count("id", filter=Q(high_risk=True)),
        suspended=Count("id", filter=Q(status="suspended")),
    )
    url = reverse("enterprises:list")
    return [
        {"label": "生产经营单位", "value": figures["total"], "url": url, "tone": ""},
        {"label": "高危企业", "value": figures["high_risk"], "url": f"{url}?high_risk=1", "tone": "red"},
        {"label": "停产整顿", "value": figures["suspended"], "url": f"{url}?status=suspended", "tone": "orange"},
    ]


BY_INDUSTRY_SHOWN = 8


def by_industry(user, summary):
    """The industries with the most enterprises (the first 8; the page says how many there are in all),
    each linking to its enterprises."""
    rows = list(
        Enterprise.objects.for_user(user)
        .values("industry__name", "industry__code")
        .annotate(n=Count("id"))
        .order_by("-n", "industry__code")
    )
    summary["by_industry"] = rows[:BY_INDUSTRY_SHOWN]
    summary["by_industry_total"] = len(rows)


def own_enterprise(user, summary):
    summary["enterprise"] = user.enterprise


register(
    MenuEntry("生产经营单位", "enterprises:list", "enterprise.view", order=90, group="台账"),
    # an enterprise user sees their own enterprise; regulators see their jurisdiction's figures
    HomeSection("own_enterprise", lambda user: bool(user.enterprise_id), extra=own_enterprise, order=20),
    HomeSection(
        "enterprises",
        lambda user: not user.enterprise_id and user.can("enterprise.view"),
        regulator_cards,
        by_industry,
        order=21,
        title="企业与单位",
    ),
    DemoLoader("enterprises", demo.load, demo.summary, order=30),
)
