"""Two workers run the duties job at the same moment: each mark is issued once (PostgreSQL)."""

import threading
import unittest
from datetime import date, datetime, time

from django.db import connection, connections
from django.test import TransactionTestCase
from django.utils import timezone

from zhiben.duties.models import DutyEvent
from zhiben.duties.services import duties_tick
from zhiben.enterprises.models import Enterprise
from zhiben.notifications.models import Notification
from zhiben.testing import build_cast


@unittest.skipUnless(connection.vendor == "postgresql", "concurrent transactions need PostgreSQL")
class ConcurrentTickTests(TransactionTestCase):
    def setUp(self):
        build_cast(self)
        Enterprise.objects.update(created_at=timezone.make_aware(datetime.combine(date(2030, 5, 1), time(12))))

    def test_two_workers_mark_each_enterprise_once(self):
        barrier = threading.Barrier(2)
        results, errors = [], []

        def worker():
            try:
                barrier.wait()
                results.append(duties_tick(today=date(2030, 7, 16)))
            except Exception as exc:  # noqa: BLE001 — reported by the assertion below
                errors.append(exc)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        self.assertEqual(errors, [])
        self.assertEqual(sum(r["overdue"] for r in results), 3)
        self.assertEqual(DutyEvent.objects.filter(action="overdue").count(), 3)
        self.assertEqual(Notification.objects.filter(channel="inbox", recipient=self.emma).count(), 1)
