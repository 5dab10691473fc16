"""The arithmetic alone, against numbers worked out by hand: both methods in both directions, missing
values, ties, both tier modes."""

from decimal import Decimal as D

from django.test import SimpleTestCase

from zhiben.rankings.scoring import Item, item_points, quantile_limits, ranks, score_all, tier_of_score

TIERS = [
    {"name": "A", "value": 90},
    {"name": "B", "value": 75},
    {"name": "C", "value": 60},
    {"name": "D", "value": None},
]
SHARES = [
    {"name": "A", "value": 20},
    {"name": "B", "value": 30},
    {"name": "C", "value": 30},
    {"name": "D", "value": None},
]


class PointsTests(SimpleTestCase):
    def test_relative_higher_is_linear_between_worst_and_best(self):
        item = Item("rate", D(40), "higher", "relative")
        self.assertEqual(
            item_points(item, {"a": 90, "b": 60, "c": 75}), {"a": D("40.00"), "b": D("0.00"), "c": D("20.00")}
        )

    def test_relative_lower_gives_full_marks_to_the_least(self):
        item = Item("overdue", D(30), "lower", "relative")
        self.assertEqual(
            item_points(item, {"a": 0, "b": 10, "c": 4}), {"a": D("30.00"), "b": D("0.00"), "c": D("18.00")}
        )

    def test_relative_all_equal_is_full_marks(self):
        item = Item("rate", D(25), "higher", "relative")
        self.assertEqual(item_points(item, {"a": 7, "b": 7}), {"a": D("25.00"), "b": D("25.00")})

    def test_missing_value_is_none_and_not_part_of_the_range(self):
        item = Item("rate", D(10), "higher", "relative")
        self.assertEqual(
            item_points(item, {"a": 50, "b": None, "c": 100}), {"a": D("0.00"), "b": None, "c": D("10.00")}
        )
        self.assertEqual(item_points(item, {"a": None}), {"a": None})

    def test_target_higher(self):
        item = Item("rate", D(20), "higher", "target", D(80))
        got = item_points(item, {"over": 90, "at": 80, "under": 60, "negative": -5, "none": None})
        self.assertEqual(
            got, {"over": D("20.00"), "at": D("20.00"), "under": D("15.00"), "negative": D("0.00"), "none": None}
        )

    def test_target_lower(self):
        item = Item("overdue", D(25), "lower", "target", D(2))
        self.assertEqual(
            item_points(item, {"a": 1, "b": 2, "c": 5, "d": 0}), {"a": D(25), "b": D(25), "c": D(10), "d": D(25)}
        )
        zero = Item("overdue", D(25), "lower", "target", D(0))
        self.assertEqual(item_points(zero, {"none": 0, "some": 3}), {"none": D(25), "some": D(0)})

    def test_rounding_is_half_up_per_item(self):
        item = Item("rate", D(50), "higher", "target", D(80))
        self.assertEqual(item_points(item, {"a": 75}), {"a": D("46.88")})  # 46.875


class RankTierTests(SimpleTestCase):
    def test_ties_share_a_rank_and_the_next_skips(self):
        self.assertEqual(ranks({"a": D(90), "b": D(80), "c": D(80), "d": D(70)}), {"a": 1, "b": 2, "c": 2, "d": 4})

    def test_thresholds(self):
        self.assertEqual(
            [tier_of_score(D(s), TIERS) for s in ("100", "90", "89.99", "75", "60", "59.99", "0")],
            ["A", "A", "B", "B", "C", "D", "D"],
        )

    def test_quantile_limits_round_half_up(self):
        self.assertEqual(quantile_limits(5, SHARES), [1, 3, 4])  # 1, 2.5→3, 4
        self.assertEqual(quantile_limits(10, SHARES), [2, 5, 8])
        self.assertEqual(quantile_limits(2, SHARES), [0, 1, 2])  # 0.4→0, 1, 1.6→2

    def test_score_all_with_quantiles_keeps_tied_subjects_in_one_tier(self):
        items = [Item("x", D(100), "higher", "relative")]
        values = {"a": {"x": 10}, "b": {"x": 10}, "c": {"x": 5}, "d": {"x": 0}, "e": {"x": 2.5}}
        results = {r.code: (r.rank, r.score, r.tier) for r in score_all(items, values, "quantiles", SHARES)}
        self.assertEqual(
            results,
            {
                "a": (1, D("100.00"), "A"),  # the top 20% of 5 is one place, but a and b share it
                "b": (1, D("100.00"), "A"),
                "c": (3, D("50.00"), "B"),
                "e": (4, D("25.00"), "C"),
                "d": (5, D("0.00"), "D"),
            },
        )

    def test_score_all_sums_points_and_marks_what_is_missing(self):
        items = [Item("r", D(60), "higher", "relative"), Item("o", D(40), "lower", "relative")]
        values = {"a": {"r": 90, "o": 0}, "b": {"r": 60, "o": 10}, "c": {"r": None, "o": 5}}
        results = score_all(items, values, "thresholds", TIERS)
        self.assertEqual(
            [(r.code, r.score, r.rank, r.tier) for r in results],
            [
                ("a", D("100.00"), 1, "A"),
                ("c", D("20.00"), 2, "D"),
                ("b", D("0.00"), 3, "D"),
            ],
        )
        self.assertEqual(results[1].missing, ["r"])
        self.assertEqual(results[1].points, {"r": None, "o": D("20.00")})
