"""The public-report figures analytics reads (selectors.report_figures through the registered Figures)
against a hand-counted set: reports made in the year and narrower periods (无效信息 never counted), the
share found 属实, the average days to the first reply, reports overdue; child regions and industries side
by side (equal to the figure child by child), scope, the system reader, and the report list behind each
figure."""

import itertools
from datetime import date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from django.urls import resolve
from django.utils import timezone

from zhiben.core.registry import registry
from zhiben.regions.models import Industry
from zhiben.reports.models import Category, Message, Report
from zhiben.reports.selectors import report_figures, report_list
from zhiben.testing import CastTestCase

KEYS = ("reports.received", "reports.verified_share", "reports.reply_days", "reports.overdue")
SERIAL = itertools.count(1)


def at(y, m, d, h=10):
    return timezone.make_aware(datetime(y, m, d, h, 0))


class ReportFigureTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        categories = {c.code: c for c in Category.objects.all()}
        industries = {i.code: i for i in Industry.objects.all()}

        def report(region, industry, made, status, replies=(), notes=()):
            item = Report.objects.create(
                code=f"JB{next(SERIAL):06d}",
                secret_hash="x" * 64,
                category=categories[industry or "other"],
                description="举报内容",
                region=region,
                industry=industries.get(industry),
                status=status,
                deadline=made.date() + timedelta(days=15),
            )
            Report.objects.filter(pk=item.pk).update(created_at=made)
            for kind, when in [("reply", w) for w in replies] + [("note", w) for w in notes]:
                message = Message.objects.create(report=item, kind=kind, text="已收到，正在核查。", status=status)
                Message.objects.filter(pk=message.pk).update(at=when)
            return item

        a1, a2, b1 = cls.village_a1, cls.village_a2, cls.village_b1
        cls.r = {
            1: report(a1, "hazchem", at(2025, 3, 1), "verified", [at(2025, 3, 3), at(2025, 3, 10)]),  # 2 days
            2: report(a1, "hazchem", at(2025, 4, 1, 8), "unfounded", [at(2025, 4, 2, 8)]),  # 1 day
            3: report(a2, "construction", at(2025, 5, 5), "duplicate"),
            4: report(a1, None, at(2025, 6, 1), "verifying", notes=[at(2025, 6, 2)]),  # overdue; a note is no reply
            5: report(a1, "hazchem", at(2025, 7, 1), "spam", [at(2025, 7, 1, 11)]),  # never counted
            6: report(b1, "hazchem", at(2025, 3, 5), "verified", [at(2025, 3, 6)]),  # the other county
            7: report(a2, "construction", at(2024, 12, 30), "received"),  # last year's, overdue
            8: report(a2, "construction", at(2025, 9, 1, 12), "verified", [at(2025, 9, 5, 12)]),  # 4 days
        }

    def values(self, user, by=None, **filters):
        return report_figures(user=user, filters=filters, by=by)

    def row(self, row):
        return tuple(row[k] for k in KEYS)

    def test_the_year_and_narrower_periods_against_hand_counts(self):
        # made in 2025: r1 r2 r3 r4 r8; 属实 r1 r8 of r1 r2 r8; replies 2, 1, 4 days; overdue r4 r7
        self.assertEqual(self.row(self.values(self.alice, year="2025")[""]), (5, 66.7, 2.3, 2))
        self.assertEqual(self.row(self.values(self.alice, start="2025-03-01", end="2025-04-30")[""]), (2, 50.0, 1.5, 1))
        self.assertEqual(
            self.row(self.values(self.alice, start="2025-06-01", end="2025-06-30")[""]), (1, None, None, 2)
        )
        self.assertEqual(
            self.row(self.values(self.alice, start="2025-10-01", end="2025-12-31")[""]), (0, None, None, 2)
        )
        figures = [registry["figures"][k] for k in KEYS]
        self.assertEqual([f.compute(self.alice, {"year": "2025"}) for f in figures], [5, 66.7, 2.3, 2])
        self.assertEqual({f.group for f in figures}, {"群众举报"})
        self.assertEqual([(f.unit, f.better) for f in figures], [
            ("条", "higher"), ("%", "higher"), ("天", "lower"), ("条", "lower"),
        ])  # fmt: skip

    def test_children_and_industries_side_by_side(self):
        by_village = self.values(self.alice, by="region", region=self.town_a1.code, year="2025")
        self.assertEqual(
            {code: self.row(row) for code, row in by_village.items()},
            {self.village_a1.code: (3, 50.0, 1.5, 1), self.village_a2.code: (2, 100.0, 4.0, 1)},
        )
        by_town = self.values(self.alice, by="region", region=self.county_a.code, year="2025")
        self.assertEqual(self.row(by_town[self.town_a1.code]), (5, 66.7, 2.3, 2))
        self.assertEqual(self.row(by_town[self.town_a2.code]), (0, None, None, 0))
        by_industry = self.values(self.alice, by="industry", year="2025")
        self.assertEqual(self.row(by_industry["hazchem"]), (2, 50.0, 1.5, 0))
        self.assertEqual(self.row(by_industry["construction"]), (2, 100.0, 4.0, 1))
        self.assertEqual(
            self.row(self.values(self.alice, industry="construction", year="2025")[""]), (2, 100.0, 4.0, 1)
        )

    def test_breakdown_equals_the_figure_child_by_child(self):
        for key in KEYS:
            figure = registry["figures"][key]
            for parent in (self.city, self.county_a, self.town_a1):
                filters = {"region": parent.code, "year": "2025"}
                parts = figure.breakdown(self.bob, filters, "region")
                self.assertTrue(parts)
                for code, value in parts.items():
                    self.assertEqual(value, figure.compute(self.bob, {**filters, "region": code}), (key, code))
            for code, value in figure.breakdown(self.alice, {"year": "2025"}, "industry").items():
                self.assertEqual(value, figure.compute(self.alice, {"year": "2025", "industry": code}), (key, code))

    def test_scope(self):
        self.assertEqual(
            self.row(self.values(self.charlie, region=self.county_a.code, year="2025")[""]), (0, None, None, 0)
        )
        self.assertEqual(self.row(self.values(self.charlie, year="2025")[""]), (1, 100.0, 1.0, 0))
        # a department: its industries and the reports not yet tied to one (r4), in its town
        self.assertEqual(self.row(self.values(self.erin, year="2025")[""]), (3, 50.0, 1.5, 1))
        self.assertEqual(self.row(self.values(self.bob, year="2025")[""]), (6, 75.0, 2.0, 2))
        self.assertEqual(self.row(self.values(None, region=self.county_a.code, year="2025")[""]), (5, 66.7, 2.3, 2))

    def test_each_figure_links_to_the_reports_behind_it(self):
        client = self.login(self.alice)
        cases = [
            ({"region": self.county_a.code, "year": "2025"}, {
                "reports.received": {1, 2, 3, 4, 8}, "reports.verified_share": {1, 8},
                "reports.reply_days": {1, 2, 8}, "reports.overdue": {4, 7},
            }),
            ({"region": self.town_a1.code, "year": "2025", "start": "2025-03-01", "end": "2025-04-30"}, {
                "reports.received": {1, 2}, "reports.verified_share": {1}, "reports.reply_days": {1, 2},
                "reports.overdue": {7},
            }),
            ({"industry": "construction", "year": "2025"}, {
                "reports.received": {3, 8}, "reports.verified_share": {8}, "reports.reply_days": {8},
                "reports.overdue": {7},
            }),
        ]  # fmt: skip
        for filters, expected in cases:
            for key, numbers in expected.items():
                url = registry["figures"][key].url(filters)
                self.assertEqual(resolve(urlsplit(url).path).url_name, "list")
                query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
                listed = set(report_list(user=self.alice, filters=query).values_list("pk", flat=True))
                self.assertEqual(listed, {self.r[n].pk for n in numbers}, (key, filters))
                page = client.get(url).content.decode()
                for n, item in self.r.items():
                    (self.assertIn if n in numbers else self.assertNotIn)(item.code, page)
            got = self.values(self.alice, **filters)[""]
            self.assertEqual(got["reports.received"], len(expected["reports.received"]))
            self.assertEqual(got["reports.overdue"], len(expected["reports.overdue"]))
            made = dict(Report.objects.values_list("pk", "created_at"))
            days = [
                Message.objects.filter(report=self.r[n], kind="reply").order_by("at").first().at - made[self.r[n].pk]
                for n in expected["reports.reply_days"]
            ]
            self.assertEqual(
                got["reports.reply_days"], round(sum(d.total_seconds() for d in days) / len(days) / 86400, 1)
            )
        self.assertGreater(date.today().year, 2025)  # the overdue cases above are overdue today
