"""The escalation ladder: each step once, at its threshold, with its event, document and notification."""

import unittest
from datetime import timedelta

from django.db import connection
from django.test import TransactionTestCase

from zhiben.core.exceptions import ApplicationError
from zhiben.documents.models import Document
from zhiben.enterprises.models import Enterprise
from zhiben.escalation import services
from zhiben.escalation.models import EscalationRecord, LadderStep
from zhiben.hazards.choices import Status
from zhiben.hazards.tests.helpers import major, ready, report
from zhiben.notifications.models import Notification
from zhiben.testing import CastTestCase, at_once, build_cast


class LadderTests(CastTestCase):
    def setUp(self):
        Enterprise.objects.filter(pk=self.enterprise_a.pk).update(
            principal="王总", principal_phone="13800000001", controller="李董", controller_phone="13900000002"
        )
        self.hazard = ready(major(self.gina, self.enterprise_a), self.erin, status=Status.RECTIFYING)
        self.deadline = self.hazard.deadline

    def tick(self, days):
        return services.escalate("hazard", today=self.deadline + timedelta(days=days))

    def test_moving_the_clock_takes_each_step_exactly_once(self):
        self.assertEqual(self.tick(0), 0)  # due today: not overdue yet
        expected = {1: ["remind"], 7: ["letter"], 15: ["bulletin"], 30: ["interview", "propose_listing"]}
        for day in range(0, 40):
            before = set(EscalationRecord.objects.values_list("action", flat=True))
            self.tick(day)
            new = set(EscalationRecord.objects.values_list("action", flat=True)) - before
            self.assertEqual(sorted(new), sorted(expected.get(day, [])), f"day {day}")
        self.assertEqual(self.tick(60), 0)
        records = {r.action: r for r in EscalationRecord.objects.all()}
        self.assertEqual(records["letter"].document.kind, "supervision_letter")
        self.assertEqual(records["interview"].document.kind, "interview_notice")
        self.assertIsNone(records["remind"].document)
        self.assertEqual(Document.objects.filter(subject_type="hazards.hazard", subject_id=self.hazard.pk).count(), 2)
        events = list(self.hazard.events.filter(action="escalate").values_list("data__action", flat=True))
        self.assertEqual(events, ["remind", "letter", "bulletin", "interview", "propose_listing"])
        sms = Notification.objects.filter(channel="sms", object_id=str(self.hazard.pk), subject__contains="函告")
        self.assertEqual(sorted(sms.values_list("to_address", flat=True)), ["13800000001", "13900000002"])
        self.assertTrue(
            Notification.objects.filter(channel="inbox", recipient=self.erin, subject__contains="约谈").exists()
        )
        self.assertTrue(
            Notification.objects.filter(
                channel="inbox", recipient=self.alice, subject__contains="提请挂牌督办"
            ).exists()
        )

    def test_a_late_first_pass_takes_the_furthest_due_step_and_names_those_passed_over(self):
        """A hazard 20 days late when first seen (an old ledger imported, the job stopped): its 通报 (15 days), not a
        reminder, a 督办函 and a 通报 on one day; the reminder and the letter are named, never taken later."""
        self.assertEqual(self.tick(20), 1)
        record = EscalationRecord.objects.get()
        self.assertEqual(record.action, "bulletin")
        self.assertFalse(Document.objects.filter(kind="supervision_letter").exists())
        event = self.hazard.events.get(action="escalate")
        self.assertIn("的期限已过，不再单独执行", event.note)
        self.assertEqual(len(event.data["passed_over"]), 2)
        self.assertEqual(self.tick(20), 0)
        self.assertEqual(self.tick(29), 0)  # the steps passed over stay passed over
        self.assertEqual(self.tick(30), 2)  # the next threshold holds two steps: both
        self.assertEqual(
            set(EscalationRecord.objects.values_list("action", flat=True)), {"bulletin", "interview", "propose_listing"}
        )
        self.assertEqual(self.hazard.events.filter(action="escalate").last().data["passed_over"], [])

    def test_general_hazard_skips_major_only_step_and_closed_stops(self):
        general = ready(
            report(self.gina, self.enterprise_a, description="消防通道堆放杂物"), self.erin, status=Status.RECTIFYING
        )
        services.escalate("hazard", today=general.deadline + timedelta(days=31))
        actions = set(EscalationRecord.objects.filter(object_id=general.pk).values_list("action", flat=True))
        self.assertEqual(actions, {"interview"})  # 提请挂牌督办 at the same 30 days is for major hazards only
        from zhiben.hazards.models import Hazard

        Hazard.objects.filter(pk=self.hazard.pk).update(status=Status.CLOSED)
        self.assertEqual(self.tick(10), 0)

    def test_a_hazard_waiting_on_its_closing_review_is_not_escalated_until_sent_back(self):
        from zhiben.hazards.models import Hazard

        self.assertEqual(self.tick(1), 1)
        Hazard.objects.filter(pk=self.hazard.pk).update(status=Status.SUBMITTED)
        self.assertEqual(self.tick(8), 0)  # the enterprise has asked for 销号: the wait is its reviewer's
        Hazard.objects.filter(pk=self.hazard.pk).update(status=Status.RECTIFYING)  # the review sent it back
        self.assertEqual(self.tick(8), 1)
        self.assertEqual(EscalationRecord.objects.latest("id").action, "letter")

    def test_extension_moves_the_clock(self):
        from zhiben.hazards import services as hazard_services

        extension = hazard_services.hazard_request_extension(
            actor=self.emma,
            hazard=self.hazard,
            new_deadline=(self.deadline + timedelta(days=30)).isoformat(),
            reason="设备未到货",
        )
        hazard_services.hazard_decide_extension(actor=self.erin, extension=extension, grant=True, note="同意")
        self.assertEqual(self.tick(10), 0)

    def test_jurisdiction_ladder_replaces_the_default(self):
        services.ladder_save(
            actor=self.alice,
            target="hazard",
            region_code=self.county_a.code,
            steps=[
                {"action": "remind", "name": "当日提醒", "days": 0, "major_only": False, "document_kind": ""},
                {
                    "action": "letter",
                    "name": "三日函告",
                    "days": 3,
                    "major_only": False,
                    "document_kind": "supervision_letter",
                },
            ],
        )
        self.assertEqual(
            [s.name for s in services.ladder_for("hazard", self.village_a1.code)], ["当日提醒", "三日函告"]
        )
        self.assertEqual(len(services.ladder_for("hazard", self.village_b1.code)), 5)
        self.assertEqual(self.tick(0), 0)  # not overdue yet
        self.assertEqual(self.tick(1), 1)
        self.assertEqual(self.tick(3), 1)
        self.assertEqual(set(EscalationRecord.objects.values_list("name", flat=True)), {"当日提醒", "三日函告"})

    def test_bad_ladders_are_refused_with_reasons(self):
        cases = [
            ([{"action": "remind", "name": "a", "days": 5}, {"action": "letter", "name": "b", "days": 2}], "从少到多"),
            ([{"action": "remind", "name": "a", "days": -1}], "负数"),
            ([{"action": "remind", "name": "a", "days": 1}, {"action": "remind", "name": "b", "days": 2}], "重复"),
            ([], "至少"),
        ]
        for steps, words in cases:
            with self.subTest(words=words), self.assertRaises(ApplicationError) as caught:
                services.ladder_save(actor=self.alice, target="hazard", region_code=self.county_a.code, steps=steps)
            self.assertIn(words, caught.exception.message)
        self.assertFalse(LadderStep.objects.exists())
        with self.assertRaises(ApplicationError):
            services.ladder_save(
                actor=self.alice,
                target="hazard",
                region_code=self.county_b.code,
                steps=[{"action": "remind", "name": "a", "days": 1}],
            )
        with self.assertRaises(ApplicationError):
            services.ladder_save(
                actor=self.dave,
                target="hazard",
                region_code=self.county_a.code,
                steps=[{"action": "remind", "name": "a", "days": 1}],
            )

    def test_a_step_issues_only_the_documents_its_target_may(self):
        # a 督办函 speaks to the enterprise: not a step of the ladder for a department late with its 销号 review
        letter = [{"action": "letter", "name": "函告", "days": 3, "document_kind": "supervision_letter"}]
        with self.assertRaises(ApplicationError) as caught:
            services.ladder_save(actor=self.alice, target="hazard_review", region_code=self.county_a.code, steps=letter)
        self.assertIn("第 1 步的公文“supervision_letter”不能在此生成（可选：无）", caught.exception.message)
        self.assertFalse(LadderStep.objects.exists())
        services.ladder_save(actor=self.alice, target="hazard", region_code=self.county_a.code, steps=letter)
        self.assertEqual(LadderStep.objects.get().document_kind, "supervision_letter")
        with self.assertRaises(ApplicationError):  # a kind of another object's
            services.ladder_save(
                actor=self.alice,
                target="hazard",
                region_code=self.county_a.code,
                steps=[{**letter[0], "document_kind": "plan_supervision_letter"}],
            )
        client = self.login(self.alice)
        self.assertIn('value="supervision_letter"', client.get("/escalation/ladder/?target=hazard").content.decode())
        self.assertNotIn(
            'value="supervision_letter"', client.get("/escalation/ladder/?target=hazard_review").content.decode()
        )

    def test_a_failing_step_is_retried_on_the_next_pass(self):
        from unittest import mock

        self.tick(1)
        with mock.patch("zhiben.documents.services.document_issue", side_effect=RuntimeError("模板损坏")):
            self.tick(8)
        self.assertEqual(set(EscalationRecord.objects.values_list("action", flat=True)), {"remind"})
        self.tick(8)
        self.assertEqual(set(EscalationRecord.objects.values_list("action", flat=True)), {"remind", "letter"})

    def test_a_failed_step_of_the_threshold_reached_is_tried_again(self):
        """约谈 and 提请挂牌督办 share 30 days: when the 约谈's document fails, the 提请挂牌督办 is taken and the 约谈 is
        tried again on the next pass, not passed over."""
        from unittest import mock

        with mock.patch("zhiben.documents.services.document_issue", side_effect=RuntimeError("模板损坏")):
            self.tick(30)
        self.assertEqual(set(EscalationRecord.objects.values_list("action", flat=True)), {"propose_listing"})
        self.assertEqual(self.tick(31), 1)
        self.assertEqual(
            set(EscalationRecord.objects.values_list("action", flat=True)), {"propose_listing", "interview"}
        )


