"""The demo scorecard: the demo county (沙坪坝区) ranks its towns monthly on hazard figures; the last three
months are scored (so the ranking shows its change since the month before and a town's history), and a
bulletin can be issued from the latest. Runs after the hazards demo; made through the services."""

from django.utils import timezone

from zhiben.accounts.models import User
from zhiben.core.periods import current_period
from zhiben.regions.models import Region

from . import services
from .models import RankingRun, Scorecard

COUNTY = "500106000000"
NAME = "镇街安全生产隐患排查治理月度评分"
ITEMS = [
    # figure, weight, direction ("" = the figure's own), method, target
    ("hazards.overdue", "30", "", "relative", ""),
    ("hazards.stock_cleared_rate", "25", "", "target", "90"),
    ("hazards.major_open", "20", "", "relative", ""),
    ("hazards.open", "15", "", "relative", ""),
    ("hazards.found", "10", "higher", "relative", ""),  # finding hazards is the point of 排查
]
MONTHS = 3


def load(stdout=None):
    county = Region.objects.filter(code=COUNTY).first()
    if county is None or Scorecard.objects.filter(region=county, name=NAME).exists():
        return
    actor = User.objects.filter(username="anweiban", is_active=True).first()
    card = services.scorecard_save(
        actor=actor,
        data={
            "name": NAME,
            "region": COUNTY,
            "period_kind": "month",
            "tier_mode": "thresholds",
            "tiers": [
                {"name": "A", "value": "90"},
                {"name": "B", "value": "75"},
                {"name": "C", "value": "60"},
                {"name": "D", "value": ""},
            ],
            "items": [{"figure": f, "weight": w, "direction": d, "method": m, "target": t} for f, w, d, m, t in ITEMS],
            "note": "按月对各镇街隐患排查治理情况评分排名，结果纳入晾晒通报。",
        },
    )
    period = current_period("month", timezone.localdate())
    periods = []
    for _ in range(MONTHS):
        period = period.previous()
        periods.insert(0, period)
    for period in periods:
        services.ranking_score(actor=actor, scorecard=card, period=period)


def summary():
    return f"{Scorecard.objects.count()} 张评分表，{RankingRun.objects.filter(current=True).count()} 期排名"
