from io import StringIO

from django.core.management import call_command
from django.test import TestCase

from zhiben.accounts.models import User
from zhiben.audit.services import audit_verify
from zhiben.enterprises.models import Enterprise
from zhiben.enterprises.validators import credit_code_error
from zhiben.hazards.models import Hazard
from zhiben.plans.models import Plan
from zhiben.regions.models import Region, Unit


class DemoTests(TestCase):
    """`make run` loads this demo: it must load, be idempotent and meet the foundation issue's size."""

    def test_demo_loads_twice_with_the_promised_content(self):
        call_command("load_demo", stdout=StringIO())
        counts = (
            Region.objects.count(),
            Unit.objects.count(),
            Enterprise.objects.count(),
            Hazard.objects.count(),
            User.objects.count(),
        )
        self.assertGreaterEqual(Region.objects.filter(level=4, code__startswith="500106").count(), 3)
        self.assertGreaterEqual(Region.objects.filter(level=5, code__startswith="500106").count(), 12)
        self.assertGreaterEqual(Enterprise.objects.count(), 300)
        self.assertTrue(
            all(credit_code_error(code) is None for code in Enterprise.objects.values_list("credit_code", flat=True))
        )
        for name in (
            "凤凰镇经发办",
            "凤凰镇应急办",
            "凤凰镇规建办",
            "凤凰镇党建办",
            "凤凰镇司法所",
            "凤凰镇市场监管所",
            "凤凰镇财政办",
        ):
            self.assertTrue(Unit.objects.filter(name=name).exists(), name)
        self.assertGreaterEqual(
            set(User.objects.values_list("role", flat=True)),
            {
                "anweiban_admin",
                "regulator",
                "grid",
                "enterprise",
                "expert",
                "leader",
                "sys_admin",
                "sec_admin",
                "audit_admin",
            },
        )
        self.assertEqual(Plan.objects.get().tasks.count(), 79)  # seed 000's 重点任务清单
        out = StringIO()
        call_command("load_demo", stdout=out)
        self.assertEqual(
            counts,
            (
                Region.objects.count(),
                Unit.objects.count(),
                Enterprise.objects.count(),
                Hazard.objects.count(),
                User.objects.count(),
            ),
        )
        self.assertIn("Zhiben@2026", out.getvalue())
        self.assertTrue(audit_verify()[0])
