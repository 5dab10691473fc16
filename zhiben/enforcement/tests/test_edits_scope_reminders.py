"""Edits of cases and orders, orders from an inspection, the reminder, DOCX documents, home cards,
typical cases and exports, and scope (erin's industries, emma's enterprise, read-only pages)."""

import io
import shutil
import unittest
from datetime import timedelta

from django.urls import reverse
from docx import Document as Docx
from openpyxl import load_workbook

from zhiben.audit.models import AuditEvent
from zhiben.core.exceptions import ApplicationError
from zhiben.core.timeline import subject_events
from zhiben.documents import services as documents
from zhiben.documents.tests.helpers import read, verified_hazard
from zhiben.enforcement import hooks, services
from zhiben.enforcement.models import EnforcementCase, RectificationOrder
from zhiben.enterprises.models import Enterprise
from zhiben.escalation.models import EscalationRecord
from zhiben.escalation.services import escalate
from zhiben.inspections.models import Inspection
from zhiben.notifications.models import Notification
from zhiben.notifications.reminders import remind_deadlines

from .test_enforcement import EnforcementTestCase


class BadInputTests(EnforcementTestCase):
    def test_decision_before_filing_is_refused(self):
        case = self.case(filed_date=self.today - timedelta(days=3))
        with self.assertRaises(ApplicationError) as caught:
            self.decide(case, decision_date=(self.today - timedelta(days=5)).isoformat())
        self.assertIn("早于立案日期", caught.exception.message)
        case.refresh_from_db()
        self.assertEqual((case.status, case.decision_date, case.measures), ("filed", None, []))

    def test_a_notice_before_filing_or_a_filing_in_the_future_is_refused(self):
        case = self.case(filed_date=self.today - timedelta(days=3))
        with self.assertRaises(ApplicationError):
            services.case_transition(
                actor=self.erin,
                case=case,
                action="notify",
                data={"notice_date": (self.today - timedelta(days=4)).isoformat()},
            )
        self.assertEqual(EnforcementCase.objects.get(pk=case.pk).status, "filed")
        with self.assertRaises(ApplicationError) as caught:
            self.case(filed_date=(self.today + timedelta(days=1)).isoformat())
        self.assertIn("晚于今天", caught.exception.message)
        self.assertEqual(EnforcementCase.objects.count(), 1)

    def test_unknown_measure_and_unknown_action(self):
        case = self.case()
        with self.assertRaises(ApplicationError) as caught:
            self.decide(case, measures=["flogging"])
        self.assertIn("无效", caught.exception.message)
        with self.assertRaises(ApplicationError):
            services.case_transition(actor=self.erin, case=case, action="explode")
        self.assertEqual(EnforcementCase.objects.get(pk=case.pk).status, "filed")

    def test_only_the_filing_unit_acts_on_a_case(self):
        case = self.case()
        with self.assertRaises(ApplicationError) as caught:
            services.case_transition(actor=self.alice, case=case, action="notify")
        self.assertEqual(caught.exception.code, "forbidden")
        self.assertEqual(EnforcementCase.objects.get(pk=case.pk).status, "filed")

    def test_a_decision_writes_the_audit_and_the_timeline(self):
        case = self.decide(self.case())
        self.assertEqual([e.action for e in subject_events(case)], ["file", "decide"])
        self.assertTrue(AuditEvent.objects.filter(action="enforcement.case_decide", object_id=str(case.pk)).exists())


