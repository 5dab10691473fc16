"""What the campaigns module offers the platform: registered from `CampaignsConfig.ready()`.

The menu entry (专项整治), home-page cards for the active campaigns in the user's scope (checked /
targets), the photo size rule and the demo gas campaign."""

from django.urls import reverse

from zhiben.core.registry import Backlink, DemoLoader, HomeSection, MenuEntry, RuleDef, register

from . import demo

GROUP = "专项整治"


def home_cards(user):
    """One card per active campaign the user may see: targets checked / targets, in the user's scope."""
    from .selectors import active_campaigns, campaign_progress

    cards = []
    for campaign in active_campaigns(user):
        figures = campaign_progress(campaign, user, by_region=False)
        cards.append(
            {
                "label": f"{campaign.name}（已查/对象）",
                "value": f"{figures['checked']}/{figures['targets']}",
                "url": reverse("campaigns:detail", args=[campaign.pk]),
                "tone": "red" if figures["targets"] and figures["unchecked"] else "",
            }
        )
    return cards


register(
    RuleDef("campaign.attachment_max_mb", 15, "专项整治检查照片单个文件大小上限（MB）", "megabytes", GROUP, order=60),
    MenuEntry("专项整治", "campaigns:list", "campaign.view", order=25, group="方案"),
    HomeSection("campaigns", lambda user: user.can("campaign.view"), home_cards, order=11, title="隐患排查治理"),
    DemoLoader("campaigns", demo.load, demo.summary, order=65),
)


def hazard_sources(hazard, user):
    """The campaign checks a hazard was found in."""
    from django.urls import reverse

    from .models import CampaignCheck

    checks = CampaignCheck.objects.for_user(user).filter(hazards=hazard).select_related("campaign")
    return [
        ("专项整治", f"{c.campaign.name}（{c.date:%Y-%m-%d}）", reverse("campaigns:check_detail", args=[c.pk]))
        for c in checks
    ]


def hazard_probe(hazard, user):
    """The link rows of campaign checks naming the hazard (unscoped; `hazard_sources` scopes)."""
    from .models import CampaignCheck

    return CampaignCheck.hazards.through.objects.filter(hazard_id=hazard.pk)


register(Backlink("campaigns.hazard", "hazards.hazard", hazard_sources, order=30, probe=hazard_probe))