class LadderPageTests(CastTestCase):
    def test_committee_edits_its_ladder_and_others_cannot(self):
        self.login(self.alice)
        page = self.client.get("/escalation/ladder/")
        self.assertContains(page, "函告企业")
        data = {
            "form-TOTAL_FORMS": "2",
            "form-INITIAL_FORMS": "0",
            "form-0-action": "remind",
            "form-0-name": "提醒",
            "form-0-days": "2",
            "form-0-document_kind": "",
            "form-1-action": "letter",
            "form-1-name": "函告",
            "form-1-days": "1",
            "form-1-document_kind": "supervision_letter",
        }
        response = self.client.post("/escalation/ladder/", data)
        self.assertContains(response, "从少到多")
        data["form-1-days"] = "9"
        self.assertEqual(self.client.post("/escalation/ladder/", data).status_code, 302)
        self.assertEqual(list(LadderStep.objects.values_list("days", flat=True)), [2, 9])
        self.assertEqual(self.login(self.dave).get("/escalation/ladder/").status_code, 403)

    def test_records_are_scoped(self):
        hazard = ready(report(self.gina, self.enterprise_a), self.erin, status=Status.RECTIFYING)
        services.escalate("hazard", today=hazard.deadline + timedelta(days=2))
        self.assertContains(self.login(self.alice).get("/escalation/"), "逾期提醒")
        self.assertNotContains(self.login(self.charlie).get("/escalation/"), "逾期提醒")

    def test_records_sort_by_time_or_days_overdue_both_ways(self):
        first = ready(report(self.gina, self.enterprise_a), self.erin, status=Status.RECTIFYING)
        second = ready(
            report(self.gina, self.enterprise_a, description="安全出口堵塞"), self.erin, status=Status.RECTIFYING
        )
        services.escalate("hazard", today=first.deadline + timedelta(days=2))
        EscalationRecord.objects.update(days_overdue=2)
        services.escalate("hazard", today=second.deadline + timedelta(days=9))  # the later run adds larger steps
        self.login(self.alice)

        def days(query=""):
            return [r.days_overdue for r in self.client.get(f"/escalation/{query}").context["page"]]

        everything = days()
        self.assertGreater(len(set(everything)), 1)
        self.assertEqual(days("?sort=days"), sorted(everything))
        self.assertEqual(days("?sort=-days"), sorted(everything, reverse=True))
        newest_first = [r.pk for r in self.client.get("/escalation/").context["page"]]
        oldest_first = [r.pk for r in self.client.get("/escalation/?sort=at").context["page"]]
        self.assertEqual(oldest_first, newest_first[::-1])
        page = self.client.get("/escalation/?action=remind&sort=-days")
        self.assertContains(page, '<a href="?action=remind&amp;sort=days">逾期天数 ▼</a>')
        self.assertContains(page, '<a href="?action=remind&amp;sort=at">时间</a>')
        self.assertContains(self.client.get("/escalation/"), "时间 ▼")  # newest first unless asked

    def test_records_export_as_listed(self):
        from io import BytesIO

        from openpyxl import load_workbook

        from zhiben.audit.models import AuditEvent

        hazard = ready(report(self.gina, self.enterprise_a), self.erin, status=Status.RECTIFYING)
        services.escalate("hazard", today=hazard.deadline + timedelta(days=2))

        def rows(user, query=""):
            response = self.login(user).get(f"/escalation/export/{query}")
            self.assertEqual(response.status_code, 200)
            return list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))

        sheet = rows(self.alice)
        self.assertEqual(sheet[0][:4], ("时间", "对象类型", "对象", "措施"))
        self.assertEqual(len(sheet), 2)
        self.assertIn(hazard.number, sheet[1][2])
        self.assertEqual(sheet[1][4], 2)  # days overdue
        self.assertEqual(len(rows(self.alice, "?action=letter")), 1)  # the header only
        self.assertEqual(len(rows(self.charlie)), 1)  # another county
        self.assertTrue(AuditEvent.objects.filter(action="escalation.export").exists())


