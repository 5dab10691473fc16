"""The self-inspection figures analytics reads (selectors.selfcheck_figures through the registered Figures)
against a hand-counted set under one monthly duty: the compliance rate and 漏查 over the year and over a
span of days, the "查不出问题" enterprises (records that find nothing while inspectors find hazards), child
regions and industries side by side (equal to the figure child by child), scope, the system reader, and
the compliance and "查不出问题" pages behind each figure."""

import itertools
import re
from datetime import date, datetime

from django.test import SimpleTestCase
from django.utils import timezone

from zhiben.core.exceptions import ApplicationError
from zhiben.core.registry import registry
from zhiben.enterprises.models import Enterprise
from zhiben.hazards.models import Hazard
from zhiben.selfchecks.choices import Frequency
from zhiben.selfchecks.models import Duty, SelfInspection
from zhiben.selfchecks.periods import bucket_of, parse_window
from zhiben.selfchecks.selectors import selfcheck_figures
from zhiben.testing import CastTestCase, make_enterprise

KEYS = ("selfchecks.compliance_rate", "selfchecks.missed", "selfchecks.blind_spots")
TODAY = date(2026, 6, 30)
SERIAL = itertools.count(1)


class SpanWindowTests(SimpleTestCase):
    def test_a_span_of_days_is_a_window(self):
        window = parse_window("2025-03-01~2025-04-15")
        self.assertEqual((window.start, window.end, window.kind), (date(2025, 3, 1), date(2025, 4, 15), "range"))
        self.assertEqual(len(window.buckets(Frequency.MONTH)), 2)
        self.assertEqual(window.previous().code, "2025-01-14~2025-02-28")
        self.assertEqual(window.next().code, "2025-04-16~2025-05-31")
        # a span that is a whole month, quarter or year is named as one
        self.assertEqual(parse_window("2025-04-01~2025-06-30").code, "2025Q2")
        self.assertEqual(parse_window("2025-02-01 至 2025-02-28").code, "2025-02")
        for bad in ("2025-04-31~2025-05-01", "2025-05-02~2025-05-01", "2025-01-01~"):
            with self.assertRaises(ApplicationError):
                parse_window(bad)


class SelfcheckFigureTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        Duty.objects.update(active=False)
        cls.duty = Duty.objects.create(key="fig_monthly", name="月度排查", level="厂长", frequency=Frequency.MONTH)
        cls.e1, cls.e2, cls.e5 = cls.enterprise_a, cls.enterprise_a_construction, cls.enterprise_b
        cls.e3 = make_enterprise(cls.village_a1, "hazchem", name="凤凰三厂")
        cls.e4 = make_enterprise(cls.town_a2, "machinery", name="青木关机械厂")
        make_enterprise(cls.village_a1, "hazchem", name="已关闭企业", status="closed")  # never counted
        Enterprise.objects.update(created_at=timezone.make_aware(datetime(2024, 1, 1)))

        def records(enterprise, months, findings=None):
            for month in months:
                day = date(2025, month, 5)
                SelfInspection.objects.create(
                    enterprise=enterprise,
                    duty=cls.duty,
                    date=day,
                    bucket=bucket_of(day, Frequency.MONTH),
                    inspector="张三",
                    findings=(findings or {}).get(month, 0),
                )

        def inspector_hazard(enterprise, day):
            Hazard.objects.create(
                number=f"ZC-FIG-{next(SERIAL)}",
                enterprise=enterprise,
                region=enterprise.region,
                industry=enterprise.industry,
                channel="supervision",
                level="general",
                description="检查发现的隐患",
                found_date=day,
                status="verified",
            )

        every = range(1, 13)
        records(cls.e1, every)  # 已完成; finds nothing while inspectors do
        records(cls.e2, range(1, 7))  # January to June only
        records(cls.e3, [m for m in every if m != 3], findings={5: 1})  # misses March; finds one in May
        records(cls.e5, every)  # the other county
        inspector_hazard(cls.e1, date(2025, 3, 15))
        inspector_hazard(cls.e2, date(2025, 4, 10))
        inspector_hazard(cls.e3, date(2025, 3, 20))
        inspector_hazard(cls.e5, date(2025, 8, 1))

    def values(self, user, by=None, **filters):
        return selfcheck_figures(user=user, filters=filters, by=by, today=TODAY)

    def triple(self, row):
        return tuple(row[k] for k in KEYS)

    def test_the_year_and_a_span_of_days_against_hand_counts(self):
        # 2025: e1 done, e2 e3 e4 漏查; e1 e2 find nothing while inspectors do (e3 found one in May)
        self.assertEqual(self.triple(self.values(self.alice, year="2025")[""]), (25.0, 3, 2))
        # March–April: e1 e2 done, e3 (no March) and e4 漏查; e3's April record found nothing: 查不出问题
        self.assertEqual(self.triple(self.values(self.alice, start="2025-03-01", end="2025-04-30")[""]), (50.0, 2, 3))
        self.assertEqual(self.triple(self.values(self.alice, start="2025-05-01", end="2025-06-30")[""]), (75.0, 1, 0))
        figures = [registry["figures"][k] for k in KEYS]
        self.assertEqual([f.compute(self.alice, {"year": "2025"}) for f in figures], [25.0, 3, 2])
        self.assertEqual([(f.group, f.unit, f.better) for f in figures], [
            ("企业自查", "%", "higher"), ("企业自查", "家", "lower"), ("企业自查", "家", "lower"),
        ])  # fmt: skip

    def test_children_and_industries_side_by_side(self):
        by_village = self.values(self.alice, by="region", region=self.town_a1.code, year="2025")
        # the whole comes with the children, equal to asking for it alone
        whole = by_village.pop("")
        self.assertEqual(whole, self.values(self.alice, region=self.town_a1.code, year="2025")[""])
        self.assertEqual(
            {code: self.triple(row) for code, row in by_village.items()},
            {self.village_a1.code: (50.0, 1, 1), self.village_a2.code: (0.0, 1, 1)},
        )
        by_town = self.values(self.alice, by="region", region=self.county_a.code, year="2025")
        by_town.pop("")
        self.assertEqual(
            {code: self.triple(row) for code, row in by_town.items()},
            {self.town_a1.code: (33.3, 2, 2), self.town_a2.code: (0.0, 1, 0)},
        )
        by_industry = self.values(self.alice, by="industry", year="2025")
        self.assertEqual(self.triple(by_industry["hazchem"]), (50.0, 1, 1))
        self.assertEqual(self.triple(by_industry["construction"]), (0.0, 1, 1))
        self.assertEqual(self.triple(by_industry["mining"]), (None, 0, 0))
        self.assertEqual(self.triple(self.values(self.alice, industry="machinery", year="2025")[""]), (0.0, 1, 0))

    def test_breakdown_equals_the_figure_child_by_child(self):
        for key in KEYS:
            figure = registry["figures"][key]
            for parent in (self.city, self.county_a, self.town_a1):
                filters = {"region": parent.code, "year": "2025", "start": "2025-03-01", "end": "2025-04-30"}
                parts = figure.breakdown(self.bob, filters, "region")
                self.assertTrue(parts)
                for code, value in parts.items():
                    code = code or parent.code
                    self.assertEqual(value, figure.compute(self.bob, {**filters, "region": code}), (key, code))
            for code, value in figure.breakdown(self.alice, {"year": "2025"}, "industry").items():
                self.assertEqual(value, figure.compute(self.alice, {"year": "2025", "industry": code}), (key, code))

    def test_scope(self):
        self.assertEqual(
            self.triple(self.values(self.charlie, region=self.county_a.code, year="2025")[""]), (None, 0, 0)
        )
        self.assertEqual(self.triple(self.values(self.charlie, year="2025")[""]), (100.0, 0, 1))
        self.assertEqual(self.triple(self.values(self.erin, year="2025")[""]), (50.0, 1, 1))  # hazchem, machinery
        self.assertEqual(self.triple(self.values(self.emma, year="2025")[""]), (100.0, 0, 1))  # her enterprise
        self.assertEqual(self.triple(self.values(self.bob, year="2025")[""]), (40.0, 3, 3))
        self.assertEqual(self.triple(self.values(None, region=self.county_a.code, year="2025")[""]), (25.0, 3, 2))

    def test_each_figure_links_to_the_page_behind_it(self):
        client = self.login(self.alice)
        names = {e: e.name for e in (self.e1, self.e2, self.e3, self.e4, self.e5)}
        cases = [
            ({"region": self.county_a.code, "year": "2025"}, {
                "selfchecks.compliance_rate": {self.e1, self.e2, self.e3, self.e4},
                "selfchecks.missed": {self.e2, self.e3, self.e4},
                "selfchecks.blind_spots": {self.e1, self.e2},
            }),
            ({"region": self.village_a1.code, "year": "2025", "start": "2025-03-01", "end": "2025-04-30"}, {
                "selfchecks.compliance_rate": {self.e1, self.e3},
                "selfchecks.missed": {self.e3},
                "selfchecks.blind_spots": {self.e1, self.e3},
            }),
            ({"industry": "construction", "year": "2025"}, {
                "selfchecks.compliance_rate": {self.e2},
                "selfchecks.missed": {self.e2},
                "selfchecks.blind_spots": {self.e2},
            }),
        ]  # fmt: skip
        for filters, expected in cases:
            for key, enterprises in expected.items():
                url = registry["figures"][key].url(filters)
                response = client.get(url)
                self.assertEqual(response.status_code, 200)
                page = response.content.decode()
                self.assertNotIn("无效", page)  # the period and the filters were read
                for enterprise, name in names.items():
                    (self.assertIn if enterprise in enterprises else self.assertNotIn)(f">{name}<", page, (key, url))
            compliance_page = client.get(
                registry["figures"]["selfchecks.compliance_rate"].url(filters)
            ).content.decode()
            total = int(re.search(r"<b>(\d+)</b><span>应查企业", compliance_page).group(1))
            missed = int(re.search(r"<b>(\d+)</b><span>漏查", compliance_page).group(1))
            got = selfcheck_figures(user=self.alice, filters=filters)[""]
            self.assertEqual((total, missed), (len(expected["selfchecks.compliance_rate"]), got["selfchecks.missed"]))
            self.assertEqual(got["selfchecks.compliance_rate"], round(100 * (total - missed) / total, 1))

    def test_the_tally_judges_as_the_compliance_page_does(self):
        """Enterprises without records are judged by the database in groups: the same states as one by one."""
        from collections import Counter

        from zhiben.selfchecks.selectors import compliance, compliance_tally, figure_window

        def check():
            for filters in ({"year": "2025"}, {"start": "2025-03-01", "end": "2025-04-30"}, {"year": "2026"}):
                window = figure_window(filters, TODAY)
                for user in (self.alice, self.bob, self.erin):
                    rows, _, _ = compliance(user=user, window=window, today=TODAY)
                    expected = Counter(
                        (r.enterprise["region_id"], r.enterprise["industry__code"], r.state) for r in rows
                    )
                    got = Counter()
                    for region_id, code, state, n in compliance_tally(user=user, window=window, today=TODAY):
                        got[(region_id, code, state)] += n
                    self.assertEqual(got, expected, (filters, user.username))

        check()
        # registered inside a window (late in the evening, Beijing time) or after it: judged from that day, or
        # not bound by the window at all
        late = [
            (self.enterprise_a, datetime(2025, 3, 31, 23, 30)),
            (self.enterprise_a_construction, datetime(2026, 2, 1, 9)),
            (self.enterprise_b, datetime(2025, 4, 30, 8)),
        ]
        for enterprise, moment in late:
            Enterprise.objects.filter(pk=enterprise.pk).update(created_at=timezone.make_aware(moment))
        check()
