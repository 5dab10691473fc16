"""Two people acting on one case or order at the same moment: one wins, the other is refused (PostgreSQL)."""

import unittest
from datetime import timedelta

from django.db import connection
from django.test import TransactionTestCase
from django.utils import timezone

from zhiben.accounts.choices import Role
from zhiben.audit.models import AuditEvent
from zhiben.core.exceptions import ApplicationError
from zhiben.enforcement import services
from zhiben.enforcement.models import EnforcementCase, RectificationOrder
from zhiben.testing import at_once, build_cast, make_user


@unittest.skipUnless(connection.vendor == "postgresql", "row locks and concurrent transactions need PostgreSQL")
class ConcurrentActionTests(TransactionTestCase):
    def setUp(self):
        build_cast(self)
        self.erin2 = make_user("erin2", Role.REGULATOR, self.town_a1, unit=self.unit_emergency_a1)

    def test_two_decisions_at_once(self):
        case = services.case_create(
            actor=self.erin, data={"enterprise": self.enterprise_a.pk, "violation": "未持证上岗"}
        )
        results = at_once(
            *(
                lambda actor=actor, n=n: services.case_transition(
                    actor=actor,
                    case=case,
                    action="decide",
                    data={"measures": ["fine"], "fine": str(1000 * n), "decision_number": f"凤应急罚〔2026〕{n}号"},
                )
                for n, actor in enumerate((self.erin, self.erin2), start=1)
            )
        )
        refused = [r for r in results if isinstance(r, ApplicationError)]
        self.assertEqual(len(refused), 1, results)
        self.assertIn("不能作出处罚决定", refused[0].message)
        self.assertEqual(AuditEvent.objects.filter(action="enforcement.case_decide").count(), 1)
        self.assertEqual(EnforcementCase.objects.get().status, "decided")

    def test_two_reviews_at_once(self):
        order = services.order_create(
            actor=self.erin,
            data={
                "enterprise": self.enterprise_a.pk,
                "items": "1. 安全出口堵塞",
                "deadline": timezone.localdate() + timedelta(days=3),
            },
        )
        results = at_once(
            lambda: services.order_review(actor=self.erin, order=order, passed=True, opinion="整改到位"),
            lambda: services.order_review(actor=self.erin2, order=order, passed=False, opinion="未整改"),
        )
        self.assertEqual(sum(isinstance(r, ApplicationError) for r in results), 1, results)
        self.assertEqual(AuditEvent.objects.filter(action="enforcement.order_review").count(), 1)
        self.assertIn(RectificationOrder.objects.get().status, ("passed", "failed"))