@unittest.skipUnless(connection.vendor == "postgresql", "concurrent workers need PostgreSQL")
class TwoWorkersTests(TransactionTestCase):
    def test_two_workers_at_once_double_no_step(self):
        build_cast(self)
        hazards = [
            ready(
                report(self.gina, self.enterprise_a, description=f"并发督办隐患{i}号"),
                self.erin,
                status=Status.RECTIFYING,
            )
            for i in range(6)
        ]
        day = hazards[0].deadline + timedelta(days=31)
        results = at_once(
            lambda: services.escalate("hazard", today=day), lambda: services.escalate("hazard", today=day)
        )
        errors = [r for r in results if isinstance(r, Exception)]
        self.assertEqual(errors, [])
        self.assertEqual(EscalationRecord.objects.count(), 6)  # each its 约谈 (31 days), the steps before passed over
        for hazard in hazards:
            self.assertEqual(hazard.events.filter(action="escalate").count(), 1)
            self.assertEqual(Document.objects.filter(subject_type="hazards.hazard", subject_id=hazard.pk).count(), 1)
        self.assertEqual(at_once(*[lambda: services.escalate("hazard", today=day + timedelta(days=30))] * 2), [0, 0])


class AutomaticInterviewNoticeTests(CastTestCase):
    """Issue 25: the automatic 约谈通知书 left time, place and contact as "____"."""

    def setUp(self):
        self.hazard = ready(major(self.gina, self.enterprise_a), self.erin, status=Status.RECTIFYING)

    def interview(self):
        services.escalate("hazard", today=self.hazard.deadline + timedelta(days=30))
        return EscalationRecord.objects.get(action="interview").document

    def test_time_place_and_contact_come_from_the_issuing_unit_by_default(self):
        document = self.interview()
        fields = document.context["fields"]
        self.assertRegex(fields["约谈时间"], r"^\d{4}年\d{1,2}月\d{1,2}日上午9时$")
        self.assertTrue(fields["约谈地点"].endswith("会议室"))
        self.assertTrue(fields["联系人"].endswith("办公室"))
        self.assertIn("另行电话告知", fields["联系电话"])
        self.assertNotIn("____", document.body)

    def test_the_jurisdiction_s_rule_gives_them(self):
        from zhiben.core.models import Rule

        Rule.objects.create(
            key="escalation.document.arrangements",
            region_code=self.county_a.code,
            value={
                "workdays": 3,
                "time": "下午3时",
                "place": "区应急局302室",
                "contact": "张科长",
                "phone": "023-65000000",
            },
        )
        fields = self.interview().context["fields"]
        self.assertTrue(fields["约谈时间"].endswith("下午3时"))
        self.assertEqual(
            (fields["约谈地点"], fields["联系人"], fields["联系电话"]), ("区应急局302室", "张科长", "023-65000000")
        )
