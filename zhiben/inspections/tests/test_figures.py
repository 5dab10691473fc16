"""The inspection figures analytics reads (selectors.inspection_figures through the registered Figures)
against a hand-counted set: inspections completed in the year and in narrower periods, the share that
found a hazard (a hazard rejected as none does not count), child regions and industries side by side
(equal to the figure child by child), scope, the system reader, and the inspection list behind each
figure."""

import itertools
from datetime import date
from urllib.parse import parse_qs, urlsplit

from django.urls import resolve

from zhiben.core.registry import registry
from zhiben.hazards.models import Hazard
from zhiben.inspections.models import Inspection
from zhiben.inspections.selectors import inspection_figures, inspection_list
from zhiben.testing import CastTestCase

KEYS = ("inspections.done", "inspections.findings_share")
SERIAL = itertools.count(1)


class InspectionFigureTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()

        def hazard(enterprise, status="verified"):
            return Hazard.objects.create(
                number=f"JC-FIG-{next(SERIAL)}",
                enterprise=enterprise,
                region=enterprise.region,
                industry=enterprise.industry,
                channel="supervision",
                level="general",
                description="检查发现的隐患",
                found_date=date(2025, 3, 1),
                status=status,
            )

        def inspection(enterprise, day, status="completed", hazards=()):
            unit = cls.unit_office_b if enterprise == cls.enterprise_b else cls.unit_emergency_a1
            item = Inspection.objects.create(
                number=f"JC-2025-{next(SERIAL):04d}",
                status=status,
                enterprise=enterprise,
                region=enterprise.region,
                industry=enterprise.industry,
                unit=unit,
                date=day,
            )
            item.hazards.set(hazards)
            return item

        a, c, b = cls.enterprise_a, cls.enterprise_a_construction, cls.enterprise_b
        cls.i = {
            1: inspection(a, date(2025, 3, 10), hazards=[hazard(a)]),
            2: inspection(a, date(2025, 4, 15)),
            3: inspection(c, date(2025, 3, 20), hazards=[hazard(c, "rejected")]),  # no hazard after all
            4: inspection(c, date(2025, 6, 1), hazards=[hazard(c), hazard(c)]),
            5: inspection(a, None, status="planned"),
            6: inspection(a, date(2024, 12, 31), hazards=[hazard(a)]),  # last year
            7: inspection(b, date(2025, 3, 5), hazards=[hazard(b)]),  # the other county
            8: inspection(a, date(2025, 5, 1), status="cancelled"),
            9: inspection(a, date(2025, 9, 9), hazards=[hazard(a, "closed")]),
        }

    def values(self, user, by=None, **filters):
        return inspection_figures(user=user, filters=filters, by=by)

    def pair(self, row):
        return tuple(row[k] for k in KEYS)

    def test_the_year_and_narrower_periods_against_hand_counts(self):
        self.assertEqual(self.pair(self.values(self.alice, year="2025")[""]), (5, 60.0))  # 1 2 3 4 9; 1 4 9
        self.assertEqual(self.pair(self.values(self.alice, start="2025-03-01", end="2025-03-31")[""]), (2, 50.0))
        self.assertEqual(self.pair(self.values(self.alice, start="2025-04-01", end="2025-04-15")[""]), (1, 0.0))
        self.assertEqual(self.pair(self.values(self.alice, start="2025-10-01", end="2025-12-31")[""]), (0, None))
        done, share = (registry["figures"][k] for k in KEYS)
        self.assertEqual(
            (done.compute(self.alice, {"year": "2025"}), share.compute(self.alice, {"year": "2025"})), (5, 60.0)
        )
        self.assertEqual((done.group, done.unit, done.better), ("监督检查", "次", "higher"))
        self.assertEqual((share.group, share.unit, share.better), ("监督检查", "%", "higher"))

    def test_children_and_industries_side_by_side(self):
        by_village = self.values(self.alice, by="region", region=self.town_a1.code, year="2025")
        self.assertEqual(
            by_village[""], self.values(self.alice, region=self.town_a1.code, year="2025")[""]
        )  # the whole, same rows
        self.assertEqual(
            {code: self.pair(row) for code, row in by_village.items() if code},
            {self.village_a1.code: (3, 66.7), self.village_a2.code: (2, 50.0)},
        )
        by_town = self.values(self.alice, by="region", region=self.county_a.code, year="2025")
        self.assertEqual(
            by_town[""], self.values(self.alice, region=self.county_a.code, year="2025")[""]
        )  # the whole, same rows
        self.assertEqual(
            {code: self.pair(row) for code, row in by_town.items() if code},
            {self.town_a1.code: (5, 60.0), self.town_a2.code: (0, None)},
        )
        by_industry = self.values(self.alice, by="industry", year="2025")
        self.assertEqual(self.pair(by_industry["hazchem"]), (3, 66.7))
        self.assertEqual(self.pair(by_industry["construction"]), (2, 50.0))
        self.assertEqual(self.pair(self.values(self.alice, industry="construction", year="2025")[""]), (2, 50.0))

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
            for code, value in figure.breakdown(self.alice, {"year": "2025"}, "industry").items():
                self.assertEqual(value, figure.compute(self.alice, {"year": "2025", "industry": code}), (key, code))

    def test_scope(self):
        self.assertEqual(self.pair(self.values(self.charlie, region=self.county_a.code, year="2025")[""]), (0, None))
        self.assertEqual(self.pair(self.values(self.charlie, year="2025")[""]), (1, 100.0))
        self.assertEqual(self.pair(self.values(self.erin, year="2025")[""]), (3, 66.7))  # hazchem, machinery
        self.assertEqual(self.pair(self.values(self.bob, year="2025")[""]), (6, 66.7))
        self.assertEqual(self.pair(self.values(None, region=self.county_a.code, year="2025")[""]), (5, 60.0))

    def test_each_figure_links_to_the_inspections_behind_it(self):
        client = self.login(self.alice)
        cases = [
            ({"region": self.county_a.code, "year": "2025"}, {1, 2, 3, 4, 9}, {1, 4, 9}),
            ({"region": self.town_a1.code, "industry": "construction", "year": "2025"}, {3, 4}, {4}),
            ({"year": "2025", "start": "2025-03-01", "end": "2025-03-31"}, {1, 3}, {1}),
        ]
        for filters, done, found in cases:
            for key, numbers in (("inspections.done", done), ("inspections.findings_share", found)):
                url = registry["figures"][key].url(filters)
                self.assertEqual(resolve(urlsplit(url).path).url_name, "list")
                query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
                listed = set(inspection_list(user=self.alice, filters=query).values_list("pk", flat=True))
                self.assertEqual(listed, {self.i[n].pk for n in numbers}, (key, filters))
                page = client.get(url).content.decode()
                for n, item in self.i.items():
                    (self.assertIn if n in numbers else self.assertNotIn)(f">{item.number}<", page)
            # the share is the found list over the done list
            share = registry["figures"]["inspections.findings_share"].compute(self.alice, filters)
            self.assertEqual(share, round(100 * len(found) / len(done), 1))
