"""The duty part of the demo loads whatever the day and hour: `make run` on a Monday morning must work."""

from datetime import timedelta
from unittest import mock

from django.db import transaction

from zhiben.accounts.models import Role
from zhiben.testing import CastTestCase, make_user

from .. import demo
from ..models import DutySlot, Handover
from .helpers import at, town_office


class DemoAtAnyHourTests(CastTestCase):
    def test_the_duty_demo_loads_at_night_and_in_the_day_on_monday_tuesday_and_sunday(self):
        make_user("anweiban", Role.COMMITTEE_ADMIN, self.county_a, unit=self.unit_office_a)
        make_user("fhanweiban", Role.COMMITTEE_ADMIN, self.town_a1, unit=town_office(self))
        monday = at("2030-05-06 00:00")  # a Monday
        for day in (0, 1, 6):  # the first shifts of a week, and the last
            for hour in (3, 9):
                now = monday + timedelta(days=day, hours=hour)
                with self.subTest(now=now), transaction.atomic():
                    with mock.patch("django.utils.timezone.now", return_value=now):
                        demo.load()
                    self.assertEqual(DutySlot.objects.count(), 42)  # two units, three weeks, one shift a day
                    self.assertEqual(Handover.objects.count(), 1)
                    transaction.set_rollback(True)
