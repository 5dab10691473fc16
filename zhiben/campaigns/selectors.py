"""Reads that carry meaning: campaigns and checks as the user may see them, a campaign's targets in
the user's scope, its progress (targets checked, hazards found and closed, by region)."""

from collections import defaultdict

from django.db.models import Count, Max, Q
from django.shortcuts import get_object_or_404

from zhiben.core.db import as_id, whole_number
from zhiben.core.scoping import LEVEL_PREFIX, code_level, subtree_q
from zhiben.enterprises.choices import Status as EnterpriseStatus
from zhiben.enterprises.models import Enterprise
from zhiben.hazards.choices import PlaceKind
from zhiben.hazards.choices import Status as HazardStatus
from zhiben.hazards.models import Hazard, Place
from zhiben.regions.models import Region

from .choices import Status
from .filters import CAMPAIGN_FILTERS, CHECK_FILTERS
from .models import Campaign, CampaignCheck


def campaign_list(*, user, filters=None):
    qs = Campaign.objects.for_user(user).select_related("region")
    return CAMPAIGN_FILTERS.filter(qs, filters, user=user)


def campaign_get(*, user, pk):
    """The campaign if `user` may see it, else 404."""
    return get_object_or_404(
        Campaign.objects.for_user(user).select_related("region", "place_industry", "checklist"), pk=pk
    )


def check_list(*, user, campaign, filters=None):
    qs = (
        CampaignCheck.objects.for_user(user)
        .filter(campaign=campaign)
        .select_related("enterprise", "place", "region", "unit")
        .annotate(
            hazard_count=Count("hazards", distinct=True),
            closed_count=Count("hazards", filter=Q(hazards__status=HazardStatus.CLOSED), distinct=True),
        )
    )
    return CHECK_FILTERS.filter(qs, filters, user=user)


def check_get(*, user, pk):
    """The check if `user` may see it (and its campaign), else 404."""
    check = get_object_or_404(
        CampaignCheck.objects.for_user(user).select_related(
            "campaign", "enterprise", "place", "region", "unit", "industry"
        ),
        pk=pk,
    )
    if not Campaign.objects.for_user(user).filter(pk=check.campaign_id).exists():
        from django.http import Http404

        raise Http404
    return check


# ---------------------------------------------------------------- targets


def target_querysets(campaign, user=None):
    """(enterprises, places) the campaign targets, limited to what `user` may see (None: the system,
    everything): enterprises of its industries and places of its kinds in the owner's subtree; closed
    enterprises are left out."""
    inside = subtree_q(campaign.region_id)
    industry_ids = list(campaign.industries.values_list("id", flat=True))
    if industry_ids:
        enterprises = Enterprise.objects.all() if user is None else Enterprise.objects.for_user(user)
        enterprises = enterprises.filter(inside, industry_id__in=industry_ids).exclude(status=EnterpriseStatus.CLOSED)
    else:
        enterprises = Enterprise.objects.none()
    kinds = [k for k in campaign.place_kinds or [] if k in PlaceKind.values]
    if kinds:
        places = Place.objects.all() if user is None else Place.objects.for_user(user)
        places = places.filter(inside, kind__in=kinds)
    else:
        places = Place.objects.none()
    return enterprises, places


def find_target(campaign, user, key):
    """The target named by `key` ("e12" an enterprise, "p7" a place) if the campaign targets it and
    `user` may see it; else (None, reason in Chinese)."""
    key = str(key or "").strip()
    kind, number = key[:1], key[1:]
    if kind not in ("e", "p") or whole_number(number) is None:
        return None, "请选择检查对象。"
    model = Enterprise if kind == "e" else Place
    obj = model.objects.for_user(user).select_related("region").filter(pk=as_id(number)).first()
    if obj is None:
        return None, "所选检查对象不存在或不在您的管辖范围内。"
    enterprises, places = target_querysets(campaign, None)
    if not (enterprises if kind == "e" else places).filter(pk=obj.pk).exists():
        return None, f"“{obj.name}”不在本次专项整治“{campaign.name}”的排查对象范围内。"
    return obj, ""


def _visible_checks(campaign, user):
    qs = CampaignCheck.objects.filter(campaign=campaign)
    return qs if user is None else qs.for_user(user)


