"""Two workers run the duties job at the same moment: each mark is issued once (PostgreSQL)."""

import unittest
from datetime import date, datetime, time

from django.db import connection
from django.test import TransactionTestCase
from django.utils import timezone

from zhiben.duties.models import DutyEvent
from zhiben.duties.services import duties_tick
from zhiben.enterprises.models import Enterprise
from zhiben.notifications.models import Notification
from zhiben.testing import at_once, build_cast


@unittest.skipUnless(connection.vendor == "postgresql", "concurrent transactions need PostgreSQL")
class ConcurrentTickTests(TransactionTestCase):
    def setUp(self):
        build_cast(self)
        Enterprise.objects.update(created_at=timezone.make_aware(datetime.combine(date(2030, 5, 1), time(12))))

    def test_two_workers_mark_each_enterprise_once(self):
        outcomes = at_once(lambda: duties_tick(today=date(2030, 7, 16)), lambda: duties_tick(today=date(2030, 7, 16)))
        errors = [r for r in outcomes if isinstance(r, Exception)]
        results = [r for r in outcomes if not isinstance(r, Exception)]
        self.assertEqual(errors, [])
        self.assertEqual(sum(r["overdue"] for r in results), 3)
        self.assertEqual(DutyEvent.objects.filter(action="overdue").count(), 3)
        self.assertEqual(Notification.objects.filter(channel="inbox", recipient=self.emma).count(), 1)
