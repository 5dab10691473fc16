"""Reads of hazards: the ledger with its filters (declared in filters.py), duplicate suggestions, repeat detection."""

from datetime import timedelta

from django.db.models import Count, F, Q, Value
from django.http import QueryDict
from django.shortcuts import get_object_or_404
from django.utils import timezone

from zhiben.core.rules import rule, rule_date

from .choices import NOT_COUNTED, OPEN_STATUSES, OVERDUE_STATUSES, Channel, ExtensionStatus, Status
from .filters import HAZARD_FILTERS
from .models import Hazard, Place, review_overdue_q


def hazard_list(*, user, filters=None, today=None):
    """The hazards `user` may see, narrowed by `filters` (any of HAZARD_FILTERS, as text) — the ledger
    page, its export and the API share it."""
    qs = HAZARD_FILTERS.filter(Hazard.objects.for_user(user), filters, user=user, today=today)
    # A page of rows in one statement of four tables: PostgreSQL plans the six-table join (with place and
    # listed unit) in ~3 ms, several times what reading the page takes. The place, rarely set, comes by a
    # second statement only when a row of the page has one; the export joins what it shows.
    return qs.select_related("enterprise", "region", "industry").prefetch_related("place")


# The ledger rows a hazard page looks through for its neighbours in the list it was opened from.
QUEUE_WINDOW = 2000


def ledger_neighbours(*, user, pk, query, at=None):
    """Where hazard `pk` stands in the ledger it was opened from (`query`: that page's query string, without the
    page), for the hazard page's 上一条/下一条: {"index", "count", "more", "previous", "next", "gone"}, ids or None,
    `more` when the list runs past QUEUE_WINDOW rows; None when the hazard is not among them. A hazard that has left
    the list since (销号 from the queue of requests) keeps the place it had, `at`: the next is the one that took it."""
    filters = QueryDict(query)
    if any("\x00" in text for pair in filters.lists() for text in (pair[0], *pair[1])):
        return None  # no column can hold a NUL (the middleware refuses one in the page's own query)
    rows = hazard_list(user=user, filters=filters).select_related(None).prefetch_related(None)
    ids = list(rows.values_list("pk", flat=True)[: QUEUE_WINDOW + 1])
    more = len(ids) > QUEUE_WINDOW
    ids = ids[:QUEUE_WINDOW]
    if pk in ids:
        index = ids.index(pk)
        following = ids[index + 1] if index + 1 < len(ids) else None
        gone = False
    elif at is not None and 0 <= at <= len(ids):
        index, following, gone = at, (ids[at] if at < len(ids) else None), True
    else:
        return None
    previous = ids[index - 1] if index > 0 else None
    return {"index": index, "count": len(ids), "more": more, "previous": previous, "next": following, "gone": gone}


def hazard_get(*, user, pk):
    # Few joins on purpose: PostgreSQL plans the eight-table join in 3–6 ms, five tables in ~0.6 ms. The
    # relations most hazards lack (place, listing unit, criteria item) come by a statement each only when set.
    qs = (
        Hazard.objects.for_user(user)
        .select_related("enterprise", "region", "industry", "supervising_unit")
        .prefetch_related("place", "listed_unit", "criteria_item__standard")
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
    """Dice coefficient of character bigrams (0–1): robust for short Chinese descriptions. `a` may be given as
    its bigrams already (one text compared with many)."""
    x, y = (a if isinstance(a, set) else ngrams(a)), ngrams(b)
    if not x or not y:
        return 0.0
    return 2 * len(x & y) / (len(x) + len(y))


# What a candidate needs to be compared and named (a closed hazard's other columns are never read here)
CANDIDATE_FIELDS = ("id", "number", "enterprise_id", "place_id", "region_id", "industry_id", "description",
                    "location", "status", "closed_at", "found_date", "occurrence")  # fmt: skip


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
        .order_by("-found_date")[:200]
    )
    # Compared as plain rows (making up to 200 model instances took longer than the query); only the few
    # shown become hazards, named by number and status (their other fields load if read).
    mine = ngrams(hazard.description + hazard.location)
    text = [COMPARED_FIELDS.index("description"), COMPARED_FIELDS.index("location")]
    scored = [(row, similarity(mine, row[text[0]] + row[text[1]])) for row in pool.values_list(*COMPARED_FIELDS)]
    scored = [(row, round(score, 2)) for row, score in scored if score >= threshold]
    best = sorted(scored, key=lambda item: -item[1])[:limit]
    return [(Hazard.from_db(pool.db, COMPARED_FIELDS, row), score) for row, score in best]