class EditTests(EnforcementTestCase):
    def test_a_case_is_edited_before_its_decision_only(self):
        case = self.case()
        data = {"violation": "未如实记录安全生产教育培训情况", "legal_basis": "安全生产法第九十七条第（四）项"}
        case = services.case_update(actor=self.erin, case=case, data={**data, "filed_date": self.today})
        self.assertEqual(case.violation, data["violation"])
        self.assertTrue(AuditEvent.objects.filter(action="enforcement.case_edit", object_id=str(case.pk)).exists())
        with self.assertRaises(ApplicationError):
            services.case_update(actor=self.erin, case=case, data={**data, "violation": "无"})
        self.assertEqual(EnforcementCase.objects.get(pk=case.pk).violation, data["violation"])
        self.decide(case)
        with self.assertRaises(ApplicationError) as caught:
            services.case_update(actor=self.erin, case=case, data={**data, "violation": "改过的违法事实"})
        self.assertIn("不能再修改", caught.exception.message)
        self.assertEqual(EnforcementCase.objects.get(pk=case.pk).violation, data["violation"])

    def test_an_open_order_is_edited_and_an_overdue_one_keeps_its_deadline(self):
        order = self.order()
        later = self.today + timedelta(days=9)
        order = services.order_update(
            actor=self.erin, order=order, data={"items": "1. 安全出口堵塞；2. 无应急照明", "deadline": later}
        )
        self.assertEqual(order.deadline, later)
        with self.assertRaises(ApplicationError):
            services.order_update(
                actor=self.erin, order=order, data={"items": order.items, "deadline": self.today - timedelta(days=1)}
            )
        RectificationOrder.objects.filter(pk=order.pk).update(deadline=self.today - timedelta(days=2))
        with self.assertRaises(ApplicationError) as caught:
            services.order_update(actor=self.erin, order=order, data={"items": order.items, "deadline": later})
        self.assertIn("通过复查重新限期", caught.exception.message)
        self.assertEqual(RectificationOrder.objects.get(pk=order.pk).deadline, self.today - timedelta(days=2))

    def test_edit_pages(self):
        case, order = self.case(), self.order()
        client = self.login(self.erin)
        response = client.post(
            reverse("enforcement:case_edit", args=[case.pk]),
            {"violation": "修改后的违法事实", "legal_basis": "", "filed_date": self.today.isoformat()},
        )
        self.assertRedirects(response, case.get_absolute_url())
        self.assertEqual(EnforcementCase.objects.get(pk=case.pk).violation, "修改后的违法事实")
        response = client.post(
            reverse("enforcement:order_edit", args=[order.pk]),
            {"items": "短", "deadline": order.deadline.isoformat()},
        )
        self.assertContains(response, "请写明存在的问题和整改要求")
        self.assertEqual(self.login(self.alice).get(reverse("enforcement:case_edit", args=[case.pk])).status_code, 403)
        self.assertEqual(
            self.login(self.charlie).get(reverse("enforcement:order_edit", args=[order.pk])).status_code, 404
        )


class InspectionOrderTests(EnforcementTestCase):
    def inspection(self, status="completed"):
        return Inspection.objects.create(
            number=f"JC-{status}",
            kind="enforcement",
            enterprise=self.enterprise_a,
            region=self.village_a1,
            industry=self.enterprise_a.industry,
            unit=self.unit_emergency_a1,
            status=status,
            date=self.today,
        )

    def test_prefilled_with_failed_items_and_hazards(self):
        inspection = self.inspection()
        hazard = verified_hazard(self)
        inspection.hazards.add(hazard)
        inspection.items.create(text="危化品分类存放", result="fail", note="混存")
        inspection.items.create(text="安全标志齐全", result="pass")
        page = self.login(self.erin).get(reverse("enforcement:order_new") + f"?inspection={inspection.pk}")
        self.assertContains(page, "1. 危化品分类存放：混存")
        self.assertNotContains(page, "安全标志齐全")
        self.assertContains(page, hazard.number)
        order = self.order(items="", inspection=inspection.pk)
        self.assertEqual(list(order.hazards.all()), [hazard])
        self.assertEqual(order.inspection, inspection)

    def test_a_planned_inspection_or_another_enterprise_is_refused(self):
        with self.assertRaises(ApplicationError):
            self.order(inspection=self.inspection("planned").pk)
        inspection = self.inspection()
        with self.assertRaises(ApplicationError):
            self.order(inspection=inspection.pk, enterprise=self.enterprise_a_construction.pk)
        self.assertEqual(RectificationOrder.objects.count(), 0)


