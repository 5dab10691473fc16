"""Two documents issued by one unit at the same moment get consecutive, distinct numbers (PostgreSQL)."""

import unittest

from django.db import connection
from django.test import TransactionTestCase

from zhiben.documents import services
from zhiben.documents.models import Document
from zhiben.hazards.documents import Kind
from zhiben.testing import at_once, build_cast, make_user

from .helpers import verified_hazard


@unittest.skipUnless(connection.vendor == "postgresql", "row locks and concurrent transactions need PostgreSQL")
class ConcurrentIssueTests(TransactionTestCase):
    def setUp(self):
        build_cast(self)
        self.alice2 = make_user("alice2", "anweiban_admin", self.county_a, unit=self.unit_office_a)
        self.hazard = verified_hazard(self)

    def test_two_at_once_get_consecutive_numbers(self):
        actors = [self.alice, self.alice2, self.alice, None]
        results = at_once(
            *(
                lambda actor=actor: services.document_issue(
                    actor=actor,
                    kind=Kind.SUPERVISION_LETTER,
                    subject=self.hazard,
                    unit=self.unit_office_a,
                    extra={"逾期天数": 3},
                )
                for actor in actors
            )
        )
        outcomes = [repr(r) if isinstance(r, Exception) else r.number for r in results]
        year = Document.objects.first().year
        self.assertEqual(
            sorted(outcomes), sorted(f"沙安办〔{year}〕{n}号" for n in range(1, len(actors) + 1)), outcomes
        )
        self.assertEqual(sorted(Document.objects.values_list("sequence", flat=True)), list(range(1, len(actors) + 1)))
