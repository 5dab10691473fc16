"""The risk figures analytics reads (selectors.risk_figures through the registered Figures) against a
hand-counted set: points in use by level and overdue reviews, child regions and industries side by side
(equal to the figure child by child), scope, the system reader, and the point list behind each figure."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from django.urls import resolve

from zhiben.audit.models import AuditEvent
from zhiben.core.registry import registry
from zhiben.risk.choices import LEVELS_HIGH_FIRST, level_label
from zhiben.risk.models import RiskPoint
from zhiben.risk.selectors import enterprises_by_level, point_list, risk_figures
from zhiben.testing import sheet_rows

from .helpers import RiskTestCase

KEYS = ("risk.major_points", "risk.larger_points", "risk.review_overdue")


class RiskFigureTests(RiskTestCase):
    def setUp(self):
        past, later = self.today - timedelta(days=3), self.today + timedelta(days=30)
        self.p = {}
        for name, actor, enterprise, level, review in [
            ("甲罐区", self.alice, self.enterprise_a, "major", past),  # village A1, hazchem
            ("乙罐区", self.alice, self.enterprise_a, "larger", later),
            ("丙罐区", self.alice, self.enterprise_a, "larger", past),
            ("塔吊", self.alice, self.enterprise_a_construction, "major", later),  # village A2, construction
            ("配电房", self.alice, self.enterprise_a, "general", past),
            ("撤销点", self.alice, self.enterprise_a, "major", past),  # withdrawn: never counted
            ("西彭罐区", self.charlie, self.enterprise_b, "major", past),  # the other county
        ]:
            point = self.point(actor=actor, enterprise=enterprise, name=name)
            RiskPoint.objects.filter(pk=point.pk).update(level=level, next_review=review, active=name != "撤销点")
            self.p[name] = point

    def values(self, user, by=None, **filters):
        return risk_figures(user=user, filters=filters, by=by, today=self.today)

    def triple(self, row):
        return tuple(row[k] for k in KEYS)

    def test_against_hand_counts(self):
        # major: 甲罐区 塔吊; larger: 乙 丙; overdue review: 甲 丙 配电房
        self.assertEqual(self.triple(self.values(self.alice, year="2026")[""]), (2, 2, 3))
        figure = registry["figures"]["risk.major_points"]
        self.assertEqual(figure.compute(self.alice, {"year": "2026"}), 2)
        self.assertEqual((figure.group, figure.unit, figure.better, figure.source), ("风险管控", "处", "lower", "risk"))

    def test_a_period_does_not_narrow_a_standing_list(self):
        narrow = self.values(self.alice, year="2025", start="2025-03-01", end="2025-03-31")[""]
        self.assertEqual(self.triple(narrow), (2, 2, 3))

    def test_children_and_industries_side_by_side(self):
        by_village = self.values(self.alice, by="region", region=self.town_a1.code)
        self.assertEqual(by_village[""], self.values(self.alice, region=self.town_a1.code)[""])  # the whole, same rows
        self.assertEqual(
            {code: self.triple(row) for code, row in by_village.items() if code},
            {self.village_a1.code: (1, 2, 3), self.village_a2.code: (1, 0, 0)},
        )
        by_town = self.values(self.alice, by="region", region=self.county_a.code)
        self.assertEqual(by_town[""], self.values(self.alice, region=self.county_a.code)[""])  # the whole, same rows
        self.assertEqual(self.triple(by_town[self.town_a1.code]), (2, 2, 3))
        self.assertEqual(self.triple(by_town[self.town_a2.code]), (0, 0, 0))
        by_industry = self.values(self.alice, by="industry")
        self.assertEqual(self.triple(by_industry["construction"]), (1, 0, 0))
        self.assertEqual(self.triple(by_industry["hazchem"]), (1, 2, 3))
        self.assertEqual(self.triple(self.values(self.alice, industry="construction")[""]), (1, 0, 0))

    def test_breakdown_equals_the_figure_child_by_child(self):
        for key in KEYS:
            figure = registry["figures"][key]
            for parent in (self.city, self.county_a, self.town_a1):
                filters = {"region": parent.code, "year": "2026"}
                parts = figure.breakdown(self.bob, filters, "region")
                self.assertTrue(parts)
                for code, value in parts.items():
                    self.assertEqual(
                        value, figure.compute(self.bob, {**filters, "region": code or parent.code}), (key, code)
                    )
            for code, value in figure.breakdown(self.alice, {"year": "2026"}, "industry").items():
                self.assertEqual(value, figure.compute(self.alice, {"year": "2026", "industry": code}), (key, code))

    def test_scope(self):
        self.assertEqual(self.triple(self.values(self.charlie, region=self.county_a.code)[""]), (0, 0, 0))
        self.assertEqual(self.triple(self.values(self.charlie)[""]), (1, 0, 1))
        self.assertEqual(self.triple(self.values(self.erin)[""]), (1, 2, 3))  # hazchem and machinery only
        self.assertEqual(self.triple(self.values(self.emma)[""]), (1, 2, 3))  # her own enterprise
        self.assertEqual(self.triple(self.values(None, region=self.county_a.code)[""]), (2, 2, 3))
        self.assertEqual(registry["figures"]["risk.major_points"].compute(None, {"region": self.city.code}), 3)

    def test_each_figure_links_to_the_points_behind_it(self):
        client = self.login(self.alice)
        expected = {
            "risk.major_points": {"甲罐区", "塔吊"},
            "risk.larger_points": {"乙罐区", "丙罐区"},
            "risk.review_overdue": {"甲罐区", "丙罐区", "配电房"},
        }
        for filters in ({"region": self.county_a.code, "year": "2026"}, {"industry": "hazchem", "year": "2026"}):
            for key, names in expected.items():
                if filters.get("industry"):
                    names = names - {"塔吊"}
                figure = registry["figures"][key]
                url = figure.url(filters)
                self.assertEqual(resolve(urlsplit(url).path).url_name, "list")
                query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
                listed = set(point_list(user=self.alice, filters=query).values_list("name", flat=True))
                self.assertEqual(listed, names, key)
                self.assertEqual(len(listed), figure.compute(self.alice, filters))
                page = client.get(url).content.decode()
                for name in self.p:
                    (self.assertIn if name in names else self.assertNotIn)(f">{name}<", page)


class RiskFiguresExportTests(RiskFigureTests):
    """风险统计 as Excel: the page's two tables, in the user's scope, the export audited."""

    def rows(self, user, **params):
        response = self.login(user).get("/risk/figures/", {"export": 1, **params})
        self.assertEqual(response.status_code, 200)
        return [tuple(v for v in row if v is not None) for row in sheet_rows(response)]

    def test_the_sheet_holds_the_pages_tables(self):
        rows = self.rows(self.alice)
        self.assertEqual(rows[0], ("风险统计",))
        self.assertTrue(rows[1][0].startswith("沙坪坝区，截至"), rows[1])
        at = rows.index(("重大、较大风险点（按行业）",))
        self.assertEqual(
            rows[at + 1 : at + 5],
            [
                ("行业", "重大风险（红）", "较大风险（橙）", "涉及单位"),
                ("危险化学品", 1, 2, 1),
                ("建筑施工", 1, 0, 1),
                ("合计", 2, 2, 2),
            ],
        )
        at = rows.index(("单位按最高风险等级",))
        levels = enterprises_by_level(user=self.alice)
        self.assertEqual(
            rows[at + 2 : at + 7],
            [(level_label(lv), levels[lv]) for lv in LEVELS_HIGH_FIRST] + [("未登记风险点", levels["none"])],
        )
        self.assertEqual(sum(n for _, n in rows[at + 2 : at + 7]), 2)  # the cast's two enterprises in county A
        self.assertEqual(AuditEvent.objects.filter(action="risk.figures_export", actor=self.alice).count(), 1)

    def test_another_county_and_a_narrower_region(self):
        rows = self.rows(self.charlie)
        self.assertIn(("危险化学品", 1, 0, 1), rows)
        self.assertNotIn(("建筑施工", 1, 0, 1), rows)
        rows = self.rows(self.alice, region=self.village_a2.code)
        self.assertTrue(rows[1][0].startswith("双碑村"), rows[1])
        self.assertIn(("合计", 1, 0, 1), rows)
        page = self.login(self.alice).get("/risk/figures/", {"region": self.village_a2.code})
        self.assertContains(page, f"?region={self.village_a2.code}&amp;export=1")
