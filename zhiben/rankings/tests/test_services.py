"""Scorecards and scoring through the services: validation (weights, unknown figures, tiers, targets),
scores, ranks and tiers against hand-computed fixtures for both methods and both tier modes, ties, the
change since the previous period, re-scoring as a new version, history, scope, rights, the audit and the
job (once per period)."""

from datetime import date
from decimal import Decimal as D

from zhiben.audit.models import AuditEvent
from zhiben.core.exceptions import ApplicationError, ScopeError
from zhiben.core.registry import registry
from zhiben.rankings import services
from zhiben.rankings.models import RankingEntry, RankingRun, Scorecard, ScorecardItem
from zhiben.rankings.selectors import red_list, run_table, subject_history

from .helpers import A1, A2, QUANTILES, T3, T4, T5, RankingTestCase, card_data


def table(run):
    return {e.region_id: (e.rank, e.score, e.tier) for e in run.entries.all()}


class ScorecardValidationTests(RankingTestCase):
    def refused(self, data, *fragments, actor=None):
        before = (Scorecard.objects.count(), ScorecardItem.objects.count())
        with self.assertRaises(ApplicationError) as caught:
            services.scorecard_save(actor=actor or self.alice, data=data)
        for fragment in fragments:
            self.assertIn(fragment, caught.exception.message)
        self.assertEqual((Scorecard.objects.count(), ScorecardItem.objects.count()), before)
        return caught.exception

    def test_saves_items_tiers_and_audits(self):
        card = services.scorecard_save(actor=self.alice, data=card_data())
        self.assertEqual(card.region_id, self.county_a.code)
        self.assertEqual(
            [(i.figure, i.weight, i.direction, i.method) for i in card.items.all()],
            [("test_rank.rate", D(60), "higher", "relative"), ("test_rank.overdue", D(40), "lower", "relative")],
        )
        self.assertEqual([t["name"] for t in card.tiers], ["A", "B", "C", "D"])
        self.assertEqual(card.tiers[-1]["value"], None)
        event = AuditEvent.objects.get(action="ranking.scorecard_save")
        self.assertEqual(event.region_code, self.county_a.code)

    def test_weights_must_add_up_to_100(self):
        error = self.refused(
            card_data(
                items=[{"figure": "test_rank.rate", "weight": "55"}, {"figure": "test_rank.overdue", "weight": "40"}]
            ),
            "各项权重之和为 95，应为 100",
        )
        self.assertEqual(error.errors[0]["field"], "items")
        self.refused(
            card_data(
                items=[{"figure": "test_rank.rate", "weight": "60.5"}, {"figure": "test_rank.overdue", "weight": "40"}]
            ),
            "100.5",
        )

    def test_unknown_or_repeated_figure_is_refused(self):
        self.refused(
            card_data(items=[{"figure": "nope.figure", "weight": "100"}]), "第 1 项", "没有登记名为“nope.figure”"
        )
        self.refused(
            card_data(
                items=[{"figure": "test_rank.rate", "weight": "50"}, {"figure": "test_rank.rate", "weight": "50"}]
            ),
            "第 2 项",
            "与第 1 项重复",
        )

    def test_bad_weight_target_and_direction(self):
        self.refused(card_data(items=[{"figure": "test_rank.rate", "weight": "abc"}]), "第 1 项的权重“abc”不是数字")
        self.refused(
            card_data(
                items=[{"figure": "test_rank.rate", "weight": "0"}, {"figure": "test_rank.overdue", "weight": "100"}]
            ),
            "应大于 0",
        )
        self.refused(
            card_data(items=[{"figure": "test_rank.rate", "weight": "100", "method": "target"}]), "目标评分须填写目标值"
        )
        self.refused(
            card_data(items=[{"figure": "test_rank.rate", "weight": "100", "method": "target", "target": "-5"}]),
            "不能为负数",
        )
        self.refused(
            card_data(items=[{"figure": "test_rank.plain", "weight": "100"}]), "测试无方向指标", "没有规定高低"
        )
        self.refused(card_data(items=[]), "请至少填写一个评分项")

    def test_bad_tiers(self):
        self.refused(
            card_data(tiers=[{"name": "A", "value": "75"}, {"name": "B", "value": "90"}, {"name": "C"}]),
            "第 2 档“B”的分数线 90 应低于上一档的 75",
        )
        self.refused(card_data(tiers=[{"name": "A", "value": "120"}, {"name": "B"}]), "不能大于 100")
        self.refused(
            card_data(tiers=[{"name": "A", "value": "90"}, {"name": "B", "value": "60"}]), "最后一档", "应留空"
        )
        self.refused(card_data(tiers=[{"name": "A", "value": "90"}, {"name": "A"}]), "等次“A”重复")
        self.refused(card_data(tiers=[{"name": "A"}]), "至少设两个等次")
        self.refused(
            card_data(
                tier_mode="quantiles", tiers=[{"name": "A", "value": "60"}, {"name": "B", "value": "40"}, {"name": "C"}]
            ),
            "比例之和为 100%",
        )

    def test_jurisdiction_must_have_children_and_be_in_scope(self):
        self.refused(card_data(region=self.village_a1.code), "“凤凰村”没有下级区划")
        with self.assertRaises(ScopeError):
            services.scorecard_save(actor=self.charlie, data=card_data())
        with self.assertRaises(ScopeError):  # a town committee cannot rank the county's towns
            services.scorecard_save(actor=self.fiona, data=card_data())
        self.assertEqual(Scorecard.objects.count(), 0)

    def test_rights(self):
        for user in (self.dave, self.erin, self.gina, self.emma):
            with self.subTest(user=user.username), self.assertRaises(ApplicationError) as caught:
                services.scorecard_save(actor=user, data=card_data())
            self.assertEqual(caught.exception.code, "forbidden")

    def test_name_is_unique_in_a_jurisdiction_and_edit_replaces_items(self):
        card = services.scorecard_save(actor=self.alice, data=card_data())
        self.refused(card_data(), "沙坪坝区已有名为“镇街月度评分”的评分表")
        services.scorecard_save(
            actor=self.alice,
            scorecard=card,
            data=card_data(items=[{"figure": "test_rank.overdue", "weight": "100", "method": "target", "target": "2"}]),
        )
        self.assertEqual([(i.figure, i.target) for i in card.items.all()], [("test_rank.overdue", D(2))])
        with self.assertRaises(ApplicationError):  # a bad edit leaves the saved items alone
            services.scorecard_save(
                actor=self.alice, scorecard=card, data=card_data(items=[{"figure": "x", "weight": "1"}])
            )
        self.assertEqual(card.items.count(), 1)
        with self.assertRaises(ScopeError):
            services.scorecard_save(actor=self.charlie, scorecard=card, data=card_data())


