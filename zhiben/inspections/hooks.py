"""What the inspections module offers the platform: registered from `InspectionsConfig.ready()`.
Menu entries, home-page cards, the 现场检查记录 document and the demo. Plans, draws and the expert pool
register theirs in plan_hooks.py."""

from django.urls import reverse
from django.utils import timezone

from zhiben.core.registry import DemoLoader, HomeSection, MenuEntry, register

from . import demo, plan_hooks  # noqa: F401
from .choices import Status
from .documents import DOCUMENT_KINDS


def home_cards(user):
    from .models import Inspection

    today = timezone.localdate()
    mine = Inspection.objects.for_user(user)
    url = reverse("inspections:list")
    month = mine.filter(date__gte=today.replace(day=1), date__lte=today, status=Status.COMPLETED)
    return [
        {"label": "本月完成检查", "value": month.count(), "url": f"{url}?status=completed", "tone": ""},
        {
            "label": "待检查",
            "value": mine.filter(status=Status.PLANNED).count(),
            "url": f"{url}?status=planned",
            "tone": "",
        },
    ]


register(
    MenuEntry("监督检查", "inspections:list", "inspection.view", order=35),
    HomeSection(
        "inspections",
        lambda user: user.can("inspection.conduct") and not user.enterprise_id,
        home_cards,
        order=30,
    ),
    DemoLoader("inspections", demo.load, demo.summary, order=70),
    *DOCUMENT_KINDS,
)
