"""What the inspections module offers the platform: registered from `InspectionsConfig.ready()`.
Menu entries, home-page cards, the 现场检查记录 document and the demo. Plans, draws and the expert pool
register theirs in plan_hooks.py."""

from django.urls import reverse
from django.utils import timezone

from zhiben.core.registry import (
    Backlink,
    DemoLoader,
    HomeSection,
    MenuEntry,
    OfflineForm,
    list_url,
    register,
    sourced_figures,
)

from . import demo, plan_hooks  # noqa: F401
from .choices import Status
from .documents import DOCUMENT_KINDS


def home_cards(user):
    """This month's inspections in the user's scope, those planned and not yet carried out, and those of this month
    that found a hazard — each card's number is what the list it opens holds."""
    from .filters import found_hazards
    from .models import Inspection

    today = timezone.localdate()
    first = today.replace(day=1)
    mine = Inspection.objects.for_user(user)
    url = reverse("inspections:list")
    month = mine.filter(date__gte=first, date__lte=today).exclude(status=Status.CANCELLED)
    found = month.filter(found_hazards()).count()  # the inspections the findings filter lists
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
            "label": "本月发现隐患的检查",
            "value": found,
            "url": f"{url}?date_from={first:%Y-%m-%d}&date_to={today:%Y-%m-%d}&findings=1",
            "tone": "orange" if found else "",
        },
    ]


def figure_source(user, filters, by=None):
    from .selectors import inspection_figures

    return inspection_figures(user=user, filters=filters, by=by)


def _figures():
    """完成检查 and 发现隐患占比 for analytics, counted together (FigureSource "inspections")."""
    from .selectors import INSPECTION_FIGURES

    figures = [
        (key, label, unit, better, list_url("inspections:list", query))
        for key, label, unit, better, query in INSPECTION_FIGURES
    ]
    return sourced_figures("inspections", figure_source, figures, group="监督检查", order=40)


register(
    MenuEntry("监督检查", "inspections:list", "inspection.view", order=34, group="日常工作"),
    MenuEntry("检查表", "inspections:checklists", "checklist.manage", order=35, group="设置"),
    OfflineForm("inspections:new", "登记检查", "inspection.conduct", order=20),
    HomeSection(
        "inspections",
        lambda user: user.can("inspection.view") and not user.enterprise_id,
        home_cards,
        order=30,
        title="监督检查与执法",
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


def hazard_probe(hazard, user):
    """The link rows of inspections naming the hazard (unscoped; `hazard_sources` scopes)."""
    from .models import Inspection

    return Inspection.hazards.through.objects.filter(hazard_id=hazard.pk)


register(Backlink("inspections.hazard", "hazards.hazard", hazard_sources, order=20, probe=hazard_probe))
