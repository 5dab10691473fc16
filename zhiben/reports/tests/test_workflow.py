"""Every (state, action) pair of the transition table, allowed and refused; who may act; and what each
outcome leaves behind: the reply the reporter reads, an event, an audit row, the hazard of a verified report."""

from datetime import timedelta

from django.utils import timezone

from zhiben.audit.models import AuditEvent
from zhiben.core.exceptions import ApplicationError, ScopeError
from zhiben.core.models import SubjectEvent
from zhiben.core.rules import rule
from zhiben.hazards.models import Hazard
from zhiben.notifications.models import Notification
from zhiben.reports import selectors, services
from zhiben.reports.choices import MessageKind, Status
from zhiben.reports.models import Message, Report, RoutingRule
from zhiben.reports.workflow import TRANSITIONS, allowed_actions
from zhiben.testing import CastTestCase

from .helpers import NAME, PHONE, at_status, counts, in_clear, named, submit

REPLY = "经现场核查，举报情况属实，已责令企业立即整改。"


def events(report, action=None):
    qs = SubjectEvent.objects.filter(subject_type="reports.report", subject_id=str(report.pk))
    return qs.filter(action=action) if action else qs


def audits(report, action=None):
    qs = AuditEvent.objects.filter(object_type="reports.report", object_id=str(report.pk))
    return qs.filter(action=action) if action else qs


def replies(report):
    """What the reporter reads (their own additions aside)."""
    return [m.text for m in selectors.public_view(report)["messages"] if m.kind == MessageKind.REPLY]


class TransitionTableTests(CastTestCase):
    def call(self, action, report, earlier):
        actor = self.alice
        calls = {
            "accept": lambda: services.report_accept(actor=actor, report=report),
            "transfer": lambda: services.report_transfer(actor=actor, report=report, unit=self.unit_office_a.pk),
            "verify": lambda: services.report_verify(actor=actor, report=report, data={}, reply=REPLY),
            "unfound": lambda: services.report_unfounded(actor=actor, report=report, reply="现场未发现举报的问题。"),
            "duplicate": lambda: services.report_duplicate(actor=actor, report=report, of=earlier.code),
            "refer": lambda: services.report_refer(actor=actor, report=report, body="区公安分局"),
            "spam": lambda: services.report_spam(actor=actor, report=report, reason="广告信息"),
            "reopen": lambda: services.report_reopen(actor=actor, report=report, reason="误判为无效信息"),
        }
        return calls[action]()

    def test_every_state_action_pair(self):
        earlier, _ = submit(self.village_a1)
        for state in Status.values:
            for action, spec in TRANSITIONS.items():
                with self.subTest(state=state, action=action):
                    report = at_status(submit(self.village_a1)[0], state)
                    self.assertEqual(action in allowed_actions(report), state in spec.sources)
                    before = (events(report).count(), audits(report).count())
                    if state in spec.sources:
                        result = self.call(action, report, earlier)
                        self.assertEqual(result.status, spec.target)
                        self.assertEqual(Report.objects.get(pk=report.pk).status, spec.target)
                        self.assertEqual(events(report, action).count(), 1)
                        self.assertEqual(audits(report, f"report.{action}").count(), 1)
                        event = events(report, action).get()
                        self.assertEqual((event.data["from"], event.data["to"]), (state, spec.target))
                    else:
                        with self.assertRaises(ApplicationError) as caught:
                            self.call(action, report, earlier)
                        self.assertEqual(caught.exception.code, "bad_state")
                        self.assertIn("不能执行", caught.exception.message)
                        self.assertEqual(Report.objects.get(pk=report.pk).status, state)
                        self.assertEqual((events(report).count(), audits(report).count()), before)

    def test_closing_stamps_and_reopening_clears_the_closing_time(self):
        report, _ = submit(self.village_a1)
        services.report_spam(actor=self.alice, report=report, reason="广告信息")
        report.refresh_from_db()
        self.assertIsNotNone(report.closed_at)
        Report.objects.filter(pk=report.pk).update(deadline=timezone.localdate() - timedelta(days=40))
        services.report_reopen(actor=self.alice, report=report, reason="误判为无效信息")
        report.refresh_from_db()
        self.assertIsNone(report.closed_at)
        self.assertEqual(report.status, Status.RECEIVED)
        self.assertEqual(report.deadline, timezone.localdate() + timedelta(days=rule("reports.verify_days")))


class WhoMayActTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.report, _ = submit(cls.village_a1)  # hazchem: routed to 凤凰镇应急办 (erin's unit)

    def test_the_unit_and_the_committee_over_the_region_may_handle(self):
        for user in (self.erin, self.alice, self.bob):
            with self.subTest(user=user.username):
                self.assertTrue(services.may_handle(user, self.report))
        for user in (self.charlie, self.dave, self.gina, self.emma, self.sam, self.sid, self.aud):
            with self.subTest(user=user.username):
                self.assertFalse(services.may_handle(user, self.report))

    def test_the_unit_accepts(self):
        services.report_accept(actor=self.erin, report=self.report)
        report = Report.objects.get(pk=self.report.pk)
        self.assertEqual((report.status, report.assignee), (Status.VERIFYING, self.erin))

    def test_the_committee_accepts_naming_an_assignee_of_the_unit(self):
        before = counts()
        with self.assertRaises(ApplicationError) as caught:
            services.report_accept(actor=self.alice, report=self.report, assignee=self.gina.pk)
        self.assertIn("核查人须是承办单位的在岗人员", caught.exception.message)
        for assignee in ("²", "9" * 25):  # the lookup refused "²" (a 500)
            with self.assertRaises(ApplicationError) as caught:
                services.report_accept(actor=self.alice, report=self.report, assignee=assignee)
            self.assertIn("核查人须是承办单位的在岗人员", caught.exception.message)
        self.assertEqual(counts(), before)
        services.report_accept(actor=self.alice, report=self.report, assignee=self.erin.pk)
        report = Report.objects.get(pk=self.report.pk)
        self.assertEqual((report.status, report.assignee), (Status.VERIFYING, self.erin))
        self.assertIn("凤凰镇应急办受理", replies(report)[0])

    def test_a_regulator_of_another_unit_is_refused(self):
        RoutingRule.objects.create(region=self.town_a1, unit=self.unit_office_a)
        report, _ = submit(self.village_a1)  # hazchem (erin sees it) but handled by the 安委办
        self.assertEqual(report.unit, self.unit_office_a)
        self.assertTrue(Report.objects.for_user(self.erin).filter(pk=report.pk).exists())
        with self.assertRaises(ApplicationError) as caught:
            services.report_accept(actor=self.erin, report=report)
        self.assertEqual(caught.exception.code, "forbidden")
        self.assertIn("该举报由沙坪坝区安委办承办，您无权执行“受理”", caught.exception.message)
        self.assertEqual(Report.objects.get(pk=report.pk).status, Status.RECEIVED)

    def test_read_only_and_outside_roles_are_refused(self):
        for user in (self.dave, self.gina, self.sid):
            with self.subTest(user=user.username):
                with self.assertRaises(ApplicationError) as caught:
                    services.report_accept(actor=user, report=self.report)
                self.assertEqual(caught.exception.code, "forbidden")
        self.assertEqual(Report.objects.get(pk=self.report.pk).status, Status.RECEIVED)

    def test_the_other_county_and_the_enterprise_get_scope_error(self):
        for user in (self.charlie, self.emma):
            for action, call in (
                ("accept", lambda u: services.report_accept(actor=u, report=self.report)),
                ("spam", lambda u: services.report_spam(actor=u, report=self.report, reason="广告")),
            ):
                with self.subTest(user=user.username, action=action), self.assertRaises(ScopeError):
                    call(user)
        self.assertEqual(Report.objects.get(pk=self.report.pk).status, Status.RECEIVED)

    def test_a_department_does_not_see_reports_of_industries_it_does_not_supervise(self):
        fire, _ = submit(self.village_a1, category="fire")
        self.assertFalse(Report.objects.for_user(self.erin).filter(pk=fire.pk).exists())
        with self.assertRaises(ScopeError):
            services.report_accept(actor=self.erin, report=fire)
        # a report without an industry is seen by every department of its region
        other, _ = submit(self.village_a1, category="other")
        self.assertTrue(Report.objects.for_user(self.erin).filter(pk=other.pk).exists())

    def test_an_enterprise_user_sees_no_report_at_all(self):
        named_it, _ = submit(self.village_a1, enterprise_name="凤凰化工有限公司")
        self.assertEqual(named_it.enterprise, self.enterprise_a)
        self.assertFalse(Report.objects.for_user(self.emma).exists())