# What duplicate_candidates reads, in the model's field order (as Model.from_db takes the values)
COMPARED_FIELDS = tuple(
    f.attname
    for f in Hazard._meta.concrete_fields
    if f.attname in {"id", "number", "status", "description", "location"}
)


REPEAT_WINDOW = 100  # the latest closed hazards of a subject a new one is compared with


def repeat_candidate(hazard, *, user=None, today=None, closed=None):
    """A closed hazard at the same enterprise/place, within the hazard's scope (and `user`'s, when
    given), that this one repeats (found again; the latest occurrence of it), or None. `closed`: the enterprise's closed hazards,
    latest first, when a batch loaded them at once (closed_hazards), or read as named tuples of their fields (the
    intake's one statement): only the one repeated then becomes a Hazard."""
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
            .only(*CANDIDATE_FIELDS)
            .order_by("-closed_at")[:REPEAT_WINDOW]
        )
    mine = ngrams(hazard.description + hazard.location)
    alike = [(similarity(mine, c.description + c.location), c) for c in closed]
    # of those alike enough, the latest occurrence of the hazard (then the most alike): a hazard back for the third
    # time repeats the second, whichever of the two its words resemble more
    found = max(
        ((score, c) for score, c in alike if score >= threshold),
        default=(0, None),
        key=lambda item: (item[1].occurrence, item[0]),
    )[1]
    if found is not None and not isinstance(found, Hazard):
        found = Hazard.from_db(Hazard.objects.db, found._fields, list(found))
    return found


def closed_hazards(enterprise_ids):
    """The closed hazards of these enterprises, latest first (what repeat_candidate compares with), read at
    once for a batch of reports."""
    return (
        Hazard.objects.filter(enterprise_id__in=list(enterprise_ids), status=Status.CLOSED)
        .only(*CANDIDATE_FIELDS)
        .order_by("enterprise_id", "-closed_at")
    )


