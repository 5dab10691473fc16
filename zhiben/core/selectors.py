"""What the home page shows, per role and scope."""

from django.db.models import Count, Q


def home_summary(*, user):
    from zhiben.enterprises.models import Enterprise
    from zhiben.regions.models import Unit

    summary = {"cards": []}
    if user.can("enterprise.view"):
        enterprises = Enterprise.objects.for_user(user)
        figures = enterprises.aggregate(
            total=Count("id"),
            high_risk=Count("id", filter=Q(high_risk=True)),
            suspended=Count("id", filter=Q(status="suspended")),
        )
        summary["cards"] += [
            {"label": "生产经营单位", "value": figures["total"], "url": "/enterprises/"},
            {"label": "高危企业", "value": figures["high_risk"], "url": "/enterprises/?high_risk=1"},
            {"label": "停产整顿", "value": figures["suspended"], "url": "/enterprises/?status=suspended"},
        ]
        summary["by_industry"] = list(
            enterprises.values("industry__name").annotate(n=Count("id")).order_by("-n")[:8]
        )
    if user.can("unit.view"):
        summary["cards"].append({"label": "单位", "value": Unit.objects.for_user(user).count(), "url": "/regions/units/"})
    return summary