class VerifyTests(CastTestCase):
    def setUp(self):
        self.report, self.secret = services.report_submit(data=named(self.village_a1, address="凤凰镇工业路8号"))
        services.report_accept(actor=self.erin, report=self.report)

    def test_verify_creates_a_public_hazard_linked_both_ways(self):
        services.report_verify(
            actor=self.erin, report=self.report, data={"level": "general", "hazard_category": ""}, reply=REPLY
        )
        report = Report.objects.get(pk=self.report.pk)
        hazard = report.hazard
        self.assertEqual(report.status, Status.VERIFIED)
        self.assertIsNotNone(report.closed_at)
        self.assertEqual((hazard.channel, hazard.found_by, hazard.source_ref), ("public", "群众举报", report.code))
        self.assertEqual(list(hazard.public_reports.all()), [report])
        self.assertEqual(hazard.region_id, self.village_a1.code)
        self.assertEqual(hazard.industry.code, "hazchem")
        self.assertEqual(replies(report)[-1], REPLY)
        self.assertEqual(events(report, "verify").get().data["hazard"], hazard.number)
        self.assertTrue(audits(report, "report.verify").exists())
        # nothing of the reporter in the hazard (which the enterprise will read)
        hazard_text = " ".join(str(v) for v in Hazard.objects.filter(pk=hazard.pk).values().get().values())
        for secret in (NAME, PHONE):
            self.assertNotIn(secret, hazard_text)
        self.assertEqual(in_clear(NAME, PHONE), set())

    def test_verify_of_a_named_enterprise_puts_the_hazard_on_it(self):
        report, _ = submit(self.village_a2, category="other", enterprise_name="凤凰化工有限公司")
        services.report_accept(actor=self.erin, report=report)
        services.report_verify(actor=self.erin, report=report, data={}, reply=REPLY)
        report.refresh_from_db()
        self.assertEqual(report.hazard.enterprise, self.enterprise_a)

    def test_verify_needs_a_reply_and_writes_nothing_without_one(self):
        before = counts()
        with self.assertRaises(ApplicationError) as caught:
            services.report_verify(actor=self.erin, report=self.report, data={}, reply="属实")
        self.assertIn("请填写给举报人的核查结果", caught.exception.message)
        self.assertEqual(counts(), before)
        self.assertEqual(Report.objects.get(pk=self.report.pk).status, Status.VERIFYING)

    def test_a_refused_hazard_leaves_the_report_as_it_was(self):
        before = counts()
        with self.assertRaises(ApplicationError) as caught:
            services.report_verify(actor=self.erin, report=self.report, data={"level": "major"}, reply=REPLY)
        self.assertIn("重大隐患须选择判定依据条款", caught.exception.message)
        self.assertEqual(counts(), before)
        self.assertEqual(Report.objects.get(pk=self.report.pk).status, Status.VERIFYING)

    def test_no_hazard_only_for_violations_and_concealed_accidents(self):
        for code in ("illegal", "concealment"):
            with self.subTest(category=code):
                report, _ = submit(self.village_a1, category=code)
                services.report_accept(actor=self.alice, report=report)
                services.report_verify(actor=self.alice, report=report, data={"no_hazard": "on"}, reply=REPLY)
                report.refresh_from_db()
                self.assertEqual((report.status, report.hazard), (Status.VERIFIED, None))
        before = counts()
        with self.assertRaises(ApplicationError) as caught:
            services.report_verify(actor=self.erin, report=self.report, data={"no_hazard": "on"}, reply=REPLY)
        self.assertIn("事故隐患类举报核查属实须形成隐患", caught.exception.message)
        self.assertEqual(counts(), before)


