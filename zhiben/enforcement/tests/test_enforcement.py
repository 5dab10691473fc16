"""Cases (transitions, bad input, enterprise status, typical cases), orders (review, escalation, reminder),
statistics with the 零处罚 flag, documents, scope."""

import shutil
import unittest
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from zhiben.audit.models import AuditEvent
from zhiben.core.exceptions import ApplicationError
from zhiben.core.models import Rule
from zhiben.core.timeline import subject_events
from zhiben.documents import services as documents
from zhiben.documents.tests.helpers import pdf_text, read
from zhiben.enforcement import selectors, services
from zhiben.enforcement.models import EnforcementCase, RectificationOrder
from zhiben.enforcement.workflow import TRANSITIONS
from zhiben.enterprises.models import Enterprise
from zhiben.escalation.models import EscalationRecord
from zhiben.escalation.services import escalate
from zhiben.inspections.models import Inspection
from zhiben.testing import CastTestCase


class EnforcementTestCase(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.today = timezone.localdate()

    def case(self, **data):
        values = {
            "enterprise": self.enterprise_a.pk,
            "violation": "特种作业人员未持证上岗",
            "legal_basis": "安全生产法第九十七条",
        }
        values.update(data)
        return services.case_create(actor=self.erin, data=values)

    def decide(self, case, **data):
        values = {"measures": ["fine"], "fine": "20000", "decision_number": "凤应急罚〔2026〕1号"}
        values.update(data)
        return services.case_transition(actor=self.erin, case=case, action="decide", data=values)

    def order(self, **data):
        values = {
            "enterprise": self.enterprise_a.pk,
            "items": "1. 安全出口堵塞",
            "deadline": self.today + timedelta(days=5),
        }
        values.update(data)
        return services.order_create(actor=self.erin, data=values)


class CaseTests(EnforcementTestCase):
    def test_every_transition_allowed_and_refused(self):
        for action, (sources, target, _) in TRANSITIONS.items():
            for status in ("filed", "notified", "decided", "executed", "closed", "revoked"):
                case = self.case()
                EnforcementCase.objects.filter(pk=case.pk).update(status=status)
                data = {"measures": ["warning"], "decision_number": "凤应急罚〔2026〕9号"}
                if status in sources:
                    done = services.case_transition(actor=self.erin, case=case, action=action, data=data)
                    self.assertEqual(done.status, target)
                else:
                    with self.assertRaises(ApplicationError):
                        services.case_transition(actor=self.erin, case=case, action=action, data=data)
                    self.assertEqual(EnforcementCase.objects.get(pk=case.pk).status, status)

    def assertRefused(self, message, **data):
        case = self.case()
        with self.assertRaises(ApplicationError) as caught:
            self.decide(case, **data)
        self.assertIn(message, caught.exception.message)
        case.refresh_from_db()
        self.assertEqual((case.status, case.fine, case.decision_number), ("filed", None, ""))

    def test_bad_decisions_write_nothing(self):
        self.assertRefused("须填写决定书文号", decision_number="")
        self.assertRefused("请填写罚款金额", fine="")
        self.assertRefused("应大于 0", fine="-5")
        self.assertRefused("不是有效数字", fine="两万")
        self.assertRefused("请在处罚措施中选择“罚款”", measures=["warning"])
        self.assertRefused("晚于今天", decision_date=(self.today + timedelta(days=1)).isoformat())
        self.assertRefused("请选择处罚措施", measures=[])

    def test_bad_filing(self):
        with self.assertRaises(ApplicationError):
            self.case(enterprise=self.enterprise_b.pk)
        with self.assertRaises(ApplicationError):
            self.case(violation="无")
        with self.assertRaises(ApplicationError):
            services.case_create(actor=self.emma, data={"enterprise": self.enterprise_a.pk, "violation": "违法行为"})
        self.assertEqual(EnforcementCase.objects.count(), 0)

    def test_suspension_until_resumed_and_closure(self):
        case = self.decide(self.case(), measures=["suspension"], fine="")
        self.assertEqual(Enterprise.objects.get(pk=self.enterprise_a.pk).status, "suspended")
        audit = AuditEvent.objects.filter(action="enterprise.update", object_id=str(self.enterprise_a.pk)).get()
        self.assertIn("status", str(audit.data))
        [event] = [e for e in subject_events(self.enterprise_a) if e.action == "status"]
        self.assertIn(case.decision_number, event.note)
        with self.assertRaises(ApplicationError):
            services.case_resume(actor=self.erin, case=case, note="")
        services.case_resume(actor=self.erin, case=case, note="复查验收合格")
        self.assertEqual(Enterprise.objects.get(pk=self.enterprise_a.pk).status, "operating")
        with self.assertRaises(ApplicationError):
            services.case_resume(actor=self.erin, case=case, note="再次")
        self.decide(self.case(), measures=["closure"], fine="")
        self.assertEqual(Enterprise.objects.get(pk=self.enterprise_a.pk).status, "closed")

    def test_typical_cases(self):
        case = self.case()
        with self.assertRaises(ApplicationError):
            services.case_mark_typical(actor=self.erin, case=case)
        self.decide(case)
        services.case_mark_typical(actor=self.erin, case=case)
        listed = selectors.case_list(user=self.alice, filters={"typical": "1"})
        self.assertEqual(list(listed), [EnforcementCase.objects.get(pk=case.pk)])
        self.assertEqual(EnforcementCase.objects.get(pk=case.pk).typical_by, self.erin)

    def test_measure_filter(self):
        fined = self.decide(self.case())
        self.decide(self.case(), measures=["warning"], fine="")
        self.assertEqual(list(selectors.case_list(user=self.alice, filters={"measure": "fine"})), [fined])


class OrderTests(EnforcementTestCase):
    def test_from_an_inspection_lists_its_failed_items(self):
        inspection = Inspection.objects.create(
            number="JC1",
            enterprise=self.enterprise_a,
            region=self.village_a1,
            industry=self.enterprise_a.industry,
            unit=self.unit_emergency_a1,
            status="completed",
            date=self.today,
        )
        inspection.items.create(text="消防通道畅通", result="fail", note="堆放纸箱")
        order = self.order(items="", inspection=inspection.pk)
        self.assertIn("消防通道畅通：堆放纸箱", order.items)

    def test_bad_orders(self):
        for data in ({"deadline": self.today - timedelta(days=1)}, {"deadline": ""}, {"items": ""}):
            with self.assertRaises(ApplicationError):
                self.order(**data)
        self.assertEqual(RectificationOrder.objects.count(), 0)

    def test_review(self):
        order = self.order()
        with self.assertRaises(ApplicationError):
            services.order_review(actor=self.erin, order=order, passed=True, opinion="")
        new = self.today + timedelta(days=20)
        order = services.order_review(
            actor=self.erin, order=order, passed=False, opinion="未整改到位", new_deadline=new
        )
        self.assertEqual((order.status, order.deadline), ("open", new))
        self.assertIn("复查不合格，限于", order.review_conclusion)
        order = services.order_review(actor=self.erin, order=order, passed=True, opinion="整改到位")
        self.assertEqual(order.status, "passed")
        with self.assertRaises(ApplicationError):
            services.order_review(actor=self.erin, order=order, passed=True, opinion="再复查")

    def test_an_overdue_order_goes_up_the_ladder_once_per_step(self):
        order = self.order()
        RectificationOrder.objects.filter(pk=order.pk).update(deadline=self.today - timedelta(days=1))
        escalate("rectification_order")
        RectificationOrder.objects.filter(pk=order.pk).update(deadline=self.today - timedelta(days=8))
        escalate("rectification_order")
        escalate("rectification_order")
        steps = EscalationRecord.objects.filter(target="rectification_order", object_id=order.pk)
        self.assertEqual(sorted(steps.values_list("name", flat=True)), ["函告企业", "逾期提醒"])

    def test_a_reviewed_order_is_not_escalated(self):
        order = self.order()
        services.order_review(actor=self.erin, order=order, passed=True, opinion="整改到位")
        RectificationOrder.objects.filter(pk=order.pk).update(deadline=self.today - timedelta(days=8))
        escalate("rectification_order")
        self.assertFalse(EscalationRecord.objects.filter(target="rectification_order").exists())


class StatisticsTests(EnforcementTestCase):
    def inspections(self, n, kind="enforcement"):
        for i in range(n):
            Inspection.objects.create(
                number=f"JC{kind}{i}{Inspection.objects.count()}",
                kind=kind,
                enterprise=self.enterprise_a,
                region=self.village_a1,
                industry=self.enterprise_a.industry,
                unit=self.unit_emergency_a1,
                status="completed",
                date=self.today,
            )

    def stats(self):
        rows, threshold = selectors.unit_statistics(user=self.alice, start=self.today.replace(day=1), end=self.today)
        return {r["unit"].pk: r for r in rows}, threshold

    def test_figures_and_the_zero_penalty_flag(self):
        self.inspections(10)
        self.inspections(2, kind="supervision")
        row = self.stats()[0][self.unit_emergency_a1.pk]
        self.assertEqual((row["inspections"], row["enforcement"], row["zero_penalty"]), (12, 10, True))
        filed = self.case()  # a case filed but not decided is no penalty
        self.assertTrue(self.stats()[0][self.unit_emergency_a1.pk]["zero_penalty"])
        services.case_transition(actor=self.erin, case=filed, action="revoke")
        self.decide(self.case(), measures=["warning"], fine="")  # 警告 is a 行政处罚 (行政处罚法 第九条)
        self.assertFalse(self.stats()[0][self.unit_emergency_a1.pk]["zero_penalty"])
        self.decide(self.case(), fine="30000")
        self.order()
        row = self.stats()[0][self.unit_emergency_a1.pk]
        self.assertEqual(
            (row["cases"], row["penalties"], row["fines"], row["orders"], row["zero_penalty"]), (3, 2, 30000, 1, False)
        )

    def test_threshold_is_a_rule(self):
        self.inspections(3)
        self.assertFalse(self.stats()[0][self.unit_emergency_a1.pk]["zero_penalty"])
        Rule.objects.create(key="enforcement.zero_penalty_min_inspections", value=3)
        rows, threshold = self.stats()
        self.assertEqual(threshold, 3)
        self.assertTrue(rows[self.unit_emergency_a1.pk]["zero_penalty"])

    def test_statistics_page(self):
        self.inspections(1)
        response = self.login(self.alice).get(reverse("enforcement:statistics"))
        self.assertContains(response, "凤凰镇应急办")
        export = self.login(self.alice).get(reverse("enforcement:statistics") + "?export=1")
        self.assertEqual(export.status_code, 200)
        self.assertNotIn(
            self.unit_emergency_a1.pk,
            {
                r["unit"].pk
                for r in selectors.unit_statistics(user=self.charlie, start=self.today.replace(day=1), end=self.today)[
                    0
                ]
            },
        )


@unittest.skipUnless(shutil.which("pdftotext"), "poppler-utils not installed")
class DocumentTests(EnforcementTestCase):
    def render(self, kind, subject):
        document = documents.document_issue(actor=self.erin, kind=kind, subject=subject)
        return document, "".join(pdf_text(read(document.pdf)).split())

    def test_every_kind_renders_with_title_and_number(self):
        order = self.order()
        doc, text = self.render("rectification_order", order)
        self.assertIn("责令限期整改指令书", text)
        self.assertIn(doc.number, text)
        with self.assertRaises(ApplicationError):
            self.render("review_opinion", order)
        services.order_review(actor=self.erin, order=order, passed=True, opinion="整改到位")
        doc, text = self.render("review_opinion", order)
        self.assertIn("整改复查意见书", text)
        self.assertIn("复查合格", text)
        case = self.case()
        doc, text = self.render("penalty_notice", case)
        self.assertIn("行政处罚告知书", text)
        self.assertIn(doc.number, text)
        with self.assertRaises(ApplicationError):
            self.render("penalty_decision", case)
        self.decide(case)
        doc, text = self.render("penalty_decision", case)
        self.assertIn("行政处罚决定书", text)
        self.assertIn("凤应急罚〔2026〕1号", text)
        self.assertIn(doc.number, text)


class ScopeTests(EnforcementTestCase):
    def test_pages_and_api(self):
        case, order = self.case(), self.order()
        for user, status in ((self.charlie, 404), (self.alice, 200), (self.emma, 200)):
            client = self.login(user)
            self.assertEqual(client.get(reverse("enforcement:case_detail", args=[case.pk])).status_code, status)
            self.assertEqual(client.get(reverse("enforcement:order_detail", args=[order.pk])).status_code, status)
            self.assertEqual(client.get(f"/api/v1/enforcement/cases/{case.pk}").status_code, status)
            self.assertEqual(client.get(f"/api/v1/enforcement/orders/{order.pk}").status_code, status)
        self.assertEqual(self.login(self.charlie).get("/api/v1/enforcement/cases").json()["count"], 0)
        other = services.case_create(
            actor=self.erin, data={"enterprise": self.enterprise_a.pk, "violation": "违法行为一"}
        )
        EnforcementCase.objects.filter(pk=other.pk).update(
            enterprise=self.enterprise_a_construction, industry=self.enterprise_a_construction.industry
        )
        self.assertEqual(
            self.login(self.erin).get(reverse("enforcement:case_detail", args=[other.pk])).status_code, 404
        )

    def test_pages_work(self):
        client = self.login(self.erin)
        response = client.post(
            reverse("enforcement:case_new"),
            {
                "enterprise": self.enterprise_a.credit_code,
                "violation": "未落实安全生产责任制",
                "filed_date": self.today.isoformat(),
            },
        )
        case = EnforcementCase.objects.get()
        self.assertRedirects(response, case.get_absolute_url())
        client.post(
            reverse("enforcement:case_transition", args=[case.pk, "decide"]),
            {"measures": ["fine"], "fine": "1000", "decision_number": "凤应急罚〔2026〕3号"},
        )
        self.assertEqual(EnforcementCase.objects.get().status, "decided")
        self.assertContains(client.get(reverse("enforcement:cases")), case.number)
        self.assertEqual(client.get(reverse("enforcement:case_export")).status_code, 200)
        response = client.post(
            reverse("enforcement:order_new"),
            {
                "enterprise": self.enterprise_a.name,
                "items": "整改要求一",
                "deadline": (self.today + timedelta(days=3)).isoformat(),
            },
        )
        order = RectificationOrder.objects.get()
        self.assertRedirects(response, order.get_absolute_url())
        client.post(reverse("enforcement:order_review", args=[order.pk]), {"passed": "1", "opinion": "合格"})
        self.assertEqual(RectificationOrder.objects.get().status, "passed")
        self.assertEqual(self.login(self.emma).get(reverse("enforcement:case_new")).status_code, 403)
