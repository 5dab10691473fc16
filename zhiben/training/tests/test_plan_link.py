"""A plan indicator linked to a registered coverage figure shows the live value on the plan page and its
一张表, and the value follows new training records."""

from datetime import date

from django.urls import reverse
from django.utils import timezone

from zhiben.plans.models import Indicator, Plan

from .. import services
from .helpers import TrainingCase


class PlanIndicatorTests(TrainingCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.year = timezone.localdate().year
        cls.plan = Plan.objects.create(
            title="安全生产治本攻坚三年行动方案", region=cls.county_a, start_year=2024, end_year=2026, series="zb-test"
        )
        cls.indicator = Indicator.objects.create(
            plan=cls.plan, name="主要负责人培训覆盖率", target_value=100, figure_key="training.principal_coverage"
        )
        Indicator.objects.create(plan=cls.plan, name="未关联指标", target_value=90)
        cls.p_a = cls.person("甲总", cls.enterprise_a, "principal", actor=cls.alice)
        cls.p_con = cls.person("建总", cls.enterprise_a_construction, "principal", actor=cls.alice)
        cls.held = date(cls.year, 1, 2)
        cls.training = cls.session("principal", cls.held, actor=cls.alice)
        services.attendance_add(actor=cls.alice, session=cls.training, person=cls.p_a)

    def test_live_value(self):
        live = Indicator.objects.get(pk=self.indicator.pk).live
        self.assertEqual(str(live["value"]), "50.0")
        self.assertFalse(live["met"])
        self.assertIn("training.principal_coverage", live["url"])
        self.assertIsNone(Indicator.objects.get(name="未关联指标").live)

    def test_plan_pages_show_the_live_value_and_follow_training(self):
        client = self.login(self.alice)
        self.assertContains(
            client.get(reverse("plans:detail", args=[self.plan.pk])), "实时值：<strong>50.0%</strong>", html=False
        )
        board = client.get(reverse("plans:board", args=[self.plan.pk]))
        self.assertContains(board, 'data-figure="training.principal_coverage">50.0%')
        services.attendance_add(actor=self.alice, session=self.training, person=self.p_con)
        board = client.get(reverse("plans:board", args=[self.plan.pk]))
        self.assertContains(board, 'data-figure="training.principal_coverage">100.0%')
        self.assertContains(board, "达标")