class OutcomeTests(CastTestCase):
    def setUp(self):
        self.report, self.secret = submit(self.village_a1)

    def accepted(self):
        services.report_accept(actor=self.erin, report=self.report)
        return self.report

    def test_unfounded_needs_an_explanation_the_reporter_reads(self):
        self.accepted()
        before = counts()
        with self.assertRaises(ApplicationError) as caught:
            services.report_unfounded(actor=self.erin, report=self.report, reply="")
        self.assertIn("核查情况说明", caught.exception.message)
        self.assertEqual(counts(), before)
        services.report_unfounded(actor=self.erin, report=self.report, reply="现场核查未发现举报的油漆桶。")
        report = Report.objects.get(pk=self.report.pk)
        self.assertEqual(report.status, Status.UNFOUNDED)
        self.assertEqual(replies(report)[-1], "现场核查未发现举报的油漆桶。")
        self.assertTrue(events(report, "unfound").exists())
        self.assertTrue(audits(report, "report.unfound").exists())

    def test_duplicate_of_an_earlier_report_typed_loosely(self):
        later, _ = submit(self.village_a1)
        Report.objects.filter(pk=later.pk).update(created_at=self.report.created_at + timedelta(minutes=5))
        later.refresh_from_db()
        loose = self.report.code.lower().replace("-", " ")
        services.report_duplicate(actor=self.erin, report=later, of=loose)
        later.refresh_from_db()
        self.assertEqual((later.status, later.duplicate_of), (Status.DUPLICATE, self.report))
        self.assertIn("此前已有人举报", replies(later)[-1])
        self.assertTrue(events(later, "duplicate").exists())
        self.assertTrue(audits(later, "report.duplicate").exists())

    def test_duplicate_of_a_later_report_is_refused(self):
        later, _ = submit(self.village_a1)
        Report.objects.filter(pk=later.pk).update(created_at=self.report.created_at + timedelta(minutes=5))
        before = counts()
        with self.assertRaises(ApplicationError) as caught:
            services.report_duplicate(actor=self.erin, report=self.report, of=later.code)
        self.assertIn(f"举报 {later.code} 晚于本举报，应将那件标为重复", caught.exception.message)
        self.assertEqual(counts(), before)

    def test_duplicate_of_a_hazard_on_record(self):
        earlier, _ = submit(self.village_a1)
        services.report_accept(actor=self.erin, report=earlier)
        services.report_verify(actor=self.erin, report=earlier, data={}, reply=REPLY)
        number = Report.objects.get(pk=earlier.pk).hazard.number
        services.report_duplicate(actor=self.erin, report=self.report, of=number.lower())
        report = Report.objects.get(pk=self.report.pk)
        self.assertEqual((report.status, report.duplicate_hazard.number), (Status.DUPLICATE, number))
        self.assertIn("隐患台账", replies(report)[-1])

    def test_duplicate_of_something_out_of_scope_or_unknown_is_refused(self):
        theirs, _ = submit(self.village_b1)
        for of in (theirs.code, "JB-2222-3333", "YH-NOPE", "", self.report.code):
            with self.subTest(of=of):
                before = counts()
                with self.assertRaises(ApplicationError) as caught:
                    services.report_duplicate(actor=self.alice, report=self.report, of=of)
                self.assertIn("须在您的管辖范围内", caught.exception.message)
                self.assertEqual(counts(), before)

    def test_transfer_to_another_unit_restarts_the_clock_and_tells_the_unit(self):
        self.accepted()
        Report.objects.filter(pk=self.report.pk).update(deadline=timezone.localdate() - timedelta(days=3))
        today = timezone.localdate()
        services.report_transfer(
            actor=self.erin,
            report=self.report,
            unit=self.unit_office_a.pk,
            reply="本件由区安委办统筹办理。",
            today=today,
        )
        report = Report.objects.get(pk=self.report.pk)
        self.assertEqual((report.status, report.unit, report.assignee), (Status.RECEIVED, self.unit_office_a, None))
        self.assertEqual(report.deadline, today + timedelta(days=rule("reports.verify_days")))
        self.assertIn("转办", report.routed_by)
        self.assertEqual(replies(report)[-1], "本件由区安委办统筹办理。")
        notice = Notification.objects.get(recipient=self.alice, subject__startswith="转办的群众举报")
        self.assertIn(report.code, notice.subject)
        self.assertTrue(events(report, "transfer").exists())
        self.assertTrue(audits(report, "report.transfer").exists())
        # the unit that passed it on no longer handles it
        self.assertFalse(services.may_handle(self.erin, report))

    def test_transfer_is_refused_to_the_same_unit_or_one_out_of_reach(self):
        cases = [
            (self.erin, self.unit_emergency_a1.pk, "接收单位与当前承办单位相同"),
            (self.alice, self.unit_office_b.pk, "请选择接收的承办单位"),
            (self.alice, "", "请选择接收的承办单位"),
            (self.alice, 999999, "请选择接收的承办单位"),
            (self.alice, "²", "请选择接收的承办单位"),  # str.isdigit() holds, the lookup refused it (a 500)
            (self.alice, "9" * 25, "请选择接收的承办单位"),
        ]
        for actor, unit, message in cases:
            with self.subTest(unit=unit):
                before = counts()
                with self.assertRaises(ApplicationError) as caught:
                    services.report_transfer(actor=actor, report=self.report, unit=unit)
                self.assertIn(message, caught.exception.message)
                self.assertEqual(counts(), before)

    def test_refer_names_the_body(self):
        before = counts()
        with self.assertRaises(ApplicationError) as caught:
            services.report_refer(actor=self.erin, report=self.report, body="")
        self.assertIn("请填写接收移交的机关", caught.exception.message)
        self.assertEqual(counts(), before)
        services.report_refer(actor=self.erin, report=self.report, body="区市场监管局")
        report = Report.objects.get(pk=self.report.pk)
        self.assertEqual((report.status, report.referred_to), (Status.REFERRED, "区市场监管局"))
        self.assertIn("已依法移交区市场监管局处理", replies(report)[-1])
        self.assertTrue(events(report, "refer").exists())
        self.assertTrue(audits(report, "report.refer").exists())

    def test_spam_sends_no_reply_and_reopen_restores_it(self):
        with self.assertRaises(ApplicationError) as caught:
            services.report_spam(actor=self.erin, report=self.report, reason="")
        self.assertIn("请写明判为无效信息的理由", caught.exception.message)
        services.report_spam(actor=self.erin, report=self.report, reason="推销广告")
        report = Report.objects.get(pk=self.report.pk)
        self.assertEqual(report.status, Status.SPAM)
        self.assertFalse(Message.objects.filter(report=report).exists())
        self.assertIn("推销广告", events(report, "spam").get().note)
        self.assertEqual(audits(report, "report.spam").get().data["reason"], "推销广告")
        with self.assertRaises(ApplicationError) as caught:
            services.report_reopen(actor=self.erin, report=report, reason="")
        self.assertIn("请写明恢复的理由", caught.exception.message)
        services.report_reopen(actor=self.erin, report=report, reason="经复核不是广告")
        report = Report.objects.get(pk=self.report.pk)
        self.assertEqual(report.status, Status.RECEIVED)
        self.assertTrue(events(report, "reopen").exists())
        self.assertTrue(audits(report, "report.reopen").exists())

    def test_every_reply_reaches_a_named_reporter_by_sms_without_the_reply(self):
        report, _ = services.report_submit(data=named(self.village_a1))
        services.report_accept(actor=self.erin, report=report)
        services.report_unfounded(actor=self.erin, report=report, reply="现场核查未发现举报的油漆桶。")
        sms = list(Notification.objects.filter(to_name="举报人", object_id=str(report.pk)))
        self.assertEqual(len(sms), 2)
        for row in sms:
            self.assertEqual(row.to_address, PHONE)
            self.assertNotIn("油漆桶", row.body)
            self.assertIn(report.code, row.body)
        # an anonymous reporter gets none
        services.report_accept(actor=self.erin, report=self.report)
        self.assertFalse(Notification.objects.filter(to_name="举报人", object_id=str(self.report.pk)).exists())