class ScoringTests(RankingTestCase):
    def setUp(self):
        self.card = services.scorecard_save(actor=self.alice, data=card_data())

    def test_relative_scores_ranks_and_thresholds(self):
        run = services.ranking_score(actor=self.alice, scorecard=self.card, period="2025-11")
        # rate 60 (higher): 90→60, 60→0, 75→30, 90→60, none→0; overdue 40 (lower, 0..10): 40, 0, 24, 32, 20
        self.assertEqual(
            table(run),
            {
                A1: (1, D("100.00"), "A"),
                T4: (2, D("92.00"), "A"),
                T3: (3, D("54.00"), "D"),
                T5: (4, D("20.00"), "D"),
                A2: (5, D("0.00"), "D"),
            },
        )
        t5 = run.entries.get(region_id=T5)
        self.assertEqual(t5.missing, ["test_rank.rate"])
        self.assertEqual(t5.values, {"test_rank.rate": None, "test_rank.overdue": 5})
        self.assertEqual(t5.points, {"test_rank.rate": None, "test_rank.overdue": 20.0})
        self.assertEqual(
            (run.period_text, run.period_label, run.version, run.current), ("2025-11", "2025年11月", 1, True)
        )
        self.assertEqual(run.period_start, date(2025, 11, 1))
        headline = {h["key"]: h["value"] for h in run.headline}
        self.assertEqual((headline["test_rank.rate"], headline["test_rank.overdue"]), (78.5, 21))
        self.assertTrue(AuditEvent.objects.filter(action="ranking.score", object_id=str(run.pk)).exists())

    def test_target_method_ties_and_quantiles(self):
        card = services.scorecard_save(
            actor=self.alice,
            data=card_data(
                name="目标评分",
                tier_mode="quantiles",
                tiers=QUANTILES,
                items=[
                    {"figure": "test_rank.rate", "weight": "50", "method": "target", "target": "80"},
                    {"figure": "test_rank.overdue", "weight": "50", "method": "target", "target": "2"},
                ],
            ),
        )
        run = services.ranking_score(actor=self.alice, scorecard=card, period="2025-11")
        # rate ≥80 full, else 50×v/80; overdue ≤2 full, else 50×2/v
        self.assertEqual(
            table(run),
            {
                A1: (1, D("100.00"), "A"),
                T4: (1, D("100.00"), "A"),  # tied with A1: the same rank and tier
                T3: (3, D("71.88"), "B"),  # 46.88 + 25
                A2: (4, D("47.50"), "C"),  # 37.5 + 10
                T5: (5, D("20.00"), "D"),  # no rate: 0 + 20
            },
        )

    def test_change_since_the_previous_period_and_history(self):
        october = services.ranking_score(actor=self.alice, scorecard=self.card, period="2025-10")
        # October: A2 100, T3 54, T5 52, A1 0, T4 0 (A1 and T4 tied fourth)
        self.assertEqual({k: v[0] for k, v in table(october).items()}, {A2: 1, T3: 2, T5: 3, A1: 4, T4: 4})
        november = services.ranking_score(actor=self.alice, scorecard=self.card, period="2025-11")
        changes = {e.region_id: (e.previous_rank, e.rank_change, e.score_change) for e in november.entries.all()}
        self.assertEqual(
            changes,
            {
                A1: (4, 3, D("100.00")),
                T4: (4, 2, D("92.00")),
                T3: (2, -1, D("0.00")),
                T5: (3, -1, D("-32.00")),
                A2: (1, -4, D("-100.00")),
            },
        )
        self.assertTrue(all(e.previous_rank is None for e in october.entries.all()))
        region, rows = subject_history(user=self.alice, scorecard=self.card, code=A1)
        self.assertEqual(region.name, "凤凰镇")
        self.assertEqual(
            [(run.period_text, entry.rank, entry.score) for run, entry in rows],
            [
                ("2025-10", 4, D("0.00")),
                ("2025-11", 1, D("100.00")),
            ],
        )

    def test_rescoring_writes_a_new_version_and_keeps_the_old(self):
        first = services.ranking_score(actor=self.alice, scorecard=self.card, period="2025-11")
        services.scorecard_save(
            actor=self.alice,
            scorecard=self.card,
            data=card_data(items=[{"figure": "test_rank.overdue", "weight": "100"}]),
        )
        second = services.ranking_score(actor=self.alice, scorecard=self.card, period="2025-11")
        first.refresh_from_db()
        self.assertEqual((first.version, first.current, second.version, second.current), (1, False, 2, True))
        self.assertEqual(first.entries.get(region_id=A1).score, D("100.00"))  # the old entries stay as they were
        self.assertEqual(len(first.items), 2)
        self.assertEqual(second.entries.get(region_id=T3).score, D("60.00"))  # overdue alone: 100×6/10
        self.assertEqual(RankingEntry.objects.count(), 10)
        _, rows = subject_history(user=self.alice, scorecard=self.card, code=T3)
        self.assertEqual([run.pk for run, _ in rows], [second.pk])  # history reads the current version
        event = AuditEvent.objects.filter(action="ranking.score").latest("seq")
        self.assertEqual(event.data["superseded"], [first.pk])

    def test_bad_periods(self):
        for period, fragment in (
            ("2025Q4", "本评分表按月评分"),
            ("2025-13", "无法识别统计期"),
            ("", "请填写统计期"),
            ("2099-01", "尚未开始"),
        ):
            with self.subTest(period=period), self.assertRaisesMessage(ApplicationError, fragment):
                services.ranking_score(actor=self.alice, scorecard=self.card, period=period)
        self.assertFalse(RankingRun.objects.exists())

    def test_scope_and_rights_of_scoring(self):
        with self.assertRaises(ScopeError):
            services.ranking_score(actor=self.charlie, scorecard=self.card, period="2025-11")
        with self.assertRaises(ScopeError):
            services.ranking_score(actor=self.fiona, scorecard=self.card, period="2025-11")
        with self.assertRaises(ApplicationError) as caught:
            services.ranking_score(actor=self.dave, scorecard=self.card, period="2025-11")
        self.assertEqual(caught.exception.code, "forbidden")
        run = services.ranking_score(actor=self.bob, scorecard=self.card, period="2025-11")  # the city above
        self.assertEqual(run.entries.count(), 5)

    def test_a_town_committee_ranks_its_villages(self):
        card = services.scorecard_save(actor=self.fiona, data=card_data(name="村社区评分", region=self.town_a1.code))
        run = services.ranking_score(actor=self.fiona, scorecard=card, period="2025-11")
        self.assertEqual({e.name for e in run.entries.all()}, {"凤凰村", "双碑村"})
        # no data for villages in the test figures: everybody gets zero, shares first place, and is marked
        self.assertEqual({(e.rank, e.score, len(e.missing)) for e in run.entries.all()}, {(1, D("0.00"), 2)})
        self.assertEqual(list(Scorecard.objects.for_user(self.fiona)), [card])
        self.assertEqual(set(Scorecard.objects.for_user(self.alice)), {card, self.card})

    def test_red_list_and_links(self):
        run = services.ranking_score(actor=self.alice, scorecard=self.card, period="2025-11")
        red, lowest = red_list(run)
        self.assertTrue(lowest)
        self.assertEqual([e.name for e in red], ["歌乐山镇", "中梁镇", "青木关镇"])
        lines = run_table(run)
        first = lines[0].cells[0]
        self.assertIn(f"region={A1}", first.url)
        self.assertIn("found_from=2025-11-01", first.url)
        self.assertTrue(lines[3].cells[0].missing)

    def test_a_figure_no_longer_registered_stops_scoring_with_a_message(self):
        ScorecardItem.objects.filter(scorecard=self.card, figure="test_rank.rate").update(figure="gone.figure")
        with self.assertRaisesMessage(ApplicationError, "已不再登记"):
            services.ranking_score(actor=self.alice, scorecard=self.card, period="2025-11")


