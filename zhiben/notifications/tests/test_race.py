"""Two workers drain the outbox at the same moment: each message goes out exactly once (PostgreSQL)."""

import unittest
from collections import Counter

from django.db import connection
from django.test import TransactionTestCase, override_settings

from zhiben.notifications.choices import DeliveryStatus
from zhiben.notifications.models import Notification
from zhiben.notifications.services import notify, send_pending
from zhiben.testing import at_once

from . import recording


@unittest.skipUnless(connection.vendor == "postgresql", "concurrent transactions need PostgreSQL")
@override_settings(NOTIFICATION_SENDERS={"sms": "zhiben.notifications.tests.recording.RecordingSender"})
class ConcurrentWorkersTests(TransactionTestCase):
    def test_two_workers_send_each_message_exactly_once(self):
        notify(subject="并发发送", contacts=[(f"联系人{n}", f"1380000{n:04d}") for n in range(120)])
        recording.SENT.clear()
        outcomes = at_once(send_pending, send_pending)
        errors = [r for r in outcomes if isinstance(r, Exception)]
        results = [r for r in outcomes if not isinstance(r, Exception)]
        self.assertEqual(errors, [])
        counts = Counter(recording.SENT)
        self.assertEqual(len(counts), 120)
        self.assertEqual(max(counts.values()), 1)
        self.assertEqual(sum(sent for sent, _ in results), 120)
        self.assertTrue(all(sent > 0 for sent, _ in results), results)  # both workers took a share
        self.assertEqual(Notification.objects.filter(status=DeliveryStatus.SENT).count(), 120)
        self.assertFalse(Notification.objects.filter(attempts__gt=1).exists())
