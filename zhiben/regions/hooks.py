"""Regions and units in the menu, on the home page and in the demo (registered from `RegionsConfig.ready()`)."""

from django.urls import reverse

from zhiben.core.registry import DemoLoader, HomeSection, MenuEntry, register

from . import demo
from .models import Unit


def home_cards(user):
    return [
        {
            "label": "单位",
            "value": Unit.objects.for_user(user).filter(is_active=True).count(),
            "url": reverse("regions:unit_list"),
            "tone": "",
        }
    ]


register(
    MenuEntry("行政区划", "regions:region_list", "region.view", order=100, group="设置"),
    MenuEntry("单位", "regions:unit_list", "unit.view", order=110, group="设置"),
    HomeSection(
        "units", lambda user: user.can("unit.view") and not user.enterprise_id, home_cards, order=22, title="企业与单位"
    ),
    DemoLoader("regions", demo.load, demo.summary, order=10),
)
