"""The ranking pages: scorecards list/detail/edit (items as rows), scoring from the page, the ranking with
its links and arrows, the Excel export, a subject's history; scope (another county and a town committee
get 404) and roles (leaders read, only the 安委办 edits, enterprises see nothing)."""

import io

from openpyxl import load_workbook

from zhiben.audit.models import AuditEvent
from zhiben.rankings import services
from zhiben.rankings.models import RankingRun, Scorecard

from .helpers import A1, T5, RankingTestCase, card_data


def form_post(**extra):
    data = {
        "name": "镇街月度评分",
        "region": "500106000000",
        "period_kind": "month",
        "tier_mode": "thresholds",
        "active": "on",
        "item-1-figure": "test_rank.rate",
        "item-1-weight": "60",
        "item-1-direction": "",
        "item-1-method": "relative",
        "item-1-target": "",
        "item-2-figure": "test_rank.overdue",
        "item-2-weight": "40",
        "item-2-direction": "",
        "item-2-method": "relative",
        "item-2-target": "",
        "item-3-figure": "",
        "item-3-weight": "",
        "item-3-direction": "",
        "item-3-method": "relative",
        "item-3-target": "",
    }
    for n, (name, value) in enumerate([("A", "90"), ("B", "75"), ("C", "60"), ("D", ""), ("", "")], start=1):
        data[f"tier-{n}-name"], data[f"tier-{n}-value"] = name, value
    data.update(extra)
    return data


class ScorecardPageTests(RankingTestCase):
    def test_new_scorecard_from_the_form_rows(self):
        client = self.login(self.alice)
        page = client.get("/rankings/new/")
        self.assertContains(page, 'name="item-1-figure"')
        self.assertContains(page, "测试整改率")
        self.assertContains(page, 'value="A"')  # default tiers
        response = client.post("/rankings/new/", form_post())
        card = Scorecard.objects.get()
        self.assertRedirects(response, f"/rankings/{card.pk}/")
        self.assertEqual([i.figure for i in card.items.all()], ["test_rank.rate", "test_rank.overdue"])
        detail = client.get(f"/rankings/{card.pk}/")
        self.assertContains(detail, "测试整改率")
        self.assertContains(detail, "凤凰镇")  # the subjects' history links

    def test_weights_not_adding_up_are_named_and_nothing_is_saved(self):
        response = self.login(self.alice).post("/rankings/new/", form_post(**{"item-2-weight": "30"}))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "各项权重之和为 90，应为 100。")
        self.assertContains(response, 'value="30"')  # the rows come back as typed
        self.assertFalse(Scorecard.objects.exists())
        response = self.client.post("/rankings/new/", form_post(**{"item-1-figure": "no.such", "tier-2-value": "95"}))
        self.assertContains(response, "第 1 项：没有登记名为“no.such”的统计指标。")
        self.assertContains(response, "应低于上一档")

    def test_edit_keeps_the_region_and_changes_items(self):
        card = services.scorecard_save(actor=self.alice, data=card_data())
        client = self.login(self.alice)
        self.assertContains(client.get(f"/rankings/{card.pk}/edit/"), 'value="60"')
        response = client.post(
            f"/rankings/{card.pk}/edit/",
            form_post(region=self.county_b.code, **{"item-1-weight": "50", "item-2-weight": "50"}),
        )
        self.assertRedirects(response, f"/rankings/{card.pk}/")
        card.refresh_from_db()
        self.assertEqual(card.region_id, self.county_a.code)
        self.assertEqual([int(i.weight) for i in card.items.all()], [50, 50])

    def test_roles_and_scope(self):
        card = services.scorecard_save(actor=self.alice, data=card_data())
        run = services.ranking_score(actor=self.alice, scorecard=card, period="2025-11")
        pages = [
            f"/rankings/{card.pk}/",
            f"/rankings/{card.pk}/edit/",
            f"/rankings/runs/{run.pk}/",
            f"/rankings/runs/{run.pk}/export/",
            f"/rankings/{card.pk}/history/{A1}/",
        ]
        for user in (self.charlie, self.fiona):  # another county; a town committee under it
            client = self.login(user)
            for path in pages:
                with self.subTest(user=user.username, path=path):
                    self.assertEqual(client.get(path).status_code, 404)
            self.assertEqual(client.post(f"/rankings/{card.pk}/score/", {"period": "2025-11"}).status_code, 404)
            self.assertNotContains(client.get("/rankings/"), "镇街月度评分")
        for user in (self.dave, self.bob):  # the leader reads; the city reads and manages
            client = self.login(user)
            for path in pages[:1] + pages[2:]:
                with self.subTest(user=user.username, path=path):
                    self.assertEqual(client.get(path).status_code, 200)
        self.login(self.dave)
        self.assertEqual(self.client.get(pages[1]).status_code, 403)
        self.assertEqual(self.client.post(f"/rankings/{card.pk}/score/", {"period": "2025-10"}).status_code, 403)
        self.assertNotContains(self.client.get(pages[2]), "生成晾晒通报")
        self.assertEqual(self.login(self.emma).get("/rankings/").status_code, 403)
        self.assertEqual(self.login(self.dave).get("/rankings/new/").status_code, 403)
        self.assertEqual(
            self.login(self.alice).get(f"/rankings/{card.pk}/history/{self.county_b.code}/").status_code, 404
        )


