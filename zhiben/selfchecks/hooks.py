"""What the self-inspection module offers the platform: registered from `SelfchecksConfig.ready()`.

Rules (how far back a record may be entered; how many inspector hazards make a "查不出问题" flag),
menu entries, home-page cards and the demo records."""

from django.urls import reverse
from django.utils import timezone

from zhiben.core.registry import (
    Backlink,
    DemoLoader,
    HomeSection,
    MenuEntry,
    OfflineForm,
    RuleDef,
    register,
    sourced_figures,
)

from . import demo
from .choices import State

GROUP = "企业隐患自查"


def home_cards(user):
    """Where the user's enterprise stands on each duty this month. (Supervisors read the compliance page:
    counting a district's month of records does not belong on the home page.)"""
    from .periods import window_containing
    from .selectors import enterprise_standing

    today = timezone.localdate()
    window = window_containing(today)
    url = reverse("selfchecks:mine")
    return [
        {
            "label": f"本月{cell.duty.name}（{cell.covered}/{cell.expected}）",
            "value": cell.label,
            "url": url,
            "tone": "green" if cell.state == State.DONE else ("red" if cell.state == State.MISSED else "orange"),
        }
        for cell in enterprise_standing(user.enterprise, window, today)
    ]


def figure_source(user, filters, by=None):
    from .selectors import selfcheck_figures

    return selfcheck_figures(user=user, filters=filters, by=by)


def figure_url(key, filters=None):
    """The compliance page over the figure's window (漏查: its 漏查 rows), or the "查不出问题" list."""
    from urllib.parse import urlencode

    from .selectors import figure_window

    filters = filters or {}
    query = {"period": figure_window(filters).code}
    query |= {name: filters[name] for name in ("region", "industry") if filters.get(name)}
    if key == "blind_spots":
        return reverse("selfchecks:blind_spots") + "?" + urlencode(query)
    if key == "missed":
        query["state"] = "missed"
    return reverse("selfchecks:compliance") + "?" + urlencode(query)


def _figures():
    """合规率, 漏查 and 查不出问题 for analytics, counted together (FigureSource "selfchecks")."""
    from .selectors import SELFCHECK_FIGURES

    figures = [
        (key, label, unit, better, lambda filters=None, key=key: figure_url(key, filters))
        for key, label, unit, better in SELFCHECK_FIGURES
    ]
    return sourced_figures("selfchecks", figure_source, figures, group="企业自查", order=30)


register(
    RuleDef(
        "selfcheck.max_backdate_days",
        366,
        "企业自查记录最多可补录多少天前的记录",
        "days",
        GROUP,
        order=40,
    ),
    RuleDef(
        "selfcheck.blind_min_hazards",
        1,
        "“查不出问题”：自查未发现隐患而检查发现至少多少条隐患时列入责任倒查",
        "count",
        GROUP,
        order=41,
    ),
    MenuEntry("隐患自查", "selfchecks:mine", "selfcheck.record", order=15, group="日常工作"),
    MenuEntry("企业自查", "selfchecks:compliance", "selfcheck.monitor", order=75, group="日常工作"),
    OfflineForm("selfchecks:new", "记录自查", "selfcheck.record", order=15),
    HomeSection(
        "selfchecks",
        lambda user: user.can("selfcheck.record") and bool(user.enterprise_id),
        home_cards,
        order=20,
        title="企业自查",
    ),
    DemoLoader("selfchecks", demo.load, demo.summary, order=60),
    *_figures(),
)


def hazard_sources(hazard, user):
    """The self-inspection records a hazard was reported from."""
    from .models import SelfInspection

    records = SelfInspection.objects.for_user(user).filter(hazards=hazard).select_related("duty")
    return [("企业自查", f"{r.duty.name}（{r.date:%Y-%m-%d}）", r.get_absolute_url()) for r in records]


def hazard_probe(hazard, user):
    """The link rows of self-inspections naming the hazard (unscoped; `hazard_sources` scopes)."""
    from .models import SelfInspection

    return SelfInspection.hazards.through.objects.filter(hazard_id=hazard.pk)


register(Backlink("selfchecks.hazard", "hazards.hazard", hazard_sources, order=10, probe=hazard_probe))
