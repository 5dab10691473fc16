"""The roll-ups of the hazard figures (FoundTally, ClosedTally, DueTally, kept by triggers) give the same
numbers as counting the hazards themselves: after creating, updating (through save, queryset.update and
bulk_update), merging, re-opening and deleting a random set, for every kind of period, breakdown, scope
and day — on SQLite and PostgreSQL alike."""

import random
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from zhiben.core.periods import filter_range, parse_period
from zhiben.hazards.choices import Channel, Level, Status
from zhiben.hazards.models import DueTally, FoundTally, Hazard
from zhiben.hazards.selectors import _tallies_serve, hazard_figures
from zhiben.regions.models import Industry
from zhiben.testing import CastTestCase, make_enterprise

STATUSES = [s for s, _ in Status.choices]
CHANNELS = [c for c, _ in Channel.choices]
PERIODS = [
    "2023",
    "2024",
    "2025",
    "2026",
    "2026-02",
    "2026-05",
    "2026-06",
    "2026Q1",
    "2026Q2",
    "2025Q4",
    "2026H1",
    "2026W07",
]


def moment(day, hour):
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, 30))


class TallyTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        rng = random.Random(2026)
        cls.rng = rng
        extra = make_enterprise(cls.village_a2, "machinery", name="双碑机械有限公司")
        enterprises = [cls.enterprise_a, cls.enterprise_a_construction, cls.enterprise_b, extra]
        rows = [cls.fields(rng, enterprises, i) for i in range(160)]
        Hazard.objects.bulk_create(Hazard(**row) for row in rows[:120])  # as an import writes them
        for row in rows[120:]:  # as an intake writes them
            Hazard.objects.create(**row)
        # the edges: rectified on the deadline day; closed on the deadline day without a rectification date
        # at 01:30 Beijing time on the 1st of a month (still the previous month and day in UTC)
        edge = dict(rows[0], status=Status.CLOSED, found_date=date(2026, 2, 20), deadline=date(2026, 3, 1))
        Hazard.objects.create(
            **dict(edge, number="EDGE-1", rectified_date=date(2026, 3, 1), closed_at=moment(date(2026, 3, 2), 9))
        )
        Hazard.objects.create(**dict(edge, number="EDGE-2", rectified_date=None, closed_at=moment(date(2026, 3, 1), 1)))

    @staticmethod
    def fields(rng, enterprises, i):
        enterprise = rng.choice(enterprises)
        found = date(2023, 1, 1) + timedelta(days=rng.randint(0, 1300))
        status = rng.choice(STATUSES)
        fields = {
            "number": f"TALLY-{i}",
            "enterprise": enterprise,
            "region": enterprise.region,
            "industry": enterprise.industry,
            "channel": rng.choice(CHANNELS),
            "level": Level.MAJOR if rng.random() < 0.3 else Level.GENERAL,
            "listed_level": "county" if rng.random() < 0.2 else "",
            "description": "测试隐患",
            "found_date": found,
            "status": status,
            "historic": rng.random() < 0.1,
            "deadline": None if rng.random() < 0.15 else found + timedelta(days=rng.choice([5, 20, 45, 90])),
        }
        if status == Status.CLOSED:
            closed = found + timedelta(days=rng.randint(0, 80))
            # 23:30 Beijing time is the next day in UTC: the month of closing is the local one
            fields["closed_at"] = moment(closed, rng.choice([1, 10, 23]))
            if rng.random() < 0.7:
                fields["rectified_date"] = closed - timedelta(days=rng.randint(0, 3))
        return fields

    def assert_same(self, user, today, **filters):
        served = _tallies_serve(user, *filter_range(filters, today), date(2023, 12, 31))
        for by in (None, "region", "industry"):
            raw = hazard_figures(user=user, filters=filters, by=by, today=today, tallies=False)
            rolled = hazard_figures(user=user, filters=filters, by=by, today=today, tallies=served or None)
            self.assertEqual(rolled, raw, f"{user.username} {filters} by={by} today={today}")

    def assert_all_same(self):
        for user in (self.alice, self.bob, self.erin, self.gina):
            for today in (date(2026, 6, 15), date(2026, 12, 31), date(2025, 3, 1)):
                for text in PERIODS:
                    period = parse_period(text)
                    self.assert_same(user, today, **period.filters)
                self.assert_same(user, today, year="2026", industry="hazchem")
                self.assert_same(user, today, year="2026", region=self.town_a1.code)

    def test_equal_to_counting_the_hazards_after_writing_them(self):
        self.assertTrue(FoundTally.objects.exists())
        self.assert_all_same()

    def test_equal_after_updates_merges_reopening_and_deletes(self):
        rng = random.Random(5)
        hazards = list(Hazard.objects.order_by("pk"))
        for h in rng.sample(hazards, 30):  # through save(): every field written
            h.status = rng.choice(STATUSES)
            h.level = rng.choice([Level.MAJOR, Level.GENERAL])
            h.deadline = h.found_date + timedelta(days=rng.randint(1, 200))
            h.closed_at = moment(h.found_date + timedelta(days=rng.randint(0, 60)), 12) if rng.random() < 0.5 else None
            h.save()
        # a raw queryset update and a bulk update: no save(), no signal
        Hazard.objects.filter(pk__in=[h.pk for h in hazards[:15]]).update(status=Status.MERGED)
        Hazard.objects.filter(pk__in=[h.pk for h in hazards[15:30]]).update(
            status=Status.CLOSED, closed_at=moment(date(2026, 3, 31), 23)
        )
        moved = hazards[30:50]
        for h in moved:
            h.region = self.village_a2
            h.industry = Industry.objects.get(code="construction")
            h.listed_level = ""
            h.repeat_of = hazards[0]
        Hazard.objects.bulk_update(moved, ["region", "industry", "listed_level", "repeat_of"])
        Hazard.objects.filter(pk__in=[h.pk for h in hazards[50:60]]).update(description="只改描述")  # counts nothing
        Hazard.objects.filter(pk__in=[h.pk for h in hazards[60:70]]).delete()
        self.assert_all_same()

    def test_month_by_month_equals_each_month_counted_on_the_hazards(self):
        for user in (self.alice, self.erin):
            for filters in ({}, {"industry": "hazchem"}, {"region": self.town_a1.code}):
                span = {**filters, "year": "2025", "start": "2025-07-01", "end": "2026-06-30"}
                months = hazard_figures(user=user, filters=span, by="month", today=date(2026, 6, 15))
                self.assertEqual(len(months), 12)
                for text, values in months.items():
                    period = parse_period(text)
                    raw = hazard_figures(
                        user=user, filters={**filters, **period.filters}, today=date(2026, 6, 15), tallies=False
                    )[""]
                    self.assertEqual(values, {k: raw[k] for k in values}, f"{user.username} {filters} {text}")
                    self.assertIn("hazards.closed", values)
                    self.assertNotIn("hazards.open", values)  # a state, not a count over the month
        # an enterprise's own figures are counted on its hazards: no months from the roll-ups
        self.assertEqual(hazard_figures(user=self.emma, filters={"year": "2026"}, by="month"), {})

    def test_a_rolled_back_write_leaves_the_tallies_as_they_were(self):
        before = list(DueTally.objects.order_by("pk").values())
        with self.assertRaises(RuntimeError), transaction.atomic():
            Hazard.objects.filter(status=Status.RECTIFYING).update(deadline=date(2026, 1, 1))
            raise RuntimeError
        self.assertEqual(list(DueTally.objects.order_by("pk").values()), before)

    def test_the_roll_ups_serve_whole_months_and_region_scopes_only(self):
        baseline = date(2023, 12, 31)
        self.assertTrue(_tallies_serve(self.alice, date(2026, 1, 1), date(2026, 12, 31), baseline))
        self.assertTrue(_tallies_serve(self.erin, date(2026, 2, 1), date(2026, 2, 28), baseline))
        self.assertFalse(_tallies_serve(self.alice, date(2026, 1, 5), date(2026, 12, 31), baseline))
        self.assertFalse(_tallies_serve(self.alice, date(2026, 1, 1), date(2026, 12, 30), baseline))
        self.assertFalse(_tallies_serve(self.alice, date(2026, 1, 1), date(2026, 12, 31), date(2023, 12, 30)))
        self.assertFalse(_tallies_serve(self.emma, date(2026, 1, 1), date(2026, 12, 31), baseline))  # one enterprise
        # the figures of a custom range are still right: counted on the hazards
        self.assert_same(self.alice, date(2026, 6, 15), start="2026-01-05", end="2026-05-20")
        self.assert_same(self.emma, date(2026, 6, 15), year="2026")
