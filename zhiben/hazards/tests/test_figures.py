"""The hazard figures analytics reads (selectors.hazard_figures through the registered Figures), against
a hand-counted set: period counts, state as of today, stock/increment around the baseline date, on-time
closure with an extended deadline, child-region and industry breakdowns, scope, and the record lists
behind each figure."""

import itertools
from datetime import date, datetime

from django.utils import timezone

from zhiben.core.registry import registry
from zhiben.hazards.choices import Status
from zhiben.hazards.models import Hazard
from zhiben.hazards.selectors import hazard_figures
from zhiben.testing import CastTestCase

TODAY = date(2026, 6, 30)
NUMBERS = itertools.count(1)


def local(day):
    return timezone.make_aware(datetime(day.year, day.month, day.day, 10, 0))


class HazardFigureTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        a, c, b = cls.enterprise_a, cls.enterprise_a_construction, cls.enterprise_b

        def make(enterprise, found, status=Status.VERIFIED, **fields):
            closed = fields.pop("closed", None)
            if closed:
                fields.update(status=Status.CLOSED, closed_at=local(closed))
            return Hazard.objects.create(
                number=f"FIG-{next(NUMBERS)}",
                enterprise=enterprise,
                region=enterprise.region,
                industry=enterprise.industry,
                channel=fields.pop("channel", "supervision"),
                level=fields.pop("level", "general"),
                description="测试隐患",
                found_date=found,
                status=fields.pop("status", status),
                **fields,
            )

        cls.h1 = make(a, date(2023, 6, 1), closed=date(2024, 1, 10), deadline=date(2023, 12, 31))  # stock, cleared
        cls.h2 = make(a, date(2023, 11, 1), Status.RECTIFYING, deadline=date(2024, 3, 1))  # stock, open, overdue
        # on time: rectified before the deadline (found 02-01, closed 02-20: 19 days)
        cls.h3 = make(
            a, date(2026, 2, 1), channel="self", closed=date(2026, 2, 20), rectified_date=date(2026, 2, 18),
            deadline=date(2026, 2, 28),
        )  # fmt: skip
        # late: closed after the deadline (45 days), a repeat of h1, listed but closed
        cls.h4 = make(
            a, date(2026, 3, 1), level="major", closed=date(2026, 4, 15), deadline=date(2026, 4, 10),
            repeat_of=cls.h1, listed_level="county",
        )  # fmt: skip
        # open, overdue since 06-01, listed
        cls.h5 = make(
            a, date(2026, 5, 1), channel="enforcement", level="major", deadline=date(2026, 6, 1), listed_level="county",
        )  # fmt: skip
        cls.h6 = make(a, date(2025, 3, 1), closed=date(2025, 4, 1), deadline=date(2025, 4, 30))  # last year's increment
        cls.h7 = make(a, date(2026, 6, 10), Status.REPORTED, channel="public")  # no deadline yet
        make(a, date(2026, 3, 3), Status.REJECTED)  # not a hazard: never counted
        cls.h9 = make(c, date(2026, 1, 15), Status.RECTIFYING, channel="self", deadline=date(2026, 12, 31))
        cls.h10 = make(b, date(2026, 2, 1))  # the other county
        make(a, date(2022, 1, 1), historic=True, deadline=date(2022, 2, 1))  # archive: stock, never overdue

    def figures(self, user, by=None, **filters):
        return hazard_figures(user=user, filters=filters, by=by, today=TODAY)

    def test_the_year_against_hand_counts(self):
        got = self.figures(self.alice, year="2026")[""]
        expected = {
            "found": 5,  # h3 h4 h5 h7 h9
            "found_major": 2,  # h4 h5
            "closed": 2,  # h3 h4
            "open": 5,  # h2 h5 h7 h9 + the archive row
            "major_open": 1,
            "overdue": 2,  # h2 h5 (the archive row never)
            "ontime_rate": 50.0,  # h3 on time, h4 late
            "avg_days": 32.0,  # (19 + 45) / 2
            "stock_open": 2,  # h2 + the archive row
            "stock_cleared_rate": 33.3,  # h1 of h1 h2 archive
            "increment": 5,
            "increment_change": 400.0,  # 5 against h6 alone
            "listed_open": 1,  # h5 (h4 is closed)
            "self_share": 40.0,  # h3 h9 of 5
            "repeat": 1,  # h4
            "channel_self": 2,
            "channel_supervision": 1,
            "channel_enforcement": 1,
            "channel_public": 1,
            "channel_unannounced": 0,
        }
        self.assertEqual({k: got[f"hazards.{k}"] for k in expected}, expected)

    def test_a_period_narrower_than_a_year(self):
        got = self.figures(self.alice, start="2026-02-01", end="2026-03-31")[""]
        self.assertEqual(got["hazards.found"], 2)  # h3 h4
        self.assertEqual(got["hazards.closed"], 1)  # h3 (h4 closed in April)
        self.assertEqual(got["hazards.ontime_rate"], 100.0)
        self.assertEqual(got["hazards.increment_change"], 100.0)  # 2 against h6 (2025-03-01)
        # state figures count what was found by the end of the period
        self.assertEqual(got["hazards.open"], 3)  # h2, h9 and the archive row

    def test_the_baseline_date_is_the_jurisdictions_rule(self):
        from zhiben.core.models import Rule

        Rule.objects.create(key="hazard.baseline_date", region_code=self.county_a.code, value="2026-02-15")
        from zhiben.core.rules import rules_cache_clear

        rules_cache_clear()
        got = self.figures(self.alice, year="2026")[""]
        self.assertEqual(got["hazards.stock_open"], 3)  # h2 h9 archive
        self.assertEqual(got["hazards.stock_cleared_rate"], 50.0)  # h1 h3 h6 of h1 h2 h3 h6 h9 archive
        self.assertEqual(got["hazards.increment"], 3)  # h4 h5 h7
        self.assertEqual(got["hazards.increment_change"], None)  # no increment a year before: no ratio

    def test_an_extension_moves_the_deadline_on_time_is_measured_against(self):
        Hazard.objects.filter(pk=self.h4.pk).update(original_deadline=date(2026, 4, 10), deadline=date(2026, 4, 20))
        self.assertEqual(self.figures(self.alice, year="2026")[""]["hazards.ontime_rate"], 100.0)

    def test_children_side_by_side_and_by_industry(self):
        by_village = self.figures(self.alice, by="region", region=self.town_a1.code, year="2026")
        self.assertEqual(set(by_village), {"", self.village_a1.code, self.village_a2.code})
        # the whole comes with the children, equal to asking for it alone
        self.assertEqual(by_village[""], self.figures(self.alice, region=self.town_a1.code, year="2026")[""])
        self.assertEqual(by_village[self.village_a1.code]["hazards.found"], 4)
        self.assertEqual(by_village[self.village_a2.code]["hazards.found"], 1)
        self.assertEqual(by_village[self.village_a2.code]["hazards.self_share"], 100.0)
        by_town = self.figures(self.alice, by="region", region=self.county_a.code, year="2026")
        self.assertEqual(sorted(by_town), ["", self.town_a1.code])
        by_industry = self.figures(self.alice, by="industry", year="2026")
        self.assertEqual(by_industry["construction"]["hazards.found"], 1)
        self.assertEqual(by_industry["hazchem"]["hazards.found"], 4)
        only = self.figures(self.alice, industry="construction", year="2026")[""]
        self.assertEqual(only["hazards.found"], 1)

    def test_breakdown_equals_the_figure_child_by_child(self):
        for key, figure in registry["figures"].items():
            if not key.startswith("hazards."):
                continue
            filters = {"region": self.town_a1.code, "year": "2026"}
            parts = figure.breakdown(self.alice, filters, "region")
            for code, value in parts.items():
                code = code or filters["region"]
                self.assertEqual(value, figure.compute(self.alice, {**filters, "region": code}), (key, code))

    def test_scope(self):
        # a department sees its industries only; another county sees none of ours, even when asking for it
        self.assertEqual(self.figures(self.erin, year="2026")[""]["hazards.found"], 4)
        self.assertEqual(self.figures(self.charlie, region=self.county_a.code, year="2026")[""]["hazards.found"], 0)
        self.assertEqual(self.figures(self.charlie, year="2026")[""]["hazards.found"], 1)
        self.assertEqual(self.figures(self.emma, year="2026")[""]["hazards.found"], 4)

    def test_each_figure_links_to_the_records_behind_it(self):
        client = self.login(self.alice)
        filters = {"region": self.county_a.code, "year": "2026"}
        found = registry["figures"]["hazards.found"].url(filters)
        page = client.get(found).content.decode()
        for hazard in (self.h3, self.h4, self.h5, self.h7, self.h9):
            self.assertIn(hazard.number, page)
        for hazard in (self.h1, self.h2, self.h6, self.h10):
            self.assertNotIn(f">{hazard.number}<", page)
        closed = client.get(registry["figures"]["hazards.closed"].url(filters)).content.decode()
        self.assertIn(self.h3.number, closed)
        self.assertIn(self.h4.number, closed)
        self.assertNotIn(f">{self.h1.number}<", closed)
        repeat = client.get(registry["figures"]["hazards.repeat"].url(filters)).content.decode()
        self.assertIn(self.h4.number, repeat)
        self.assertNotIn(f">{self.h3.number}<", repeat)

    def test_the_named_records_a_bulletin_lists(self):
        from zhiben.hazards.selectors import hazard_records

        overdue = hazard_records(user=self.alice, filters={"region": self.county_a.code}, today=TODAY)
        self.assertEqual([row["number"] for row in overdue], [self.h5.number])  # h2 is overdue but general
        self.assertEqual(overdue[0]["days_overdue"], 29)
        listed = registry["record_lists"]["hazards.listed_open"].rows(self.alice, {}, 10)
        self.assertEqual([row["number"] for row in listed], [self.h5.number])  # h4 listed but closed
        self.assertEqual(registry["record_lists"]["hazards.listed_open"].rows(self.charlie, {}, 10), [])
