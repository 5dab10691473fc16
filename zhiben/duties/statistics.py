"""The figures of a 隐患排查治理统计分析表, computed from the hazard records of one enterprise and period."""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from zhiben.hazards.choices import NOT_COUNTED, Channel, Level, Status
from zhiben.hazards.models import Hazard

VERSION = 1
ROWS = [
    ("found", "本期排查发现隐患"),
    ("rectified", "本期完成整改"),
    ("closed", "本期审核销号"),
    ("open_end", "期末未销号"),
    ("overdue_end", "期末逾期未整改"),
]


def _day_start(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def _by_level(qs):
    figures = qs.aggregate(
        general=Count("id", filter=Q(level=Level.GENERAL)), major=Count("id", filter=Q(level=Level.MAJOR))
    )
    return {**figures, "total": figures["general"] + figures["major"]}


def period_statistics(enterprise, period):
    """A JSON-ready dict: counts by level for each row of the table, by channel, the rectification
    rate, funds spent, and the list of 重大 hazards. Rejected and merged reports do not count."""
    start, end = period.start, period.end
    start_at, after_end = _day_start(start), _day_start(end + timedelta(days=1))
    hazards = Hazard.objects.filter(enterprise=enterprise).exclude(status__in=NOT_COUNTED)
    found = hazards.filter(found_date__gte=start, found_date__lte=end)
    rectified = hazards.filter(rectified_date__gte=start, rectified_date__lte=end)
    closed = hazards.filter(closed_at__gte=start_at, closed_at__lt=after_end)
    open_end = hazards.filter(found_date__lte=end).exclude(closed_at__lt=after_end)
    overdue_end = (
        open_end.exclude(status=Status.REPORTED)
        .filter(deadline__lt=end, historic=False)  # imported archives never count as overdue
        .filter(Q(rectified_date__isnull=True) | Q(rectified_date__gt=end))
    )
    sets = {"found": found, "rectified": rectified, "closed": closed, "open_end": open_end, "overdue_end": overdue_end}
    rows = [{"key": key, "label": label, **_by_level(sets[key])} for key, label in ROWS]
    found_total = rows[0]["total"]
    found_fixed = found.filter(rectified_date__lte=end).count()
    by_channel = dict(found.values_list("channel").annotate(n=Count("id")).order_by())
    funds = rectified.aggregate(total=Sum("funds"))["total"] or Decimal("0")
    majors = hazards.filter(level=Level.MAJOR).filter(Q(pk__in=found) | Q(pk__in=open_end)).order_by("found_date", "id")
    return {
        "version": VERSION,
        "period": period.code,
        "label": period.label,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "enterprise": {
            "name": enterprise.name,
            "credit_code": enterprise.credit_code,
            "principal": enterprise.principal,
        },
        "rows": rows,
        "rectification_rate": round(found_fixed * 100 / found_total, 1) if found_total else None,
        "found_rectified": found_fixed,
        "funds": str(funds.quantize(Decimal("0.01"))),
        "by_channel": [{"channel": c, "label": label, "total": by_channel.get(c, 0)} for c, label in Channel.choices],
        "major_hazards": [
            {
                "number": h.number,
                "description": h.description[:200],
                "found_date": h.found_date.isoformat(),
                "deadline": h.deadline.isoformat() if h.deadline else "",
                "status": h.get_status_display(),
                "rectified_date": h.rectified_date.isoformat() if h.rectified_date else "",
                "listed": h.get_listed_level_display() if h.listed_level else "",
            }
            for h in majors[:200]
        ],
    }


def figure(data, key, column="total"):
    """One number of a generated table (0 when absent): figure(data, "found", "major")."""
    return next((row[column] for row in data.get("rows", []) if row["key"] == key), 0)