class JobTests(RankingTestCase):
    def setUp(self):
        self.card = services.scorecard_save(actor=self.alice, data=card_data())

    def test_scores_the_just_ended_period_once(self):
        self.assertIn("score_due", registry["jobs"]["rankings.score_due"].run.__name__)
        result = services.score_due(today=date(2025, 12, 3))
        self.assertEqual(result, "自动评分 1 期")
        run = RankingRun.objects.get()
        self.assertEqual(
            (run.period_text, run.automatic, run.scored_by, run.reader_name), ("2025-11", True, None, "alice")
        )
        self.assertEqual(table(run)[A1], (1, D("100.00"), "A"))
        self.assertEqual(services.score_due(today=date(2025, 12, 20)), "自动评分 0 期")
        self.assertEqual(RankingRun.objects.count(), 1)

    def test_a_period_scored_by_hand_is_left_alone_and_inactive_cards_are_skipped(self):
        services.ranking_score(actor=self.alice, scorecard=self.card, period="2025-11")
        self.assertEqual(services.score_due(today=date(2025, 12, 3)), "自动评分 0 期")
        Scorecard.objects.filter(pk=self.card.pk).update(active=False)
        self.assertEqual(services.score_due(today=date(2026, 1, 5)), "自动评分 0 期")
        self.assertEqual(RankingRun.objects.count(), 1)

    def test_counts_as_another_committee_admin_when_the_editor_left(self):
        self.alice.is_active = False
        self.alice.save()
        self.card.refresh_from_db()
        self.assertEqual(services.scoring_reader(self.card), self.bob)  # the city's 安委办, nearest above
        services.score_due(today=date(2025, 12, 3))
        self.assertEqual(RankingRun.objects.get().reader_name, "bob")
        self.bob.is_active = False
        self.bob.save()
        result = services.score_due(today=date(2026, 1, 3))
        self.assertIn("未能评分：镇街月度评分", result)