class ReminderEscalationTests(EnforcementTestCase):
    def test_reminded_once_before_the_deadline(self):
        order = self.order()
        deadline = order.deadline
        Enterprise.objects.filter(pk=self.enterprise_a.pk).update(principal_phone="13600000002")
        key = "enforcement.order_deadline"
        self.assertEqual(remind_deadlines(key, today=deadline - timedelta(days=4)), 0)
        self.assertEqual(remind_deadlines(key, today=deadline - timedelta(days=3)), 1)
        self.assertEqual(remind_deadlines(key, today=deadline - timedelta(days=1)), 0)
        inbox = set(
            Notification.objects.filter(channel="inbox", object_id=str(order.pk)).values_list(
                "recipient__username", flat=True
            )
        )
        self.assertEqual(inbox, {"emma", "erin"})
        sms = Notification.objects.get(channel="sms", object_id=str(order.pk))
        self.assertIn("还有 3 天到期", sms.body)
        self.assertTrue(AuditEvent.objects.filter(action="enforcement.order_reminder").exists())

    def test_a_reviewed_order_is_not_reminded(self):
        order = self.order()
        services.order_review(actor=self.erin, order=order, passed=True, opinion="整改到位")
        self.assertEqual(remind_deadlines("enforcement.order_deadline", today=order.deadline - timedelta(days=3)), 0)

    def test_the_ladder_step_by_step_and_a_new_deadline_stops_it(self):
        order = self.order()
        RectificationOrder.objects.filter(pk=order.pk).update(deadline=self.today - timedelta(days=1))
        escalate("rectification_order")
        records = EscalationRecord.objects.filter(target="rectification_order", object_id=order.pk)
        self.assertEqual(list(records.values_list("name", flat=True)), ["逾期提醒"])
        RectificationOrder.objects.filter(pk=order.pk).update(deadline=self.today - timedelta(days=30))
        escalate("rectification_order")
        escalate("rectification_order")
        self.assertEqual(
            set(records.values_list("name", flat=True)), {"逾期提醒", "约谈主要负责人"}
        )  # 函告, 通报 passed
        services.order_review(
            actor=self.erin, order=order, passed=False, opinion="未整改", new_deadline=self.today + timedelta(days=5)
        )
        self.assertEqual([o.obj for o in hooks.overdue(self.today)], [])


@unittest.skipUnless(shutil.which("pdftotext"), "poppler-utils not installed")
class DocxTests(EnforcementTestCase):
    def docx_text(self, document):
        return "".join(p.text for p in Docx(io.BytesIO(read(document.docx))).paragraphs)

    def test_each_kind_as_docx(self):
        order = self.order()
        case = self.case()
        issued = [
            documents.document_issue(actor=self.erin, kind="rectification_order", subject=order),
            documents.document_issue(actor=self.erin, kind="penalty_notice", subject=case),
        ]
        services.order_review(actor=self.erin, order=order, passed=False, opinion="未整改到位")
        self.decide(case, decision_number="凤应急罚〔2026〕7号")
        issued += [
            documents.document_issue(actor=self.erin, kind="review_opinion", subject=order),
            documents.document_issue(actor=self.erin, kind="penalty_decision", subject=case),
        ]
        titles = ["责令限期整改指令书", "行政处罚告知书", "整改复查意见书", "行政处罚决定书"]
        for document, title in zip(issued, titles, strict=True):
            text = self.docx_text(document)
            self.assertIn(title, text)
            self.assertIn(document.number, text)
        self.assertIn("复查不合格", self.docx_text(issued[2]))
        self.assertIn("凤应急罚〔2026〕7号", self.docx_text(issued[3]))
        self.assertEqual(len({d.number for d in issued}), 4)


