"""Pages for every role: lists filter, sort, paginate and export; sessions, attendance and training bodies
recorded through the pages; other counties' records 404; viewers refused the writing pages; the home cards."""

from datetime import date

from django.urls import reverse

from .. import services
from ..models import Attendance, Session, TrainingBody
from .helpers import TrainingCase, identity


class PageTests(TrainingCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.worker = cls.person("张一", cls.enterprise_a, category="welding", id_number=identity(301), actor=cls.alice)
        cls.session_a = cls.session("worker", date(2026, 6, 1), actor=cls.alice, title="凤凰从业人员培训")
        cls.session_b = cls.session(
            "worker", date(2026, 6, 2), region="500107", actor=cls.charlie, title="西彭从业人员培训"
        )
        cls.body_b = services.body_save(actor=cls.charlie, data={"name": "九龙坡培训中心", "region": "500107"})

    def test_lists_and_exports(self):
        client = self.login(self.alice)
        for name in ("sessions", "people", "certificates", "uncertified", "coverage", "bodies"):
            self.assertEqual(client.get(reverse(f"training:{name}")).status_code, 200, name)
        page = client.get(reverse("training:sessions"))
        self.assertContains(page, "凤凰从业人员培训")
        self.assertNotContains(page, "西彭从业人员培训")
        self.assertNotContains(client.get(reverse("training:bodies")), "九龙坡培训中心")
        for name in ("session_export", "person_export", "certificate_export"):
            response = client.get(reverse(f"training:{name}"))
            self.assertEqual(response.status_code, 200, name)
            self.assertIn("spreadsheetml", response["Content-Type"])
        self.assertEqual(client.get(reverse("training:bodies"), {"export": "1"}).status_code, 200)
        self.assertEqual(client.get(reverse("training:uncertified"), {"export": "1"}).status_code, 200)
        page = client.get(reverse("training:sessions"), {"kind": "principal"})
        self.assertNotContains(page, "凤凰从业人员培训")
        page = client.get(reverse("training:sessions"), {"sort": "held", "q": "凤凰"})
        self.assertContains(page, "凤凰从业人员培训")

    def test_other_county_is_404(self):
        client = self.login(self.alice)
        self.assertEqual(client.get(reverse("training:session", args=[self.session_b.pk])).status_code, 404)
        self.assertEqual(client.get(reverse("training:body_edit", args=[self.body_b.pk])).status_code, 404)
        self.assertEqual(client.get(reverse("training:enterprise_file", args=[self.enterprise_b.pk])).status_code, 404)
        self.assertEqual(
            client.post(
                reverse("training:attendance_add", args=[self.session_b.pk]), {"id_number": identity(301)}
            ).status_code,
            404,
        )
        self.assertEqual(
            self.login(self.charlie).get(reverse("training:person", args=[self.worker.pk])).status_code, 404
        )

    def test_record_a_session_and_attendance(self):
        client = self.login(self.alice)
        response = client.post(
            reverse("training:session_new"),
            {
                "title": "主要负责人履职培训",
                "kind": "principal",
                "organiser": "沙坪坝区安委办",
                "held_on": "2026-07-01",
                "hours": "16",
                "topics": "重大事故隐患判定标准",
                "has_exam": "on",
            },
        )
        self.assertEqual(response.status_code, 302)
        session = Session.objects.get(title="主要负责人履职培训")
        self.assertEqual(session.region_id, self.county_a.code)
        response = client.post(
            reverse("training:attendance_add", args=[session.pk]),
            {"id_number": identity(301), "attended": "是", "score": "95", "result": "合格"},
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Attendance.objects.get(session=session).result, "passed")
        response = client.post(
            reverse("training:attendance_add", args=[session.pk]),
            {"id_number": identity(399), "attended": "是"},
            follow=True,
        )
        self.assertContains(response, "未登记")
        page = client.get(reverse("training:session", args=[session.pk]))
        self.assertContains(page, "张一")
        self.assertNotContains(page, identity(301))
        # the person's and the enterprise's training files
        page = client.get(reverse("training:person", args=[self.worker.pk]))
        self.assertContains(page, "主要负责人履职培训")
        self.assertEqual(client.get(reverse("training:person_file_export", args=[self.worker.pk])).status_code, 200)
        page = client.get(reverse("training:enterprise_file", args=[self.enterprise_a.pk]), {"year": 2026})
        self.assertContains(page, "主要负责人履职培训")
        self.assertContains(page, "未持证")
        for year in ("²⁰²⁶", "9" * 25):  # str.isdigit() holds for "²", which int() refuses (a 500): every year's
            page = client.get(reverse("training:enterprise_file", args=[self.enterprise_a.pk]), {"year": year})
            self.assertIsNone(page.context["year"])
            self.assertContains(page, "主要负责人履职培训")
        export = client.get(reverse("training:enterprise_file_export", args=[self.enterprise_a.pk]))
        self.assertEqual(export.status_code, 200)

    def test_edit_a_session(self):
        client = self.login(self.alice)
        url = reverse("training:session_edit", args=[self.session_a.pk])
        self.assertContains(client.get(url), "凤凰从业人员培训")
        response = client.post(
            url,
            {
                "title": "凤凰从业人员培训（补）",
                "kind": "worker",
                "organiser": "凤凰镇",
                "held_on": "2026-06-03",
                "hours": "4",
            },
        )
        self.assertEqual(response.status_code, 302)
        self.session_a.refresh_from_db()
        self.assertEqual((self.session_a.title, str(self.session_a.held_on)), ("凤凰从业人员培训（补）", "2026-06-03"))
        self.assertEqual(client.get(reverse("training:session_edit", args=[self.session_b.pk])).status_code, 404)
        self.assertEqual(self.login(self.dave).get(url).status_code, 403)

    def test_bad_session_refused_with_messages(self):
        page = self.login(self.alice).post(
            reverse("training:session_new"),
            {"title": "x", "kind": "principal", "organiser": "y", "held_on": "2026-07-01", "hours": "0"},
        )
        self.assertEqual(page.status_code, 200)
        self.assertFalse(Session.objects.filter(title="x").exists())

    def test_viewers_refused_writes(self):
        for user in (self.dave, self.gina):
            client = self.login(user)
            self.assertEqual(client.get(reverse("training:sessions")).status_code, 200)
            self.assertEqual(client.get(reverse("training:session_new")).status_code, 403)
            self.assertEqual(client.get(reverse("training:body_new")).status_code, 403)
            self.assertEqual(
                client.post(
                    reverse("training:attendance_add", args=[self.session_a.pk]), {"id_number": identity(301)}
                ).status_code,
                403,
            )
        self.assertEqual(self.login(self.sam).get(reverse("training:sessions")).status_code, 403)
        self.assertEqual(self.login(self.emma).get(reverse("training:body_new")).status_code, 403)

    def test_training_bodies_and_review(self):
        client = self.login(self.alice)
        response = client.post(
            reverse("training:body_new"),
            {"name": "沙坪坝培训中心", "region": self.county_a.code, "review_result": "meets"},
        )
        self.assertContains(response, "须填写评估日期")
        response = client.post(
            reverse("training:body_new"),
            {
                "name": "沙坪坝培训中心",
                "region": self.county_a.code,
                "review_result": "rectify",
                "reviewed_on": "2026-05-01",
                "review_note": "实操场地不足",
            },
        )
        self.assertEqual(response.status_code, 302)
        body = TrainingBody.objects.get(name="沙坪坝培训中心")
        response = client.post(
            reverse("training:body_edit", args=[body.pk]),
            {
                "name": "沙坪坝培训中心",
                "region": self.county_a.code,
                "review_result": "meets",
                "reviewed_on": "2026-09-01",
            },
        )
        self.assertEqual(response.status_code, 302)
        body.refresh_from_db()
        self.assertEqual(body.review_result, "meets")
        page = client.get(reverse("training:bodies"), {"review_result": "meets"})
        self.assertContains(page, "沙坪坝培训中心")
        # the same name twice in one region is refused
        response = client.post(reverse("training:body_new"), {"name": "沙坪坝培训中心", "region": self.county_a.code})
        self.assertContains(response, "已登记")

    def test_home_cards(self):
        page = self.login(self.alice).get(reverse("core:home"))
        self.assertContains(page, "特种作业人员未持证")
        self.assertContains(page, "主要负责人培训覆盖率")
        page = self.login(self.emma).get(reverse("core:home"))
        self.assertContains(page, "特种作业人员未持证")


class DemoTests(TrainingCase):
    def test_demo_loads_through_the_services(self):
        from django.contrib.auth import get_user_model
        from django.utils import timezone

        from zhiben.plans.models import Indicator, Plan

        from .. import demo, selectors
        from ..models import Certificate, Person

        plan = Plan.objects.create(title="行动方案", region=self.town_a1, start_year=2024, end_year=2026, series="demo")
        linked = Indicator.objects.create(plan=plan, name="履职能力巩固培训覆盖率", target_value=100)
        other = Indicator.objects.create(plan=plan, name="消火栓建有率", target_value=100)
        get_user_model().objects.filter(pk=self.alice.pk).update(username="anweiban")
        demo.load()
        linked.refresh_from_db()
        other.refresh_from_db()
        self.assertEqual((linked.figure_key, other.figure_key), ("training.principal_coverage", ""))
        self.assertTrue(Person.objects.exists())
        self.assertTrue(Session.objects.exists())
        today = timezone.localdate()
        self.assertTrue(selectors.expiring_certificates(None, today=today, days=60).exists())
        self.assertEqual([p.name for p in selectors.uncertified_workers(None, day=today)], ["钱焊工"])
        self.assertEqual(Certificate.objects.count(), 2)
        demo.load()  # idempotent
        self.assertIn("名培训人员", demo.summary())
