"""Reads of hazards: the ledger with its filters (declared in filters.py), duplicate suggestions, repeat detection."""

from datetime import timedelta

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from zhiben.core.rules import rule, rule_date

from .choices import OPEN_STATUSES, Status
from .filters import HAZARD_FILTERS
from .models import Hazard, Place


def hazard_list(*, user, filters=None, today=None):
    """The hazards `user` may see, narrowed by `filters` (any of HAZARD_FILTERS, as text) — the ledger
    page, its export and the API share it."""
    qs = HAZARD_FILTERS.filter(Hazard.objects.for_user(user), filters, user=user, today=today)
    return qs.select_related("enterprise", "place", "region", "industry", "listed_unit")


def hazard_get(*, user, pk):
    # Few joins on purpose: PostgreSQL plans a 12-way join in ~5 ms; rarely-set relations load lazily.
    qs = Hazard.objects.for_user(user).select_related(
        "enterprise", "place", "region", "industry", "criteria_item__standard", "supervising_unit", "listed_unit"
    )
    return get_object_or_404(qs, pk=pk)


# ---------------------------------------------------------------- similarity


def ngrams(text, n=2):
    """Character n-grams of Chinese text, punctuation and spaces removed."""
    kept = "".join(ch for ch in (text or "") if ch.isalnum())
    if len(kept) < n:
        return {kept} if kept else set()
    return {kept[i : i + n] for i in range(len(kept) - n + 1)}


def similarity(a, b):
    """Dice coefficient of character bigrams (0–1): robust for short Chinese descriptions."""
    x, y = ngrams(a), ngrams(b)
    if not x or not y:
        return 0.0
    return 2 * len(x & y) / (len(x) + len(y))


def place_list(*, user):
    """The places `user` may see: in their region, and for department staff only where a hazard of
    their industries lies (the rule is `PlaceQuerySet.for_user`)."""
    return Place.objects.for_user(user).select_related("region")


def _same_scope(hazard, user):
    """Candidates lie in the hazard's own scope — same region, industry and enterprise — so whoever
    may see the hazard may see them too (a department never meets another industry's hazard through
    a duplicate or repeat hint, an enterprise never another's); with `user`, also in that user's scope."""
    qs = Hazard.objects.filter(
        region_id=hazard.region_id, industry_id=hazard.industry_id, enterprise_id=hazard.enterprise_id
    )
    return qs.for_user(user) if user is not None else qs


def _same_subject(hazard):
    if hazard.enterprise_id:
        return Q(enterprise_id=hazard.enterprise_id)
    place = hazard.place
    q = Q(place__region_id=hazard.region_id, place__name=place.name) if place is not None else Q(pk__in=[])
    if hazard.location:
        q |= Q(region_id=hazard.region_id, location=hazard.location)
    return q


def duplicate_candidates(hazard, *, user=None, today=None, limit=5):
    """Open or recently closed hazards of the same enterprise or place with a similar description,
    from any channel, within the hazard's scope (and `user`'s, when given), best first: [(hazard, similarity)]."""
    today = today or timezone.localdate()
    threshold = rule("hazard.duplicate_similarity", hazard.region_id)
    recent = today - timedelta(days=rule("hazard.duplicate_closed_days", hazard.region_id))
    pool = (
        _same_scope(hazard, user)
        .filter(_same_subject(hazard))
        .exclude(pk=hazard.pk)
        .filter(Q(status__in=OPEN_STATUSES) | Q(status=Status.CLOSED, closed_at__date__gte=recent))
        .select_related("enterprise", "place")
        .order_by("-found_date")[:200]
    )
    scored = [
        (other, similarity(hazard.description + hazard.location, other.description + other.location)) for other in pool
    ]
    scored = [(other, round(score, 2)) for other, score in scored if score >= threshold]
    return sorted(scored, key=lambda item: -item[1])[:limit]


REPEAT_WINDOW = 100  # the latest closed hazards of a subject a new one is compared with


def repeat_candidate(hazard, *, user=None, today=None, closed=None):
    """A closed hazard at the same enterprise/place, within the hazard's scope (and `user`'s, when
    given), that this one repeats (found again), or None. `closed`: the enterprise's closed hazards,
    latest first, when a batch loaded them at once (closed_hazards)."""
    today = today or timezone.localdate()
    threshold = rule("hazard.duplicate_similarity", hazard.region_id)
    if hazard.enterprise_id is None and (hazard.place is None or hazard.place.pk is None):
        return None
    if closed is not None:
        closed = [c for c in closed if c.region_id == hazard.region_id and c.industry_id == hazard.industry_id][
            :REPEAT_WINDOW
        ]
    else:
        closed = (
            _same_scope(hazard, user)
            .filter(_same_subject(hazard), status=Status.CLOSED)
            .order_by("-closed_at")[:REPEAT_WINDOW]
        )
    best = max(
        ((similarity(hazard.description + hazard.location, c.description + c.location), c) for c in closed),
        default=(0, None),
        key=lambda item: item[0],
    )
    return best[1] if best[0] >= threshold else None


def closed_hazards(enterprise_ids):
    """The closed hazards of these enterprises, latest first (what repeat_candidate compares with), read at
    once for a batch of reports."""
    return (
        Hazard.objects.filter(enterprise_id__in=list(enterprise_ids), status=Status.CLOSED)
        .only("id", "number", "enterprise_id", "region_id", "industry_id", "description", "location", "closed_at")
        .order_by("enterprise_id", "-closed_at")
    )


def hazard_counts(*, user, today=None):
    """Dynamic-zeroing figures for the user's scope: stock/increment, open, overdue, major, listed."""
    from django.db.models import Count

    today = today or timezone.localdate()
    baseline = rule_date("hazard.baseline_date", user.region_id or "")
    qs = Hazard.objects.for_user(user).exclude(status__in=[Status.MERGED, Status.REJECTED])
    open_q = Q(status__in=OPEN_STATUSES)
    return qs.aggregate(
        total=Count("id"),
        open=Count("id", filter=open_q),
        stock=Count("id", filter=Q(found_date__lte=baseline)),
        stock_open=Count("id", filter=Q(found_date__lte=baseline) & open_q),
        increment=Count("id", filter=Q(found_date__gt=baseline)),
        increment_open=Count("id", filter=Q(found_date__gt=baseline) & open_q),
        major_open=Count("id", filter=Q(level="major") & open_q),
        overdue=Count(  # historic ledger rows (archives) are no one's overdue work
            "id",
            filter=Q(
                status__in=[Status.VERIFIED, Status.RECTIFYING, Status.SUBMITTED], deadline__lt=today, historic=False
            ),
        ),
        listed_open=Count("id", filter=~Q(listed_level="") & open_q),
        closed=Count("id", filter=Q(status=Status.CLOSED)),
    ) | {"baseline": baseline}