class CardsTypicalExportTests(EnforcementTestCase):
    def test_home_cards(self):
        self.decide(self.case(), fine="25000")
        self.order()
        late = self.order()
        RectificationOrder.objects.filter(pk=late.pk).update(deadline=self.today - timedelta(days=1))
        cards = {c["label"]: c["value"] for c in hooks.home_cards(self.alice)}
        year = self.today.year
        self.assertEqual(cards["责令整改中"], 2)
        self.assertEqual(cards["责令整改逾期"], 1)
        self.assertEqual(cards[f"{year}年执法案件"], 1)
        self.assertEqual(cards[f"{year}年罚款（万元）"], "2.5")
        charlie = {c["label"]: c["value"] for c in hooks.home_cards(self.charlie)}
        self.assertEqual((charlie["责令整改中"], charlie[f"{year}年执法案件"]), (0, 0))
        self.assertContains(self.login(self.alice).get("/"), "责令整改逾期")
        self.assertContains(self.login(self.dave).get("/"), "年执法案件")
        emma = {c["label"]: c["value"] for c in hooks.home_cards(self.emma)}
        self.assertEqual(emma, {"责令整改中": 2, "责令整改逾期": 1})

    def test_typical_page_and_export_show_who_and_when(self):
        case = self.decide(self.case())
        self.case()
        services.case_mark_typical(actor=self.erin, case=case)
        client = self.login(self.alice)
        page = client.get(reverse("enforcement:typical"))
        self.assertContains(page, case.number)
        self.assertContains(page, self.erin.display_name)
        export = client.get(reverse("enforcement:case_export") + "?typical=1")
        rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
        self.assertEqual(len(rows), 2)
        self.assertEqual(rows[1][0], case.number)
        self.assertEqual(rows[1][12], self.erin.display_name)
        self.assertTrue(AuditEvent.objects.filter(action="enforcement.case_export").exists())
        services.case_mark_typical(actor=self.erin, case=case, typical=False)
        self.assertNotContains(client.get(reverse("enforcement:typical")), case.number)

    def test_order_export_and_filters(self):
        self.order()
        late = self.order()
        RectificationOrder.objects.filter(pk=late.pk).update(deadline=self.today - timedelta(days=1))
        client = self.login(self.alice)
        export = client.get(reverse("enforcement:order_export") + "?overdue=1")
        rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
        self.assertEqual([r[0] for r in rows[1:]], [late.number])
        self.assertEqual(client.get("/api/v1/enforcement/orders?overdue=1").json()["count"], 1)
        self.assertEqual(self.login(self.charlie).get(reverse("enforcement:order_export")).status_code, 200)
        rows = load_workbook(io.BytesIO(self.login(self.charlie).get(reverse("enforcement:order_export")).content))
        self.assertEqual(rows.active.max_row, 1)

    def test_case_list_filters_and_sorts(self):
        fined = self.decide(self.case(), fine="90000")
        warned = self.decide(self.case(), measures=["warning"], fine="")
        client = self.login(self.alice)
        page = client.get(reverse("enforcement:cases") + "?measure=warning")
        self.assertContains(page, warned.number)
        self.assertNotContains(page, fined.number)
        api = client.get("/api/v1/enforcement/cases?measure=fine").json()
        self.assertEqual([c["number"] for c in api["items"]], [fined.number])
        api = client.get(f"/api/v1/enforcement/cases?status=decided&unit={self.unit_emergency_a1.pk}").json()
        self.assertEqual(api["count"], 2)
        self.assertEqual(client.get("/api/v1/enforcement/cases?sort=-fine").json()["items"][0]["number"], fined.number)


class ScopeMoreTests(EnforcementTestCase):
    def test_erin_sees_only_her_industries(self):
        mine = self.case()
        other = self.case()
        EnforcementCase.objects.filter(pk=other.pk).update(
            enterprise=self.enterprise_a_construction, industry=self.enterprise_a_construction.industry
        )
        client = self.login(self.erin)
        numbers = [c["number"] for c in client.get("/api/v1/enforcement/cases").json()["items"]]
        self.assertEqual(numbers, [mine.number])
        self.assertEqual(client.get(f"/api/v1/enforcement/cases/{other.pk}").status_code, 404)
        with self.assertRaises(ApplicationError):
            self.case(enterprise=self.enterprise_a_construction.pk)  # not hers to file against

    def test_emma_sees_only_her_enterprise_read_only(self):
        mine, order = self.case(), self.order()
        other = services.case_create(
            actor=self.alice, data={"enterprise": self.enterprise_a_construction.pk, "violation": "未设置安全警示标志"}
        )
        other_order = services.order_create(
            actor=self.alice,
            data={"enterprise": self.enterprise_a_construction.pk, "items": "1. 脚手架未验收", "deadline": self.today},
        )
        client = self.login(self.emma)
        self.assertEqual([c["number"] for c in client.get("/api/v1/enforcement/cases").json()["items"]], [mine.number])
        self.assertEqual(
            [o["number"] for o in client.get("/api/v1/enforcement/orders").json()["items"]], [order.number]
        )
        self.assertEqual(client.get(reverse("enforcement:case_detail", args=[other.pk])).status_code, 404)
        self.assertEqual(client.get(reverse("enforcement:order_detail", args=[other_order.pk])).status_code, 404)
        page = client.get(reverse("enforcement:case_detail", args=[mine.pk]))
        self.assertNotContains(page, "作出处罚决定")
        self.assertNotContains(page, reverse("enforcement:case_edit", args=[mine.pk]))
        self.assertNotContains(client.get(reverse("enforcement:order_detail", args=[order.pk])), "提交复查结果")
        client.post(reverse("enforcement:case_transition", args=[mine.pk, "revoke"]))
        self.assertEqual(EnforcementCase.objects.get(pk=mine.pk).status, "filed")
        client.post(reverse("enforcement:order_review", args=[order.pk]), {"passed": "1", "opinion": "自称合格"})
        self.assertEqual(RectificationOrder.objects.get(pk=order.pk).status, "open")
        self.assertEqual(client.get(reverse("enforcement:statistics")).status_code, 403)
        self.assertEqual(client.get(reverse("enforcement:order_edit", args=[order.pk])).status_code, 403)

    def test_charlie_lists_nothing_of_county_a_and_gina_has_no_access(self):
        case, order = self.case(), self.order()
        client = self.login(self.charlie)
        self.assertNotContains(client.get(reverse("enforcement:cases")), case.number)
        self.assertNotContains(client.get(reverse("enforcement:orders")), order.number)
        self.assertEqual(client.get("/api/v1/enforcement/orders").json()["count"], 0)
        self.assertEqual(client.get(f"/api/v1/enforcement/orders/{order.pk}").status_code, 404)
        self.assertEqual(client.post(reverse("enforcement:case_transition", args=[case.pk, "revoke"])).status_code, 404)
        self.assertEqual(client.post(reverse("enforcement:order_review", args=[order.pk])).status_code, 404)
        with self.assertRaises(ApplicationError):
            services.case_transition(actor=self.charlie, case=case, action="revoke")
        gina = self.login(self.gina)
        self.assertEqual(gina.get(reverse("enforcement:cases")).status_code, 403)
        self.assertEqual(gina.get("/api/v1/enforcement/cases").status_code, 403)
        self.assertEqual(gina.get(f"/api/v1/enforcement/cases/{case.pk}").status_code, 404)

    def test_dave_reads_without_buttons(self):
        case = self.case()
        page = self.login(self.dave).get(reverse("enforcement:case_detail", args=[case.pk]))
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, "撤销案件")
        self.assertEqual(self.login(self.dave).get(reverse("enforcement:statistics")).status_code, 200)