class BatchTests(CastTestCase):
    """受理 or 无效信息 on many reports from the list: each on its own, the others told why."""

    def setUp(self):
        self.first, _ = submit(self.village_a1)
        self.second, _ = submit(self.village_a1)
        self.taken, _ = submit(self.village_a1)
        services.report_accept(actor=self.erin, report=self.taken)
        self.elsewhere, _ = submit(self.village_b1)

    def test_each_report_on_its_own_and_the_reporter_hears_of_it(self):
        ids = [self.first.pk, self.second.pk, self.taken.pk, self.elsewhere.pk]
        done, failed = services.report_transition_many(actor=self.erin, ids=ids, action="accept")
        self.assertEqual({r.pk for r in done}, {self.first.pk, self.second.pk})
        for report in done:
            report = Report.objects.get(pk=report.pk)
            self.assertEqual((report.status, report.assignee), (Status.VERIFYING, self.erin))
            self.assertIn("凤凰镇应急办受理", replies(report)[0])
        self.assertEqual(
            [(key, message) for _, key, message in failed],
            [
                (self.taken.pk, "举报当前为“核查中”，不能执行“受理”。"),
                (self.elsewhere.pk, "对象不存在或不在您的管辖范围内。"),
            ],
        )

    def test_spam_needs_its_reason_and_verification_goes_one_by_one(self):
        ids = [self.first.pk, self.second.pk]
        for action, note, message in (
            ("spam", " ", "批量“无效信息”须填写理由。"),
            ("verify", "", "不能批量执行“核查属实”，请在举报页面逐件处理。"),
        ):
            with self.assertRaisesMessage(ApplicationError, message):
                services.report_transition_many(actor=self.erin, ids=ids, action=action, note=note)
        done, _ = services.report_transition_many(actor=self.erin, ids=ids, action="spam", note="广告信息")
        self.assertEqual({Report.objects.get(pk=r.pk).status for r in done}, {Status.SPAM})
        self.assertEqual(len(done), 2)

    def test_the_list_offers_boxes_to_those_who_handle(self):
        page = self.login(self.erin).get("/reports/").content.decode()
        self.assertIn('<form id="batch"', page)
        self.assertIn(f'value="{self.first.pk}" form="batch" data-steps="accept spam"', page)
        self.assertIn(f'value="{self.taken.pk}" form="batch" data-steps="spam"', page)
        response = self.client.post(
            "/reports/batch/", {"ids": [self.first.pk], "action": "accept", "next": "/reports/?status=received"}
        )
        self.assertRedirects(response, "/reports/?status=received", fetch_redirect_response=False)
        self.assertEqual(Report.objects.get(pk=self.first.pk).status, Status.VERIFYING)
        page = self.login(self.dave).get("/reports/").content.decode()  # a leader reads, handles none
        self.assertNotIn('<form id="batch"', page)