class RankingPageTests(RankingTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.card = services.scorecard_save(actor=cls.alice, data=card_data())
        services.ranking_score(actor=cls.alice, scorecard=cls.card, period="2025-10")

    def test_score_from_the_page_and_read_the_ranking(self):
        client = self.login(self.alice)
        detail = client.get(f"/rankings/{self.card.pk}/")
        self.assertContains(detail, 'name="period"')
        response = client.post(f"/rankings/{self.card.pk}/score/", {"period": "2025-11"})
        run = RankingRun.objects.get(period_text="2025-11")
        self.assertRedirects(response, f"/rankings/runs/{run.pk}/")
        page = client.get(f"/rankings/runs/{run.pk}/")
        self.assertContains(page, 'class="table responsive"')
        self.assertContains(page, 'data-label="名次"')
        self.assertContains(page, 'data-label="测试整改率"')
        self.assertContains(page, "↑3")  # 凤凰镇 from fourth to first
        self.assertContains(page, "↓4")  # 青木关镇 from first to fifth
        self.assertContains(page, f"/hazards/?test=test_rank.rate&amp;region={A1}&amp;found_from=2025-11-01")
        self.assertContains(page, "（1 项无数据）")  # 中梁镇 has no rate
        self.assertContains(page, f"/rankings/{self.card.pk}/history/{T5}/")
        self.assertContains(page, "生成晾晒通报")
        lines = page.context["lines"]
        self.assertEqual([(line.entry.rank, line.entry.name) for line in lines][:2], [(1, "凤凰镇"), (2, "井口镇")])

    def test_bad_period_on_the_page_is_a_message(self):
        response = self.login(self.alice).post(f"/rankings/{self.card.pk}/score/", {"period": "2025Q3"}, follow=True)
        self.assertContains(response, "本评分表按月评分")
        self.assertEqual(RankingRun.objects.count(), 1)

    def test_excel_export(self):
        run = RankingRun.objects.get()
        response = self.login(self.dave).get(f"/rankings/runs/{run.pk}/export/")
        self.assertEqual(response.status_code, 200)
        sheet = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
        self.assertEqual(sheet[0][:5], ("名次", "区划代码", "镇街", "测试整改率（%）", "测试整改率得分（满分60）"))
        first = sheet[1]
        self.assertEqual((first[0], first[1], first[2]), (1, "500106104000", "青木关镇"))
        self.assertIn(100, first)
        self.assertTrue(AuditEvent.objects.filter(action="ranking.export", actor=self.dave).exists())

    def test_history_page(self):
        response = self.login(self.dave).get(f"/rankings/{self.card.pk}/history/{A1}/")
        self.assertContains(response, "凤凰镇")
        self.assertContains(response, "2025年10月")
        self.assertContains(response, 'data-label="名次"')

    def test_list_shows_the_latest_period(self):
        response = self.login(self.dave).get("/rankings/")
        self.assertContains(response, "镇街月度评分")
        self.assertContains(response, "2025年10月")
        self.assertNotContains(response, "新建评分表")
        self.assertContains(self.login(self.alice).get("/rankings/"), "新建评分表")