class RulePageStatisticsTests(EnforcementTestCase):
    def test_threshold_set_on_the_rules_page_flags_the_unit(self):
        for i in range(4):
            inspection = Inspection.objects.create(
                number=f"JCR{i}",
                kind="enforcement",
                enterprise=self.enterprise_a,
                region=self.village_a1,
                industry=self.enterprise_a.industry,
                unit=self.unit_emergency_a1,
                status="completed",
                date=self.today,
            )
        inspection.hazards.add(verified_hazard(self), verified_hazard(self))
        Inspection.objects.filter(number="JCR0").update(status="cancelled")
        Inspection.objects.filter(number="JCR1").update(date=self.today - timedelta(days=400))
        client = self.login(self.alice)
        page = client.get("/rules/")
        self.assertContains(page, "只检查不处罚")
        client.post("/rules/", {"key": "enforcement.zero_penalty_min_inspections", "value": "2"})
        stats = client.get(reverse("enforcement:statistics") + f"?start={self.today.replace(day=1)}&end={self.today}")
        [row] = [r for r in stats.context["rows"] if r["unit"] == self.unit_emergency_a1]
        self.assertEqual((row["inspections"], row["enforcement"], row["hazards"]), (2, 2, 2))
        self.assertTrue(row["zero_penalty"])
        self.assertEqual(stats.context["threshold"], 2)
        self.assertContains(stats, "零处罚")
        client.post("/rules/", {"key": "enforcement.zero_penalty_min_inspections", "value": "3"})
        stats = client.get(reverse("enforcement:statistics") + f"?start={self.today.replace(day=1)}&end={self.today}")
        [row] = [r for r in stats.context["rows"] if r["unit"] == self.unit_emergency_a1]
        self.assertFalse(row["zero_penalty"])
        export = client.get(reverse("enforcement:statistics") + "?export=1")
        rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
        self.assertEqual(rows[0][0], "单位")
        self.assertTrue(AuditEvent.objects.filter(action="enforcement.statistics_export").exists())


class NoticePageTests(EnforcementTestCase):
    def test_notice_with_its_date_from_the_page(self):
        case = self.case(filed_date=self.today - timedelta(days=5))
        client = self.login(self.erin)
        self.assertContains(client.get(case.get_absolute_url()), 'name="notice_date"')
        day = self.today - timedelta(days=2)
        client.post(reverse("enforcement:case_transition", args=[case.pk, "notify"]), {"notice_date": day.isoformat()})
        case.refresh_from_db()
        self.assertEqual((case.status, case.notice_date), ("notified", day))
        self.assertContains(client.get(case.get_absolute_url()), "作出处罚决定")
