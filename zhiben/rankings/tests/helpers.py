"""Fixtures of the ranking tests: three more towns in county A (five in all), a town committee, and two
figures registered only for the tests whose values per town and month are fixed here (so every score can
be computed by hand), read by the services through analytics like any module's figures."""

from zhiben.accounts.choices import Role
from zhiben.core.registry import Figure, register, unregister
from zhiben.regions.models import Unit
from zhiben.testing import CastTestCase, make_region, make_user

A1, A2, T3, T4, T5 = "500106105000", "500106104000", "500106106000", "500106107000", "500106108000"

# (figure, month) → {town: value}; None: the town has no data (a rate with nothing to divide).
VALUES = {
    ("test_rank.rate", "2025-10-01"): {A1: 60, A2: 90, T3: 75, T4: 60, T5: 70},
    ("test_rank.overdue", "2025-10-01"): {A1: 5, A2: 0, T3: 2, T4: 5, T5: 1},
    ("test_rank.rate", "2025-11-01"): {A1: 90, A2: 60, T3: 75, T4: 90, T5: None},
    ("test_rank.overdue", "2025-11-01"): {A1: 0, A2: 10, T3: 4, T4: 2, T5: 5},
}
# the whole county (the headline), by month
TOTALS = {("test_rank.rate", "2025-11-01"): 78.5, ("test_rank.overdue", "2025-11-01"): 21}


def _compute(key):
    def compute(user, filters):
        region, start = filters.get("region"), filters.get("start")
        if region and region.endswith("000000"):  # the county as a whole
            return TOTALS.get((key, start))
        return VALUES.get((key, start), {}).get(region)

    return compute


def _url(key):
    def url(filters):
        return f"/hazards/?test={key}&region={filters.get('region', '')}&found_from={filters.get('start', '')}"

    return url


FIGURES = (
    Figure(
        "test_rank.rate", "测试整改率", _compute("test_rank.rate"), _url("test_rank.rate"), unit="%", better="higher"
    ),
    Figure(
        "test_rank.overdue",
        "测试逾期数",
        _compute("test_rank.overdue"),
        _url("test_rank.overdue"),
        unit="条",
        better="lower",
    ),
    Figure("test_rank.plain", "测试无方向指标", lambda user, filters: 1, unit="条"),
)


def relative_items(rate="60", overdue="40"):
    return [
        {"figure": "test_rank.rate", "weight": rate, "method": "relative"},
        {"figure": "test_rank.overdue", "weight": overdue, "method": "relative"},
    ]


THRESHOLDS = [{"name": "A", "value": "90"}, {"name": "B", "value": "75"}, {"name": "C", "value": "60"}, {"name": "D"}]
QUANTILES = [{"name": "A", "value": "20"}, {"name": "B", "value": "30"}, {"name": "C", "value": "30"}, {"name": "D"}]


def card_data(**extra):
    data = {
        "name": "镇街月度评分",
        "region": "500106",
        "period_kind": "month",
        "tier_mode": "thresholds",
        "tiers": THRESHOLDS,
        "items": relative_items(),
    }
    data.update(extra)
    return data


class RankingTestCase(CastTestCase):
    """The cast plus towns T3–T5 of county A, fiona (凤凰镇安委办管理员) and the test figures."""

    @classmethod
    def setUpClass(cls):
        register(*FIGURES)
        cls.addClassCleanup(lambda: [unregister("figures", figure.key) for figure in FIGURES])
        super().setUpClass()

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.town_3 = make_region(T3[:9], "歌乐山镇")
        cls.town_4 = make_region(T4[:9], "井口镇")
        cls.town_5 = make_region(T5[:9], "中梁镇")
        cls.unit_office_a1 = Unit.objects.create(name="凤凰镇安委办", kind="committee", region=cls.town_a1)
        cls.fiona = make_user("fiona", Role.COMMITTEE_ADMIN, cls.town_a1, unit=cls.unit_office_a1)
