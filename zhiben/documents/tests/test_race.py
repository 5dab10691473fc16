"""Two documents issued by one unit at the same moment get consecutive, distinct numbers (PostgreSQL)."""

import threading
import unittest

from django.db import connection, connections
from django.test import TransactionTestCase

from zhiben.documents import services
from zhiben.documents.choices import Kind
from zhiben.documents.models import Document
from zhiben.testing import build_cast, make_user

from .helpers import verified_hazard


@unittest.skipUnless(connection.vendor == "postgresql", "row locks and concurrent transactions need PostgreSQL")
class ConcurrentIssueTests(TransactionTestCase):
    def setUp(self):
        build_cast(self)
        self.alice2 = make_user("alice2", "anweiban_admin", self.county_a, unit=self.unit_office_a)
        self.hazard = verified_hazard(self)

    def test_two_at_once_get_consecutive_numbers(self):
        actors = [self.alice, self.alice2, self.alice, None]
        barrier = threading.Barrier(len(actors))
        outcomes = []

        def issue(actor):
            try:
                barrier.wait()
                document = services.document_issue(actor=actor, kind=Kind.SUPERVISION_LETTER, hazard=self.hazard,
                                                    unit=self.unit_office_a, extra={"逾期天数": 3})
                outcomes.append(document.number)
            except Exception as exc:  # noqa: BLE001 - reported below
                outcomes.append(repr(exc))
            finally:
                connections.close_all()

        threads = [threading.Thread(target=issue, args=(actor,)) for actor in actors]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        year = Document.objects.first().year
        self.assertEqual(sorted(outcomes), sorted(f"沙安办〔{year}〕{n}号" for n in range(1, len(actors) + 1)), outcomes)
        self.assertEqual(sorted(Document.objects.values_list("sequence", flat=True)), list(range(1, len(actors) + 1)))
