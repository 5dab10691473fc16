"""The enforcement figures analytics reads (selectors.enforcement_figures through the registered Figures)
against a hand-counted set: cases filed, fines decided (a revoked or undecided case fines nothing) and the
units flagged 零处罚, for the year and narrower periods; child regions and industries side by side (equal
to the figure child by child), scope, the system reader, and the lists behind each figure."""

import itertools
from datetime import date
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

from django.urls import resolve

from zhiben.core.models import Rule
from zhiben.core.registry import registry
from zhiben.core.rules import rules_cache_clear
from zhiben.enforcement.models import EnforcementCase
from zhiben.enforcement.selectors import case_list, enforcement_figures
from zhiben.inspections.models import Inspection
from zhiben.regions.models import Unit
from zhiben.testing import CastTestCase

KEYS = ("enforcement.cases", "enforcement.fines", "enforcement.zero_penalty_units")
SERIAL = itertools.count(1)


class EnforcementFigureTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.unit_a2 = Unit.objects.create(name="青木关镇应急办", kind="department", region=cls.town_a2)
        u1, u2, u3, ub = cls.unit_emergency_a1, cls.unit_a2, cls.unit_office_a, cls.unit_office_b

        def inspections(unit, day, n):
            enterprise = cls.enterprise_b if unit == ub else cls.enterprise_a
            for _ in range(n):
                Inspection.objects.create(
                    number=f"ZF-FIG-{next(SERIAL)}",
                    kind="enforcement",
                    status="completed",
                    enterprise=enterprise,
                    region=enterprise.region,
                    industry=enterprise.industry,
                    unit=unit,
                    date=day,
                )

        inspections(u1, date(2025, 3, 5), 2)
        inspections(u2, date(2025, 4, 8), 2)
        inspections(u3, date(2025, 6, 3), 3)
        inspections(ub, date(2025, 3, 9), 2)

        def case(unit, enterprise, filed, status, fine=None, measures=("fine",)):
            return EnforcementCase.objects.create(
                number=f"AJ-FIG-{next(SERIAL):03d}",
                enterprise=enterprise,
                region=enterprise.region,
                industry=enterprise.industry,
                unit=unit,
                violation="未按规定开展隐患排查",
                filed_date=filed,
                status=status,
                measures=list(measures) if status in ("decided", "executed", "closed") else [],
                fine=Decimal(fine) if fine else None,
            )

        a, c, b = cls.enterprise_a, cls.enterprise_a_construction, cls.enterprise_b
        cls.c = {
            1: case(u1, a, date(2025, 3, 12), "decided", "20000"),
            2: case(u1, c, date(2025, 5, 2), "closed", "5000.50"),
            3: case(u3, a, date(2025, 6, 10), "filed"),  # not decided: no penalty yet
            4: case(u1, a, date(2025, 7, 1), "revoked", "1000"),  # revoked: its fine does not count
            5: case(ub, b, date(2025, 3, 3), "decided", "8000"),  # the other county
            6: case(u1, a, date(2024, 12, 20), "decided", "7000"),  # last year
        }
        Rule.objects.create(key="enforcement.zero_penalty_min_inspections", value=2)

    def setUp(self):
        rules_cache_clear()

    def values(self, user, by=None, **filters):
        return enforcement_figures(user=user, filters=filters, by=by)

    def triple(self, row):
        return tuple(row[k] for k in KEYS)

    def test_the_year_and_narrower_periods_against_hand_counts(self):
        # cases c1-c4; fines of the decided c1 c2; 零处罚: 青木关镇应急办 (2 inspections) and the 安委办 (3,
        # its case undecided) — 凤凰镇应急办 fined
        self.assertEqual(self.triple(self.values(self.alice, year="2025")[""]), (4, 25000.5, 2))
        march_april = self.values(self.alice, year="2025", start="2025-03-01", end="2025-04-30")[""]
        self.assertEqual(self.triple(march_april), (1, 20000.0, 1))  # 青木关镇 only: the 安委办 inspected in June
        self.assertEqual(self.triple(self.values(self.alice, start="2025-06-01", end="2025-06-30")[""]), (1, 0.0, 1))
        self.assertEqual(self.triple(self.values(self.alice, start="2025-08-01", end="2025-12-31")[""]), (0, 0.0, 0))
        figures = [registry["figures"][k] for k in KEYS]
        self.assertEqual([f.compute(self.alice, {"year": "2025"}) for f in figures], [4, 25000.5, 2])
        self.assertEqual([(f.group, f.unit, f.better) for f in figures], [
            ("执法", "起", "higher"), ("执法", "元", "higher"), ("执法", "家", "lower"),
        ])  # fmt: skip

    def test_the_threshold_is_the_rule(self):
        Rule.objects.filter(key="enforcement.zero_penalty_min_inspections").update(value=3)
        rules_cache_clear()
        self.assertEqual(self.values(self.alice, year="2025")[""]["enforcement.zero_penalty_units"], 1)

    def test_children_and_industries_side_by_side(self):
        by_village = self.values(self.alice, by="region", region=self.town_a1.code, year="2025")
        self.assertEqual(
            by_village[""], self.values(self.alice, region=self.town_a1.code, year="2025")[""]
        )  # the whole, same rows
        self.assertEqual(
            {code: self.triple(row) for code, row in by_village.items() if code},
            {self.village_a1.code: (3, 20000.0, 0), self.village_a2.code: (1, 5000.5, 0)},
        )
        by_town = self.values(self.alice, by="region", region=self.county_a.code, year="2025")
        self.assertEqual(
            by_town[""], self.values(self.alice, region=self.county_a.code, year="2025")[""]
        )  # the whole, same rows
        self.assertEqual(
            {code: self.triple(row) for code, row in by_town.items() if code},
            {self.town_a1.code: (4, 25000.5, 0), self.town_a2.code: (0, 0.0, 1)},  # the county's 安委办 is no town's
        )
        by_industry = self.values(self.alice, by="industry", year="2025")
        self.assertEqual(self.triple(by_industry["hazchem"]), (3, 20000.0, None))  # a unit is no industry's
        self.assertEqual(self.triple(by_industry["construction"]), (1, 5000.5, None))
        only = self.values(self.alice, industry="construction", year="2025")[""]
        self.assertEqual(only["enforcement.cases"], 1)

    def test_breakdown_equals_the_figure_child_by_child(self):
        for key in KEYS:
            figure = registry["figures"][key]
            for parent in (self.city, self.county_a, self.town_a1):
                filters = {"region": parent.code, "year": "2025"}
                parts = figure.breakdown(self.bob, filters, "region")
                self.assertTrue(parts)
                for code, value in parts.items():
                    self.assertEqual(
                        value, figure.compute(self.bob, {**filters, "region": code or parent.code}), (key, code)
                    )
            if key != "enforcement.zero_penalty_units":
                for code, value in figure.breakdown(self.alice, {"year": "2025"}, "industry").items():
                    expected = figure.compute(self.alice, {"year": "2025", "industry": code})
                    self.assertEqual(value, expected, (key, code))

    def test_scope(self):
        self.assertEqual(
            self.triple(self.values(self.charlie, region=self.county_a.code, year="2025")[""]), (0, 0.0, 0)
        )
        self.assertEqual(self.triple(self.values(self.charlie, year="2025")[""]), (1, 8000.0, 0))  # it fined
        self.assertEqual(self.triple(self.values(self.erin, year="2025")[""]), (3, 20000.0, 0))  # her town's units
        self.assertEqual(self.triple(self.values(self.bob, year="2025")[""]), (5, 33000.5, 2))
        self.assertEqual(self.triple(self.values(None, region=self.county_a.code, year="2025")[""]), (4, 25000.5, 2))

    def test_each_figure_links_to_the_records_behind_it(self):
        client = self.login(self.alice)
        for filters, cases, fined in (
            ({"region": self.county_a.code, "year": "2025"}, {1, 2, 3, 4}, {1, 2}),
            ({"region": self.town_a1.code, "industry": "hazchem", "year": "2025"}, {1, 3, 4}, {1}),
            ({"year": "2025", "start": "2025-03-01", "end": "2025-04-30"}, {1}, {1}),
        ):
            for key, numbers in (("enforcement.cases", cases), ("enforcement.fines", fined)):
                figure = registry["figures"][key]
                url = figure.url(filters)
                self.assertEqual(resolve(urlsplit(url).path).url_name, "cases")
                query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
                listed = list(case_list(user=self.alice, filters=query))
                self.assertEqual({x.pk for x in listed}, {self.c[n].pk for n in numbers}, (key, filters))
                page = client.get(url).content.decode()
                for n, item in self.c.items():
                    (self.assertIn if n in numbers else self.assertNotIn)(item.number, page)
            fines = registry["figures"]["enforcement.fines"]
            self.assertEqual(float(sum(self.c[n].fine for n in fined)), fines.compute(self.alice, filters))
        # the 零处罚 units on the statistics page, for the period and region asked
        zero = registry["figures"]["enforcement.zero_penalty_units"]
        for filters, shown, hidden in (
            ({"region": self.county_a.code, "year": "2025"}, ["青木关镇应急办", "沙坪坝区安委办"], ["凤凰镇应急办"]),
            ({"region": self.town_a2.code, "year": "2025"}, ["青木关镇应急办"], ["沙坪坝区安委办"]),
            ({"year": "2025", "start": "2025-06-01", "end": "2025-06-30"}, ["沙坪坝区安委办"], ["青木关镇应急办"]),
        ):
            url = zero.url(filters)
            self.assertEqual(resolve(urlsplit(url).path).url_name, "statistics")
            page = client.get(url).content.decode()
            self.assertEqual(page.count('<span class="badge red">零处罚</span>'), zero.compute(self.alice, filters))
            for name in shown:
                self.assertIn(f">{name}<", page)
            for name in hidden:
                self.assertNotIn(f">{name}<", page)
