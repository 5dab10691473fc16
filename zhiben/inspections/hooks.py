"""What the inspections module offers the platform: registered from `InspectionsConfig.ready()`.
Menu entries, home-page cards, the 现场检查记录 document and the demo. Plans, draws and the expert pool
register theirs in plan_hooks.py."""

from django.urls import reverse
from django.utils import timezone

from zhiben.core.registry import Backlink, DemoLoader, Figure, FigureSource, HomeSection, MenuEntry, register

from . import demo, plan_hooks  # noqa: F401
from .choices import Status
from .documents import DOCUMENT_KINDS


def home_cards(user):
    """This month's inspections in the user's scope, those planned and not yet carried out, and the
    hazards inspections found this month."""
    from zhiben.hazards.models import Hazard

    from .models import Inspection

    today = timezone.localdate()
    first = today.replace(day=1)
    mine = Inspection.objects.for_user(user)
    url = reverse("inspections:list")
    month = mine.filter(date__gte=first, date__lte=today).exclude(status=Status.CANCELLED)
    found = (
        Hazard.objects.for_user(user)
        .filter(found_date__gte=first, found_date__lte=today, inspections__in=mine)
        .distinct()
        .count()
    )
    return [
        {
            "label": "本月检查",
            "value": month.count(),
            "url": f"{url}?date_from={first:%Y-%m-%d}&date_to={today:%Y-%m-%d}",
            "tone": "",
        },
        {
            "label": "待检查",
            "value": mine.filter(status=Status.PLANNED).count(),
            "url": f"{url}?status=planned",
            "tone": "",
        },
        {
            "label": "本月检查发现隐患",
            "value": found,
            "url": f"{reverse('hazards:list')}?found_from={first:%Y-%m-%d}",
            "tone": "orange" if found else "",
        },
    ]


def figure_source(user, filters, by=None):
    from .selectors import inspection_figures

    return inspection_figures(user=user, filters=filters, by=by)


def _figures():
    """完成检查 and 发现隐患占比 for analytics, counted together (FigureSource "inspections")."""
    from zhiben.core.periods import filter_range

    from .selectors import INSPECTION_FIGURES

    def compute(key):
        return lambda user, filters: figure_source(user, filters).get("", {}).get(key)

    def breakdown(key):
        return lambda user, filters, by: {
            group: row.get(key) for group, row in figure_source(user, filters, by).items()
        }

    def url(query):
        def link(filters=None):
            filters = filters or {}
            start, end = filter_range(filters)
            parts = [query.format(start=start, end=end)]
            parts += [f"{name}={filters[name]}" for name in ("region", "industry") if filters.get(name)]
            return reverse("inspections:list") + "?" + "&".join(parts)

        return link

    entries = [FigureSource("inspections", figure_source, order=40)]
    for order, (key, label, unit, better, query) in enumerate(INSPECTION_FIGURES):
        entries.append(
            Figure(
                f"inspections.{key}",
                label,
                compute(f"inspections.{key}"),
                url(query),
                order=40 + order,
                group="监督检查",
                unit=unit,
                better=better,
                breakdown=breakdown(f"inspections.{key}"),
                source="inspections",
            )
        )
    return entries


register(
    MenuEntry("监督检查", "inspections:list", "inspection.view", order=34, group="日常工作"),
    MenuEntry("检查表", "inspections:checklists", "checklist.manage", order=35, group="设置"),
    HomeSection(
        "inspections",
        lambda user: user.can("inspection.view") and not user.enterprise_id,
        home_cards,
        order=30,
    ),
    DemoLoader("inspections", demo.load, demo.summary, order=70),
    *DOCUMENT_KINDS,
    *_figures(),
)


def hazard_sources(hazard, user):
    """The inspections a hazard was found in."""
    from .models import Inspection

    return [
        ("监督检查", f"{i.number}（{i.get_kind_display()}）", i.get_absolute_url())
        for i in Inspection.objects.for_user(user).filter(hazards=hazard)
    ]


register(Backlink("inspections.hazard", "hazards.hazard", hazard_sources, order=20))