def target_rows(campaign, user, *, checked=None, region="", q=""):
    """The targets in `user`'s scope as rows {key, kind, name, region_id, what, checks, last_date},
    enterprises first, each with how often and when last it was checked; `checked` True/False keeps
    only the checked/unchecked ones, `region` a subtree, `q` a name fragment."""
    enterprises, places = target_querysets(campaign, user)
    checks = _visible_checks(campaign, user)
    by_enterprise = {
        r["enterprise_id"]: r
        for r in checks.filter(enterprise__isnull=False)
        .values("enterprise_id")
        .annotate(n=Count("id"), last=Max("date"))
    }
    by_place = {
        r["place_id"]: r
        for r in checks.filter(place__isnull=False).values("place_id").annotate(n=Count("id"), last=Max("date"))
    }
    where = subtree_q(region) if region else None
    if where is not None:
        enterprises, places = enterprises.filter(where), places.filter(where)
    if q:
        enterprises, places = enterprises.filter(name__icontains=q), places.filter(name__icontains=q)
    kinds = dict(PlaceKind.choices)
    rows = []
    for pk, name, region_id, industry in enterprises.order_by("region_id", "name").values_list(
        "pk", "name", "region_id", "industry__name"
    ):
        done = by_enterprise.get(pk)
        rows.append(_row("e", pk, name, region_id, industry, done))
    for pk, name, region_id, kind in places.order_by("region_id", "name").values_list(
        "pk", "name", "region_id", "kind"
    ):
        done = by_place.get(pk)
        rows.append(_row("p", pk, name, region_id, kinds.get(kind, kind), done))
    if checked is not None:
        rows = [r for r in rows if bool(r["checks"]) == checked]
    return rows


def _row(kind, pk, name, region_id, what, done):
    return {
        "key": f"{kind}{pk}",
        "kind": kind,
        "pk": pk,
        "name": name,
        "region_id": region_id,
        "what": what,
        "checks": done["n"] if done else 0,
        "last_date": done["last"] if done else None,
    }


def region_names(codes):
    """{code: "凤凰镇凤凰村"}: the town and village names of each code (counties and above by name)."""
    codes = set(filter(None, codes))
    needed = set()
    for code in codes:
        level = code_level(code)
        needed.add(code)
        if level == 5:
            needed.add(code[:9] + "000")
    names = dict(Region.objects.filter(code__in=needed).values_list("code", "name"))
    out = {}
    for code in codes:
        if code_level(code) == 5:
            out[code] = names.get(code[:9] + "000", "") + names.get(code, code)
        else:
            out[code] = names.get(code, code)
    return out


# ---------------------------------------------------------------- progress


def breakdown_prefix(campaign):
    """How many code digits group the breakdown: one level below the owner (a county campaign by
    town, a town campaign by village)."""
    return LEVEL_PREFIX[min(code_level(campaign.region_id) + 1, 5)]


def campaign_hazards(campaign, user=None):
    """Hazards linked to the campaign's checks that `user` may see."""
    through = CampaignCheck.hazards.through
    linked = through.objects.filter(campaigncheck__campaign=campaign).values("hazard_id")
    qs = Hazard.objects.all() if user is None else Hazard.objects.for_user(user)
    return qs.filter(pk__in=linked)


def campaign_progress(campaign, user=None, *, by_region=True):
    """Targets total / checked / unchecked, checks recorded, hazards found / closed, in `user`'s scope
    (None: everything), and the same per region one level below the owner ({code, name, …} rows)."""
    enterprises, places = target_querysets(campaign, user)
    checks = _visible_checks(campaign, user)
    checked_enterprises = enterprises.filter(pk__in=checks.filter(enterprise__isnull=False).values("enterprise_id"))
    checked_places = places.filter(pk__in=checks.filter(place__isnull=False).values("place_id"))
    hazards = campaign_hazards(campaign, user)
    figures = {
        "targets": enterprises.count() + places.count(),
        "checked": checked_enterprises.count() + checked_places.count(),
        "checks": checks.count(),
        "hazards": hazards.count(),
        "closed": hazards.filter(status=HazardStatus.CLOSED).count(),
    }
    figures["unchecked"] = figures["targets"] - figures["checked"]
    figures["percent"] = round(100 * figures["checked"] / figures["targets"]) if figures["targets"] else 0
    if not by_region:
        return figures
    n = breakdown_prefix(campaign)
    groups = defaultdict(lambda: {"targets": 0, "checked": 0, "hazards": 0, "closed": 0})
    key = lambda code: code[:n].ljust(12, "0")  # noqa: E731
    for code in enterprises.values_list("region_id", flat=True):
        groups[key(code)]["targets"] += 1
    for code in places.values_list("region_id", flat=True):
        groups[key(code)]["targets"] += 1
    for code in checked_enterprises.values_list("region_id", flat=True):
        groups[key(code)]["checked"] += 1
    for code in checked_places.values_list("region_id", flat=True):
        groups[key(code)]["checked"] += 1
    for code, status in hazards.values_list("region_id", "status"):
        groups[key(code)]["hazards"] += 1
        groups[key(code)]["closed"] += status == HazardStatus.CLOSED
    names = dict(Region.objects.filter(code__in=list(groups)).values_list("code", "name"))
    rows = []
    for code in sorted(groups):
        row = {"code": code, "name": names.get(code, code), **groups[code]}
        row["unchecked"] = row["targets"] - row["checked"]
        row["percent"] = round(100 * row["checked"] / row["targets"]) if row["targets"] else 0
        rows.append(row)
    figures["by_region"] = rows
    return figures


def active_campaigns(user, limit=6):
    """Active campaigns `user` may see, newest first (the home page cards)."""
    return list(Campaign.objects.for_user(user).filter(status=Status.ACTIVE).order_by("-start_date", "-id")[:limit])
