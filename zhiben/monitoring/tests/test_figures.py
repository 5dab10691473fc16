"""The alarm figures analytics reads (selectors.monitoring_figures through the registered Figures) against a
hand-counted set: the year, a narrower period, child regions and industries side by side (equal to the
figure child by child), scope, the system reader, and the alarm list behind each figure."""

import itertools
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

from django.urls import resolve
from django.utils import timezone

from zhiben.core.registry import registry
from zhiben.monitoring.choices import AlarmStatus
from zhiben.monitoring.models import Alarm, AlarmRule
from zhiben.monitoring.selectors import alarm_list, monitoring_figures
from zhiben.testing import CastTestCase

from .helpers import make_device

KEYS = ("monitoring.alarms", "monitoring.unacknowledged")
SERIAL = itertools.count(1)


def at(y, m, d):
    return timezone.make_aware(datetime(y, m, d, 9, 30))


class AlarmFigureTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        a, _ = make_device(cls.alice, cls.enterprise_a, "FIG-A")
        c, _ = make_device(cls.alice, cls.enterprise_a_construction, "FIG-C")
        b, _ = make_device(cls.charlie, cls.enterprise_b, "FIG-B")

        def alarm(device, when, status=AlarmStatus.RAISED):
            rule = AlarmRule.objects.create(device=device, kind="above", threshold=25)
            n = next(SERIAL)
            return Alarm.objects.create(
                device=device,
                rule=rule,
                enterprise=device.enterprise,
                region=device.region,
                industry=device.industry,
                kind="above",
                status=status,
                message=f"测试报警{n:03d}号",
                raised_at=when,
            )

        cls.a1 = alarm(a, at(2025, 3, 10))  # raised, not acknowledged
        cls.a2 = alarm(a, at(2025, 5, 20), AlarmStatus.ACKNOWLEDGED)
        cls.a3 = alarm(a, at(2025, 7, 1), AlarmStatus.CLOSED)
        cls.a4 = alarm(c, at(2025, 3, 15))  # the construction enterprise, village A2
        cls.a5 = alarm(a, at(2024, 12, 30))  # last year's, still not acknowledged
        cls.a6 = alarm(b, at(2025, 4, 1))  # the other county
        cls.a7 = alarm(a, at(2026, 1, 5))  # after the period

    def values(self, user, by=None, **filters):
        return monitoring_figures(user=user, filters=filters, by=by)

    def pair(self, row):
        return tuple(row[k] for k in KEYS)

    def test_the_year_against_hand_counts(self):
        # raised in 2025: a1 a2 a3 a4; raised by its end and not acknowledged: a1 a4 a5
        self.assertEqual(self.pair(self.values(self.alice, year="2025")[""]), (4, 3))
        registered = registry["figures"]
        self.assertEqual(registered["monitoring.alarms"].compute(self.alice, {"year": "2025"}), 4)
        self.assertEqual(registered["monitoring.unacknowledged"].compute(self.alice, {"year": "2025"}), 3)
        self.assertEqual(
            {(f.group, f.unit, f.better) for k, f in registered.items() if k in KEYS},
            {("监测预警", "次", "lower"), ("监测预警", "条", "lower")},
        )

    def test_a_period_narrower_than_a_year(self):
        got = self.values(self.alice, year="2025", start="2025-03-01", end="2025-03-31")[""]
        self.assertEqual(self.pair(got), (2, 3))  # a1 a4 raised in March; a1 a4 a5 open at its end
        got = self.values(self.alice, year="2025", start="2025-01-01", end="2025-03-12")[""]
        self.assertEqual(self.pair(got), (1, 2))  # a1; a1 a5

    def test_children_and_industries_side_by_side(self):
        by_village = self.values(self.alice, by="region", region=self.town_a1.code, year="2025")
        self.assertEqual(
            by_village[""], self.values(self.alice, region=self.town_a1.code, year="2025")[""]
        )  # the whole, same rows
        self.assertEqual(
            {code: self.pair(row) for code, row in by_village.items() if code},
            {self.village_a1.code: (3, 2), self.village_a2.code: (1, 1)},
        )
        by_town = self.values(self.alice, by="region", region=self.county_a.code, year="2025")
        self.assertEqual(
            by_town[""], self.values(self.alice, region=self.county_a.code, year="2025")[""]
        )  # the whole, same rows
        self.assertEqual(by_town[self.town_a1.code], dict(zip(KEYS, (4, 3), strict=True)))
        self.assertEqual(by_town[self.town_a2.code], dict(zip(KEYS, (0, 0), strict=True)))
        self.assertEqual(self.values(self.alice, by="region", region=self.village_a1.code, year="2025"), {})
        by_industry = self.values(self.alice, by="industry", year="2025")
        self.assertEqual(self.pair(by_industry["hazchem"]), (3, 2))
        self.assertEqual(self.pair(by_industry["construction"]), (1, 1))
        self.assertEqual(self.pair(self.values(self.alice, industry="construction", year="2025")[""]), (1, 1))

    def test_breakdown_equals_the_figure_child_by_child(self):
        for key in KEYS:
            figure = registry["figures"][key]
            for parent in (self.county_a, self.town_a1, self.city):
                filters = {"region": parent.code, "year": "2025"}
                parts = figure.breakdown(self.bob, filters, "region")
                self.assertTrue(parts)
                for code, value in parts.items():
                    self.assertEqual(
                        value, figure.compute(self.bob, {**filters, "region": code or parent.code}), (key, code)
                    )
            parts = figure.breakdown(self.alice, {"year": "2025"}, "industry")
            for code, value in parts.items():
                self.assertEqual(value, figure.compute(self.alice, {"year": "2025", "industry": code}), (key, code))

    def test_scope(self):
        # another county counts none of ours, even when asking for our region
        self.assertEqual(self.pair(self.values(self.charlie, region=self.county_a.code, year="2025")[""]), (0, 0))
        self.assertEqual(self.pair(self.values(self.charlie, year="2025")[""]), (1, 1))
        # a department sees the industries it supervises (erin: hazchem, machinery in town A1)
        self.assertEqual(self.pair(self.values(self.erin, year="2025")[""]), (3, 2))
        # the city sees both counties; the system reader (no user) the region asked for
        self.assertEqual(self.pair(self.values(self.bob, year="2025")[""]), (5, 4))
        self.assertEqual(self.pair(self.values(None, region=self.county_a.code, year="2025")[""]), (4, 3))

    def test_each_figure_links_to_the_alarms_behind_it(self):
        client = self.login(self.alice)
        cases = [
            ({"region": self.county_a.code, "year": "2025"}, {"monitoring.alarms": {1, 2, 3, 4}}),
            ({"region": self.county_a.code, "year": "2025"}, {"monitoring.unacknowledged": {1, 4, 5}}),
            (
                {"region": self.town_a1.code, "industry": "construction", "year": "2025", "start": "2025-03-01",
                 "end": "2025-03-31"},
                {"monitoring.alarms": {4}, "monitoring.unacknowledged": {4}},
            ),
        ]  # fmt: skip
        alarms = {n: getattr(self, f"a{n}") for n in range(1, 8)}
        for filters, expected in cases:
            for key, numbers in expected.items():
                figure = registry["figures"][key]
                url = figure.url(filters)
                self.assertEqual(resolve(urlsplit(url).path).url_name, "alarms")
                query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
                listed = set(alarm_list(user=self.alice, filters=query).values_list("pk", flat=True))
                self.assertEqual(listed, {alarms[n].pk for n in numbers}, (key, filters))
                self.assertEqual(len(listed), figure.compute(self.alice, filters))
                page = client.get(url).content.decode()
                for n, alarm in alarms.items():
                    (self.assertIn if n in numbers else self.assertNotIn)(alarm.message, page)
