"""Year-on-year figures against a hand-counted fixture: accidents and deaths (死亡含失踪) by grade, industry and
type, the same period last year up to the same day, change percentages, the targets broken and not, the
region filter, and scope."""

from datetime import date, datetime
from urllib.parse import unquote

from django.utils import timezone

from zhiben.accidents import selectors
from zhiben.accidents.models import Accident, Target
from zhiben.audit.models import AuditEvent
from zhiben.core.registry import entry
from zhiben.regions.models import Industry
from zhiben.testing import CastTestCase, sheet_rows

ACCOUNT = "事故简要经过：现场作业人员违章操作导致事故。"


class FiguresTestCase(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        industry = {i.code: i for i in Industry.objects.filter(code__in=["hazchem", "construction", "machinery"])}
        cls.hazchem, cls.construction, cls.machinery = (industry[c] for c in ("hazchem", "construction", "machinery"))
        rows = [
            # 2025 up to 30 June, county A: 5 accidents, 7 dead (missing included)
            ((2025, 1, 5, 9, 0), cls.village_a1, cls.hazchem, "explosion", "larger", 3, 0, cls.enterprise_a),
            ((2025, 2, 10, 14, 0), cls.village_a2, cls.construction, "fall", "general", 1, 0, None),
            ((2025, 3, 15, 8, 0), cls.village_a1, cls.hazchem, "poisoning", "general", 0, 1, None),
            ((2025, 5, 20, 16, 0), cls.town_a2, cls.machinery, "machinery", "general", 0, 0, None),
            ((2025, 6, 30, 23, 30), cls.village_a1, cls.construction, "fall", "general", 2, 0, None),
            # 2025 after the period
            ((2025, 7, 1, 0, 10), cls.village_a1, cls.hazchem, "fire", "general", 1, 0, None),
            # 2025 in county B
            ((2025, 3, 1, 10, 0), cls.village_b1, cls.hazchem, "explosion", "general", 1, 0, None),
            # 2024 up to 30 June, county A: 3 accidents, 5 dead
            ((2024, 1, 20, 11, 0), cls.village_a1, cls.hazchem, "explosion", "general", 1, 0, None),
            ((2024, 4, 2, 9, 0), cls.village_a2, cls.construction, "fall", "larger", 2, 1, None),
            ((2024, 6, 30, 10, 0), cls.town_a2, cls.machinery, "machinery", "general", 1, 0, None),
            # 2024 after the same day
            ((2024, 7, 1, 8, 0), cls.village_a1, cls.hazchem, "fire", "larger", 5, 0, None),
            ((2024, 11, 11, 8, 0), cls.village_a2, cls.construction, "collapse", "general", 1, 0, None),
            # 2023, the year before last
            ((2023, 6, 1, 8, 0), cls.village_a1, cls.hazchem, "fire", "general", 1, 0, None),
        ]
        for n, (when, region, industry, kind, grade, deaths, missing, enterprise) in enumerate(rows, start=1):
            Accident.objects.create(
                number=f"SG-F{n:03d}",
                occurred_at=timezone.make_aware(datetime(*when)),
                learned_at=timezone.make_aware(datetime(*when)),
                region=region,
                industry=industry,
                enterprise=enterprise,
                place_name="" if enterprise else "某工地",
                type=kind,
                grade=grade,
                deaths=deaths,
                missing=missing,
                serious_injuries=1,
                account=ACCOUNT,
            )

    def figures(self, user=None, **kwargs):
        kwargs.setdefault("year", 2025)
        kwargs.setdefault("until", date(2025, 6, 30))
        return selectors.figures(user=user or self.alice, **kwargs)


class YearOnYearTests(FiguresTestCase):
    def test_totals_and_the_same_period_last_year(self):
        f = self.figures()
        self.assertEqual((f["current"]["accidents"], f["current"]["deaths"]), (5, 7))
        self.assertEqual((f["previous"]["accidents"], f["previous"]["deaths"]), (3, 5))
        self.assertEqual(f["current"]["injuries"], 5)
        self.assertEqual(f["change"], {"accidents": 66.7, "deaths": 40.0})
        self.assertEqual(f["larger"], 1)

    def test_by_grade_industry_and_type(self):
        f = self.figures()
        rows = lambda key: {r["label"]: (r["now"], r["last"]) for r in f[key]}  # noqa: E731
        self.assertEqual(rows("by_grade"), {"较大事故": ((1, 3), (1, 3)), "一般事故": ((4, 4), (2, 2))})
        self.assertEqual([r["key"] for r in f["by_grade"]], ["larger", "general"])
        self.assertEqual(
            rows("by_industry"),
            {"危险化学品": ((2, 4), (1, 1)), "建筑施工": ((2, 3), (1, 3)), "机械": ((1, 0), (1, 1))},
        )
        self.assertEqual(
            rows("by_type"),
            {
                "其他爆炸": ((1, 3), (1, 1)),
                "高处坠落": ((2, 3), (1, 3)),
                "中毒和窒息": ((1, 1), (0, 0)),
                "机械伤害": ((1, 0), (1, 1)),
            },
        )

    def test_a_later_day_takes_in_more_of_both_years(self):
        f = self.figures(until=date(2025, 7, 1))
        self.assertEqual((f["current"]["accidents"], f["current"]["deaths"]), (6, 8))
        self.assertEqual((f["previous"]["accidents"], f["previous"]["deaths"]), (4, 10))
        self.assertEqual(f["change"], {"accidents": 50.0, "deaths": -20.0})
        f = self.figures(until=date(2025, 12, 31))
        self.assertEqual((f["previous"]["accidents"], f["previous"]["deaths"]), (5, 11))

    def test_a_whole_past_year_by_default(self):
        f = self.figures(until=None, year=2024)
        self.assertEqual(f["until"], date(2024, 12, 31))
        self.assertEqual((f["current"]["accidents"], f["previous"]["accidents"]), (5, 1))

    def test_no_accidents_last_year_is_no_percentage(self):
        f = self.figures(year=2023, until=date(2023, 12, 31))
        self.assertEqual((f["current"]["accidents"], f["previous"]["accidents"]), (1, 0))
        self.assertEqual(f["change"], {"accidents": None, "deaths": None})

    def test_29_february_compares_with_28_february(self):
        for when in ((2023, 2, 28, 23, 0), (2023, 3, 1, 0, 30), (2024, 2, 29, 12, 0)):
            Accident.objects.create(
                number=f"SG-L{when[1]}{when[2]}",
                occurred_at=timezone.make_aware(datetime(*when)),
                learned_at=timezone.make_aware(datetime(*when)),
                region=self.village_a1,
                industry=self.hazchem,
                place_name="某仓库",
                type="fire",
                grade="general",
                account=ACCOUNT,
            )
        f = self.figures(year=2024, until=date(2024, 2, 29))
        self.assertEqual((f["current"]["accidents"], f["previous"]["accidents"]), (2, 1))

    def test_the_registered_figures(self):
        count = entry("figures", "accidents.count").compute
        deaths = entry("figures", "accidents.deaths").compute
        self.assertEqual(count(self.alice, {"year": 2024}), 5)
        self.assertEqual(count(self.alice, {"year": "2024"}), 5)
        self.assertEqual(deaths(self.alice, {"year": 2024, "region": self.town_a2.code}), 1)


class TargetTests(FiguresTestCase):
    def test_targets_broken(self):
        Target.objects.create(region=self.county_a, year=2025, max_larger=0, max_deaths=6, max_accidents=4)
        f = self.figures()
        self.assertEqual(
            f["broken"],
            [
                "较大及以上事故 1 起，超过目标（0 起）",
                "事故 5 起，超过全年控制目标（4 起）",
                "死亡 7 人，超过全年控制目标（6 人）",
            ],
        )

    def test_targets_not_broken_at_their_limit(self):
        target = Target.objects.create(region=self.county_a, year=2025, max_larger=1, max_deaths=7, max_accidents=5)
        f = self.figures()
        self.assertEqual((f["target"], f["broken"]), (target, []))

    def test_a_target_of_another_year_or_none_breaks_nothing(self):
        Target.objects.create(region=self.county_a, year=2024, max_larger=0, max_deaths=0)
        f = self.figures()
        self.assertEqual((f["target"], f["broken"]), (None, []))

    def test_the_nearest_jurisdictions_target_applies(self):
        Target.objects.create(region=self.city, year=2025, max_larger=5, max_deaths=100)
        county = Target.objects.create(region=self.county_a, year=2025, max_larger=0)
        f = self.figures()
        self.assertEqual(f["target"], county)
        self.assertEqual(f["broken"], ["较大及以上事故 1 起，超过目标（0 起）"])
        # the city's own figures (A and B) against the city's target
        f = self.figures(user=self.bob)
        self.assertEqual((f["current"]["accidents"], f["target"].region, f["broken"]), (6, self.city, []))


class RegionAndScopeTests(FiguresTestCase):
    def test_the_region_filter(self):
        f = self.figures(region_code=self.town_a2.code)
        self.assertEqual((f["current"]["accidents"], f["current"]["deaths"]), (1, 0))
        self.assertEqual((f["previous"]["accidents"], f["previous"]["deaths"]), (1, 1))
        self.assertEqual(f["change"], {"accidents": 0.0, "deaths": -100.0})
        f = self.figures(region_code=self.village_a1.code)
        self.assertEqual((f["current"]["accidents"], f["current"]["deaths"]), (3, 6))

    def test_another_county_is_never_counted(self):
        f = self.figures(region_code=self.county_b.code)
        self.assertEqual((f["current"]["accidents"], f["previous"]["accidents"]), (0, 0))

    def test_each_user_counts_what_they_may_see(self):
        expected = {
            "alice": (5, 7),
            "dave": (5, 7),
            "bob": (6, 8),
            "charlie": (1, 1),
            "erin": (2, 4),  # town A1, hazchem and machinery only
            "emma": (1, 3),  # her own enterprise
        }
        for name, figures in expected.items():
            with self.subTest(user=name):
                f = self.figures(user=getattr(self, name))
                self.assertEqual((f["current"]["accidents"], f["current"]["deaths"]), figures)


class RegisteredFigureTests(FiguresTestCase):
    """The figures analytics reads (selectors.accident_figures through the registered Figures)."""

    KEYS = ("accidents.count", "accidents.deaths", "accidents.larger")

    def values(self, user, by=None, **filters):
        return selectors.accident_figures(user=user, filters=filters, by=by)

    def triple(self, row):
        return tuple(row[k] for k in self.KEYS)

    def test_the_year_and_narrower_periods_against_hand_counts(self):
        self.assertEqual(self.triple(self.values(self.alice, year="2025")[""]), (6, 8, 1))
        self.assertEqual(self.triple(self.values(self.alice, start="2025-01-01", end="2025-06-30")[""]), (5, 7, 1))
        self.assertEqual(self.triple(self.values(self.alice, start="2025-02-01", end="2025-03-31")[""]), (2, 2, 0))
        # the first and last day of the period are inside it (local time: 23:30 on 30 June)
        self.assertEqual(self.triple(self.values(self.alice, start="2025-06-30", end="2025-06-30")[""]), (1, 2, 0))
        for key in self.KEYS:
            figure = entry("figures", key)
            self.assertEqual((figure.group, figure.better, figure.source), ("事故", "lower", "accidents"))
        self.assertEqual([entry("figures", k).unit for k in self.KEYS], ["起", "人", "起"])

    def test_children_and_industries_side_by_side(self):
        by_village = self.values(self.alice, by="region", region=self.town_a1.code, year="2025")
        self.assertEqual(
            by_village[""], self.values(self.alice, region=self.town_a1.code, year="2025")[""]
        )  # the whole, same rows
        self.assertEqual(
            {code: self.triple(row) for code, row in by_village.items() if code},
            {self.village_a1.code: (4, 7, 1), self.village_a2.code: (1, 1, 0)},
        )
        by_town = self.values(self.alice, by="region", region=self.county_a.code, year="2025")
        self.assertEqual(
            by_town[""], self.values(self.alice, region=self.county_a.code, year="2025")[""]
        )  # the whole, same rows
        self.assertEqual(
            {code: self.triple(row) for code, row in by_town.items() if code},
            {self.town_a1.code: (5, 8, 1), self.town_a2.code: (1, 0, 0)},
        )
        by_industry = self.values(self.alice, by="industry", year="2025")
        self.assertEqual(self.triple(by_industry["hazchem"]), (3, 5, 1))
        self.assertEqual(self.triple(by_industry["construction"]), (2, 3, 0))
        self.assertEqual(self.triple(by_industry["mining"]), (0, 0, 0))
        self.assertEqual(self.triple(self.values(self.alice, industry="machinery", year="2025")[""]), (1, 0, 0))

    def test_breakdown_equals_the_figure_child_by_child(self):
        for key in self.KEYS:
            figure = entry("figures", key)
            for parent in (self.city, self.county_a, self.town_a1):
                filters = {"region": parent.code, "year": "2025", "start": "2025-01-01", "end": "2025-06-30"}
                parts = figure.breakdown(self.bob, filters, "region")
                self.assertTrue(parts)
                for code, value in parts.items():
                    self.assertEqual(
                        value, figure.compute(self.bob, {**filters, "region": code or parent.code}), (key, code)
                    )
            for code, value in figure.breakdown(self.alice, {"year": "2025"}, "industry").items():
                self.assertEqual(value, figure.compute(self.alice, {"year": "2025", "industry": code}), (key, code))

    def test_scope(self):
        self.assertEqual(self.triple(self.values(self.charlie, region=self.county_a.code, year="2025")[""]), (0, 0, 0))
        self.assertEqual(self.triple(self.values(self.charlie, year="2025")[""]), (1, 1, 0))
        self.assertEqual(self.triple(self.values(self.erin, year="2025")[""]), (3, 5, 1))
        self.assertEqual(self.triple(self.values(self.bob, year="2025")[""]), (7, 9, 1))
        # a system reader (a plan indicator's live value) counts the region asked for
        self.assertEqual(
            entry("figures", "accidents.count").compute(None, {"region": self.county_a.code, "year": "2025"}), 6
        )

    def test_each_figure_links_to_the_accidents_behind_it(self):
        from urllib.parse import parse_qs, urlsplit

        from django.urls import resolve

        client = self.login(self.alice)
        numbers = {a.pk: a.number for a in Accident.objects.all()}
        for filters in (
            {"region": self.county_a.code, "year": "2025"},
            {
                "region": self.town_a1.code,
                "industry": "hazchem",
                "year": "2025",
                "start": "2025-01-01",
                "end": "2025-06-30",
            },
        ):
            for key in self.KEYS:
                figure = entry("figures", key)
                url = figure.url(filters)
                self.assertEqual(resolve(urlsplit(url).path).url_name, "list")
                query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
                listed = list(selectors.accident_list(user=self.alice, filters=query))
                if key == "accidents.deaths":
                    self.assertEqual(sum(a.deaths + a.missing for a in listed), figure.compute(self.alice, filters))
                else:
                    self.assertEqual(len(listed), figure.compute(self.alice, filters), (key, filters))
                page = client.get(url).content.decode()
                shown = {pk for pk, number in numbers.items() if number in page}
                self.assertEqual(shown, {a.pk for a in listed}, (key, filters))


class FiguresExportTests(FiguresTestCase):
    """The page as Excel: the same figures, the target and what broke it, the tables, in the user's scope."""

    def rows(self, user, **params):
        response = self.login(user).get(
            "/accidents/figures/", {"year": 2025, "until": "2025-06-30", "export": 1, **params}
        )
        self.assertEqual(response.status_code, 200)
        return response, sheet_rows(response)

    def test_the_sheet_holds_the_pages_figures(self):
        Target.objects.create(region=self.county_a, year=2025, max_larger=0, max_deaths=6, note="遏较大")
        response, rows = self.rows(self.alice)
        self.assertIn("事故统计_沙坪坝区_2025年1月1日至6月30日.xlsx", unquote(response["Content-Disposition"]))
        self.assertEqual(rows[0][0], "事故统计")
        self.assertEqual(rows[1][0], "沙坪坝区，2025年1月1日至6月30日")
        cells = [tuple(v for v in row if v is not None) for row in rows]
        self.assertIn(("事故起数", 5, 3, "+66.7%"), cells)
        self.assertIn(("死亡（含失踪）人数", 7, 5, "+40.0%"), cells)
        self.assertIn(("较大及以上事故起数", 1), cells)
        self.assertIn(("已突破", "死亡 7 人，超过全年控制目标（6 人）"), cells)
        self.assertIn(("说明", "遏较大"), cells)
        at = cells.index(("按行业",))
        self.assertEqual(cells[at + 1], ("行业", "起数", "上年同期", "死亡（含失踪）", "上年同期"))
        self.assertEqual(
            cells[at + 2 : at + 5], [("危险化学品", 2, 1, 4, 1), ("机械", 1, 1, 0, 1), ("建筑施工", 2, 1, 3, 3)]
        )
        self.assertEqual(AuditEvent.objects.filter(action="accidents.figures_export", actor=self.alice).count(), 1)

    def test_each_user_exports_what_they_may_see(self):
        _, rows = self.rows(self.erin)
        cells = [tuple(v for v in row if v is not None) for row in rows]
        self.assertIn(("事故起数", 2, 1, "+100.0%"), cells)
        _, rows = self.rows(self.charlie, region=self.town_a2.code)  # another county's town: the page's own figures
        cells = [tuple(v for v in row if v is not None) for row in rows]
        self.assertIn(("事故起数", 1, 0), cells)
        self.assertIn(("本辖区未设本年度控制目标",), cells)
        _, rows = self.rows(self.alice, region=self.town_a2.code)
        self.assertEqual(rows[1][0], "青木关镇，2025年1月1日至6月30日")
        self.assertIn(("机械", 1, 1, 0, 1), [tuple(v for v in row if v is not None) for row in rows])

    def test_the_page_links_to_its_export(self):
        response = self.login(self.alice).get("/accidents/figures/", {"year": 2025, "region": self.town_a2.code})
        self.assertContains(response, f"?year=2025&amp;region={self.town_a2.code}&amp;export=1")