def hazard_counts(*, user, today=None):
    """Dynamic-zeroing figures of the user's scope as of today (the home page's cards): open, overdue, major
    and listed still open, 存量 (found on or before the jurisdiction's baseline) still open and 增量 (found
    after it) — hazard_figures over all time up to this month's end, so the roll-ups count them when the
    baseline is a month's end (a county's home page reads a few thousand roll-up rows, not 300,000 hazards)."""
    today = today or timezone.localdate()
    month_end = (today.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    values = hazard_figures(user=user, filters={"start": "1990-01-01", "end": month_end.isoformat()}, today=today)[""]
    keys = ("open", "overdue", "review_overdue", "major_open", "stock_open", "increment", "listed_open", "closed")
    baseline = rule_date("hazard.baseline_date", user.region_id or "")
    return {key: values[f"hazards.{key}"] for key in keys} | {"baseline": baseline}


def extensions_waiting(*, user):
    """How many requests to move a deadline wait for a decision in the user's scope."""
    from .models import HazardExtension

    hazards = Hazard.objects.for_user(user)
    return HazardExtension.objects.filter(hazard__in=hazards, status=ExtensionStatus.PENDING).count()


def review_waiting(*, user):
    """How many requests for 销号 wait for their review in the user's scope (those past their review deadline are
    the figure hazards.review_overdue)."""
    return Hazard.objects.for_user(user).filter(status=Status.SUBMITTED, historic=False).count()


# ---------------------------------------------------------------- figures for analytics

# (key, label, unit, better, list filters of the records behind it, with {start}/{end} for the period)
HAZARD_FIGURES = [
    ("found", "新发现隐患", "条", "", "found_from={start}&found_to={end}"),
    ("found_major", "新发现重大隐患", "条", "", "found_from={start}&found_to={end}&level=major"),
    ("closed", "销号隐患", "条", "higher", "closed_from={start}&closed_to={end}"),
    ("open", "未销号隐患", "条", "lower", "status=open&found_to={end}"),
    ("major_open", "重大隐患未销号", "条", "lower", "status=open&level=major&found_to={end}"),
    ("overdue", "逾期未整改", "条", "lower", "overdue=1"),
    ("review_overdue", "销号审核超期", "条", "lower", "review_overdue=1"),
    ("ontime_rate", "按期整改率", "%", "higher", "closed_from={start}&closed_to={end}"),
    ("avg_days", "平均整改天数", "天", "lower", "closed_from={start}&closed_to={end}"),
    ("stock_open", "存量隐患未清零", "条", "lower", "stock=stock&status=open"),
    ("stock_cleared_rate", "存量隐患清零率", "%", "higher", "stock=stock"),
    ("increment", "增量隐患（本期）", "条", "", "stock=increment&found_from={start}&found_to={end}"),
    ("increment_change", "增量同比变化", "%", "lower", "stock=increment&found_from={start}&found_to={end}"),
    ("listed_open", "挂牌督办未销号", "条", "lower", "listed=1&status=open"),
    ("self_share", "企业自查发现占比", "%", "higher", "channel=self&found_from={start}&found_to={end}"),
    ("repeat", "重复发生隐患", "条", "lower", "repeat=1&found_from={start}&found_to={end}"),
]
CHANNEL_FIGURES = [(f"channel_{value}", label) for value, label in Channel.choices]


def hazard_figures(*, user, filters=None, by=None, today=None, tallies=None):
    """The hazard figures (HAZARD_FIGURES and one count per channel) for `user`'s scope narrowed by
    `filters` (core.registry.Figure: region, industry, year or start/end), in one aggregate query:
    {group: {key: value}} with group "" (by=None), each child region's 12-digit code (by="region"),
    each industry code (by="industry") or, for the figures counted over a period, each month
    (by="month", hazard_months). With by="region" the whole ("") comes too, summed from the same
    rows (the region's own rows included), so a dashboard scans the table once.

    Period figures count what happened inside [start, end] (found, closed, on time, days to close,
    increment, channel shares); state figures (open, overdue, review overdue, stock left, listed) are as of today
    among the hazards found by `end`. 存量 is found on or before the jurisdiction's baseline date;
    增量同比 compares the hazards found after it in the period with the same period a year earlier;
    按期 means rectified (else closed) on or before the deadline in force, extensions included.

    When the period is whole months, the baseline a month's end and the scope a region's (with its
    industries), the counts come from the roll-ups (models.FoundTally, ClosedTally, DueTally) instead of
    the hazards themselves: the same numbers (test_tallies.py) from a few rows per village, industry and
    month. `tallies`: True/False to force either way (tests), None to choose."""
    from datetime import datetime, time

    from django.db.models import Sum
    from django.db.models.functions import TruncDate

    from zhiben.core.db import DaysBetween, region_prefix
    from zhiben.core.periods import filter_range
    from zhiben.core.scoping import child_code, normalize_code, subtree_q
    from zhiben.regions.models import Industry

    filters = filters or {}
    today = today or timezone.localdate()
    start, end = filter_range(filters, today)
    region = normalize_code(filters.get("region")) or (user.region_id if user is not None else "") or ""
    baseline = rule_date("hazard.baseline_date", region)
    last_start, last_end = _year_before(start), _year_before(end)

    qs = Hazard.objects.for_user(user) if user is not None else Hazard.objects.all()
    qs = qs.exclude(status__in=NOT_COUNTED)
    if region:
        qs = qs.filter(subtree_q(region))
    if filters.get("industry"):
        qs = qs.filter(industry__code=filters["industry"])

    found = Q(found_date__gte=start, found_date__lte=end)
    # closed inside the period: a range on the stored moment (an index can serve it), local days
    tz = timezone.get_current_timezone()
    closed = Q(
        status=Status.CLOSED,
        closed_at__gte=datetime.combine(start, time.min, tz),
        closed_at__lt=datetime.combine(end + timedelta(days=1), time.min, tz),
    )
    closed_day = TruncDate("closed_at")
    ontime = (
        closed
        & Q(deadline__isnull=False)
        & (
            Q(rectified_date__isnull=False, rectified_date__lte=F("deadline"))
            | Q(rectified_date__isnull=True, closed_day__lte=F("deadline"))
        )
    )
    open_q = Q(status__in=OPEN_STATUSES, found_date__lte=end)
    stock = Q(found_date__lte=baseline)
    measures = {
        "found": Count("id", filter=found),
        "found_major": Count("id", filter=found & Q(level="major")),
        "open": Count("id", filter=open_q),
        "major_open": Count("id", filter=open_q & Q(level="major")),
        "overdue": Count(
            "id", filter=Q(status__in=OVERDUE_STATUSES, deadline__lt=today, historic=False, found_date__lte=end)
        ),
        "review_overdue": Count("id", filter=review_overdue_q(today) & Q(found_date__lte=end)),
        "stock_all": Count("id", filter=stock),
        "stock_open": Count("id", filter=stock & Q(status__in=OPEN_STATUSES)),
        "increment": Count("id", filter=found & Q(found_date__gt=baseline)),
        "increment_last": Count(
            "id", filter=Q(found_date__gte=last_start, found_date__lte=last_end, found_date__gt=baseline)
        ),
        "listed_open": Count("id", filter=open_q & ~Q(listed_level="")),
        "self_found": Count("id", filter=found & Q(channel=Channel.SELF_REPORT)),
        "repeat": Count("id", filter=found & Q(repeat_of__isnull=False)),
        **{key: Count("id", filter=found & Q(channel=key[8:])) for key, _ in CHANNEL_FIGURES},
        "closed": Count("id", filter=closed),
        "with_deadline": Count("id", filter=closed & Q(deadline__isnull=False)),
        "ontime": Count("id", filter=ontime),
        "days_sum": Sum(DaysBetween("closed_day", "found_date"), filter=closed),
    }

    if by == "month":
        return hazard_months(user=user, filters=filters, baseline=baseline, start=start, end=end)
    if by == "region":
        if not region:
            return {}
        key_expr, key_of = region_prefix("region_id", region), child_code
    elif by == "industry":
        key_expr = F("industry_id")
        codes = dict(Industry.objects.values_list("id", "code"))
        key_of = codes.get
    else:
        key_expr, key_of = Value(""), str

    if tallies is None:
        tallies = _tallies_serve(user, start, end, baseline)
    if tallies:
        grouped = _tally_rows(
            user=user, hazards=qs, filters=filters, region=region, key_expr=key_expr,
            months=(start, end, baseline, last_start, last_end), today=today,
        )  # fmt: skip
    else:
        grouped = qs.annotate(closed_day=closed_day, group=key_expr).values("group").annotate(**measures).order_by()
    rows = {}
    for row in grouped:
        group = key_of(row.pop("group"))
        counts = rows.setdefault(group, {})
        for name, value in row.items():
            counts[name] = counts.get(name, 0) + (value or 0)
    if by == "region":  # the whole: every row of the subtree lies in one of the groups
        total = {}
        for counts in rows.values():
            for name, value in counts.items():
                total[name] = total.get(name, 0) + value
        rows[""] = total
    if by is None:
        rows.setdefault("", {})
    return {group: hazard_values(counts) for group, counts in rows.items() if group is not None}


def _tallies_serve(user, start, end, baseline):
    """Whether the roll-ups can count this: a scope of regions and industries (not one enterprise's), a
    period of whole months and a baseline at a month's end."""
    from zhiben.core.scoping import scope_terms

    if user is not None:
        terms = scope_terms(user, Hazard)
        if terms is None or any(field == "enterprise_id" for field, _, _ in terms):
            return False
    return start.day == 1 and (end + timedelta(days=1)).day == 1 and (baseline + timedelta(days=1)).day == 1


def _tally_read(model, *, user, region, filters, key_expr, measures, where=None):
    """Rows {"group", measure: value} of a roll-up inside `user`'s scope, narrowed like the hazards (and by
    `where`, the months every measure reads: fewer rows and fewer FILTER clauses to evaluate)."""
    from zhiben.core.scoping import scope_q, subtree_q

    qs = model.objects.all() if user is None else model.objects.filter(scope_q(user, model))
    if where is not None:
        qs = qs.filter(where)
    if region:
        qs = qs.filter(subtree_q(region))
    if filters.get("industry"):
        qs = qs.filter(industry__code=filters["industry"])
    named = {f"n_{name}": measure for name, measure in measures.items()}  # not the tally's own field names
    for row in qs.annotate(group=key_expr).values("group").annotate(**named).order_by():
        yield {name.removeprefix("n_"): value for name, value in row.items()}


# the figures that are counts over a period (not a state as of today): those a month-by-month trend shows
MONTHLY = (
    "found", "found_major", "closed", "ontime_rate", "avg_days", "increment", "self_share", "repeat",
    *(key for key, _ in CHANNEL_FIGURES),
)  # fmt: skip


def hazard_months(*, user, filters, baseline, start, end):
    """{"YYYY-MM": {"hazards.<key>": value}} of the MONTHLY figures for every month from `start` to `end`
    (whole months), from the roll-ups in one query each: what a trend shows without counting month by
    month. {} when the roll-ups cannot serve (see _tallies_serve): the reader then asks month by month."""
    from django.db.models import Sum

    from .models import ClosedTally, FoundTally

    if not _tallies_serve(user, start, end, baseline):
        return {}
    region = filters.get("region") or ""
    stock = baseline.replace(day=1)
    period = Q(month__gte=start, month__lte=end)
    reads = (
        (
            FoundTally,
            {
                "found": Sum("found", filter=period),
                "found_major": Sum("major", filter=period),
                "increment": Sum("found", filter=period & Q(month__gt=stock)),
                "self_found": Sum("ch_self", filter=period),
                "repeat": Sum("repeat", filter=period),
                **{key: Sum(f"ch_{key[8:]}", filter=period) for key, _ in CHANNEL_FIGURES},
            },
        ),
        (ClosedTally, {name: Sum(name, filter=period) for name in ("closed", "with_deadline", "ontime", "days_sum")}),
    )
    counts = {}
    for model, measures in reads:
        rows = _tally_read(
            model, user=user, region=region, filters=filters, key_expr=F("month"), measures=measures
        )  # fmt: skip
        for row in rows:
            month = row.pop("group")
            if start <= month <= end:
                counts.setdefault(f"{month:%Y-%m}", {}).update({k: v or 0 for k, v in row.items()})
    result = {}
    index, last = start.year * 12 + start.month - 1, end.year * 12 + end.month - 1
    for i in range(index, last + 1):
        text = f"{i // 12}-{i % 12 + 1:02d}"
        values = hazard_values(counts.get(text, {}))
        result[text] = {f"hazards.{key}": values[f"hazards.{key}"] for key in MONTHLY}
    return result


def _tally_rows(*, user, hazards, filters, region, key_expr, months, today):
    """The rows of hazard_figures' aggregate ({"group", measure: value}) from the roll-ups. Overdue is
    the deadlines of the months before today's month (DueTally) and this month's days before today counted
    on the hazards; a period already over counts it on the hazards alone."""
    from django.db.models import Count, Sum

    from .models import ClosedTally, DueTally, FoundTally

    start, end, baseline, last_start, last_end = months
    first = end.replace(day=1)  # every month row is keyed by its first day
    stock = baseline.replace(day=1)

    def read(model, where, **measures):
        return _tally_read(
            model, user=user, region=region, filters=filters, key_expr=key_expr, measures=measures, where=where
        )

    period = Q(month__gte=start, month__lte=first)
    # every found measure reads months up to the period's end (the stock's up to the baseline): that is the
    # WHERE, and the state as of today needs no FILTER of its own when the baseline lies before the end
    counted = None if stock <= first else Q(month__lte=first)
    found = {
        "found": Sum("found", filter=period),
        "found_major": Sum("major", filter=period),
        "open": Sum("open", filter=counted),
        "major_open": Sum("major_open", filter=counted),
        "stock_all": Sum("found", filter=Q(month__lte=stock)),
        "stock_open": Sum("open", filter=Q(month__lte=stock)),
        "increment": Sum("found", filter=period & Q(month__gt=stock)),
        "increment_last": Sum("found", filter=Q(month__gte=last_start, month__lte=last_end, month__gt=stock)),
        "listed_open": Sum("listed_open", filter=counted),
        "self_found": Sum("ch_self", filter=period),
        "repeat": Sum("repeat", filter=period),
        **{key: Sum(f"ch_{key[8:]}", filter=period) for key, _ in CHANNEL_FIGURES},
    }
    closed = {name: Sum(name) for name in ("closed", "with_deadline", "ontime", "days_sum")}
    yield from read(FoundTally, Q(month__lte=max(first, stock)), **found)
    yield from read(ClosedTally, period, **closed)
    # requests for 销号 waiting past their review deadline: few, counted on the hazards (the status index)
    late = hazards.filter(review_overdue_q(today), found_date__lte=end).annotate(group=key_expr).values("group")
    yield from late.annotate(review_overdue=Count("id")).order_by()
    due = hazards.filter(status__in=OVERDUE_STATUSES, historic=False, deadline__lt=today)
    if end < today:  # as of today among those found by the period's end: on the hazards
        yield from (
            due.filter(found_date__lte=end)
            .annotate(group=key_expr)
            .values("group")
            .annotate(overdue=Count("id"))
            .order_by()
        )
        return
    this_month = today.replace(day=1)
    yield from read(DueTally, Q(month__lt=this_month), overdue=Sum("due"))
    this_month_due = due.filter(found_date__lte=end, deadline__gte=this_month)
    found_after = due.filter(found_date__gt=end, deadline__lt=this_month)  # in DueTally, not found by the end
    for qs, sign in ((this_month_due, 1), (found_after, -1)):
        for row in qs.annotate(group=key_expr).values("group").annotate(n=Count("id")).order_by():
            yield {"group": row["group"], "overdue": sign * row["n"]}


def _year_before(day):
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def _share(part, whole):
    return round(100 * part / whole, 1) if whole else None


def hazard_values(c):
    get = c.get
    stock_all = get("stock_all", 0)
    last = get("increment_last", 0)
    values = {
        "found": get("found", 0),
        "found_major": get("found_major", 0),
        "closed": get("closed", 0),
        "open": get("open", 0),
        "major_open": get("major_open", 0),
        "overdue": get("overdue", 0),
        "review_overdue": get("review_overdue", 0),
        "ontime_rate": _share(get("ontime", 0), get("with_deadline", 0)),
        "avg_days": round(get("days_sum", 0) / get("closed"), 1) if get("closed") else None,
        "stock_open": get("stock_open", 0),
        "stock_cleared_rate": _share(stock_all - get("stock_open", 0), stock_all),
        "increment": get("increment", 0),
        "increment_change": round(100 * (get("increment", 0) - last) / last, 1) if last else None,
        "listed_open": get("listed_open", 0),
        "self_share": _share(get("self_found", 0), get("found", 0)),
        "repeat": get("repeat", 0),
    }
    values.update({key: get(key, 0) for key, _ in CHANNEL_FIGURES})
    return {f"hazards.{key}": value for key, value in values.items()}


def hazard_records(*, user, filters=None, which="major_overdue", limit=20, today=None):
    """Hazards a bulletin or the big screen names (core.registry.RecordList): the overdue 重大 hazards
    (most overdue first) or the listed ones still open (latest listed first), in `user`'s scope narrowed
    by the figure filters' region and industry."""
    from zhiben.core.scoping import subtree_q

    filters = filters or {}
    today = today or timezone.localdate()
    qs = Hazard.objects.for_user(user) if user is not None else Hazard.objects.all()
    if filters.get("region") and subtree_q(filters["region"]) is not None:
        qs = qs.filter(subtree_q(filters["region"]))
    if filters.get("industry"):
        qs = qs.filter(industry__code=filters["industry"])
    if which == "major_overdue":
        qs = qs.overdue(today).filter(level="major").order_by("deadline", "id")
    else:
        qs = qs.filter(status__in=OPEN_STATUSES).exclude(listed_level="").order_by("-listed_at", "-id")
    rows = []
    for h in qs.select_related("enterprise", "place", "region")[:limit]:
        rows.append(
            {
                "url": h.get_absolute_url(),
                "number": h.number,
                "subject": h.enterprise.name if h.enterprise_id else (h.place.name if h.place_id else h.location),
                "region": h.region.name,
                "description": h.description[:60],
                "deadline": h.deadline,
                "days_overdue": (today - h.deadline).days if h.deadline and h.deadline < today else 0,
                "listed": h.get_listed_level_display(),
            }
        )
    return rows
