"""Two reviewers sign off the same hazard at the same moment: exactly one wins (PostgreSQL)."""

import unittest

from django.db import connection
from django.test import TransactionTestCase

from zhiben.core.exceptions import ApplicationError
from zhiben.hazards import services
from zhiben.hazards.choices import Status
from zhiben.hazards.models import Hazard
from zhiben.testing import at_once, build_cast, make_user

from .helpers import ready, report


@unittest.skipUnless(connection.vendor == "postgresql", "row locks and concurrent transactions need PostgreSQL")
class ConcurrentReviewTests(TransactionTestCase):
    def setUp(self):
        build_cast(self)
        self.erin2 = make_user("erin2", "regulator", self.town_a1, unit=self.unit_emergency_a1)

    def race(self, action, actors, **kwargs):
        hazard = ready(report(self.gina, self.enterprise_a), self.erin, status=Status.SUBMITTED)
        results = at_once(
            *(
                lambda user=user: services.hazard_transition(actor=user, hazard=hazard, action=action, **kwargs)
                for user in actors
            )
        )
        return hazard, [r.code if isinstance(r, ApplicationError) else "ok" for r in results]

    def test_one_of_two_reviewers_wins(self):
        hazard, outcomes = self.race("close", [self.erin, self.erin2], note="同意销号")
        self.assertEqual(sorted(outcomes), ["bad_state", "ok"])
        self.assertEqual(Hazard.objects.get(pk=hazard.pk).status, Status.CLOSED)
        self.assertEqual(hazard.events.filter(action="close").count(), 1)

    def test_close_and_return_at_once(self):
        hazard = ready(
            report(self.gina, self.enterprise_a, description="另一条并发隐患"), self.erin, status=Status.SUBMITTED
        )
        results = at_once(
            lambda: services.hazard_transition(actor=self.erin, hazard=hazard, action="close", note="并发"),
            lambda: services.hazard_transition(actor=self.erin2, hazard=hazard, action="return", note="并发"),
        )
        outcomes = {
            action: (r.code if isinstance(r, ApplicationError) else "ok")
            for action, r in zip(("close", "return"), results)
        }
        self.assertEqual(sorted(outcomes.values()), ["bad_state", "ok"])
        final = Hazard.objects.get(pk=hazard.pk).status
        winner = next(a for a, o in outcomes.items() if o == "ok")
        self.assertEqual(final, Status.CLOSED if winner == "close" else Status.RECTIFYING)
        self.assertEqual(hazard.events.filter(action__in=["close", "return"]).count(), 1)
