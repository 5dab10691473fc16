"""The progress-report review table: every (state, action) pair, allowed and refused; duties by role."""

from zhiben.core.exceptions import ApplicationError, ScopeError
from zhiben.plans import services
from zhiben.plans.choices import ReportStatus
from zhiben.plans.models import ProgressEvent, ProgressReport
from zhiben.plans.workflow import TRANSITIONS, allowed_actions, has_duty, may_report
from zhiben.testing import CastTestCase

from .helpers import small_plan

NOTES = {"return": "佐证材料不足"}


class ReviewTableTests(CastTestCase):
    def setUp(self):
        self.plan = small_plan(self.alice, self.town_a1)
        self.task = self.plan.tasks.get(content="开展重大事故隐患大排查")

    def report(self, status=ReportStatus.PENDING):
        report = services.progress_report_submit(actor=self.erin, task=self.task, text="已组织排查", percentage=50)
        ProgressReport.objects.filter(pk=report.pk).update(status=status)
        report.refresh_from_db()
        return report

    def actor_for(self, spec):
        return self.alice if spec.duty == "review" else self.erin

    def test_every_state_action_pair(self):
        for state in ReportStatus.values:
            for action, spec in TRANSITIONS.items():
                with self.subTest(state=state, action=action):
                    report = self.report(state)
                    events = ProgressEvent.objects.filter(report=report).count()
                    if state in spec.sources:
                        result = services.progress_report_transition(
                            actor=self.actor_for(spec), report=report, action=action, note=NOTES.get(action, "")
                        )
                        self.assertEqual(result.status, spec.target)
                        event = ProgressEvent.objects.filter(report=report).last()
                        self.assertEqual(
                            (event.action, event.from_status, event.to_status), (action, state, spec.target)
                        )
                    else:
                        with self.assertRaises(ApplicationError) as caught:
                            services.progress_report_transition(
                                actor=self.actor_for(spec), report=report, action=action, note=NOTES.get(action, "")
                            )
                        self.assertEqual(caught.exception.code, "bad_state")
                        self.assertEqual(ProgressReport.objects.get(pk=report.pk).status, state)
                        self.assertEqual(ProgressEvent.objects.filter(report=report).count(), events)

    def test_duties(self):
        report = self.report()
        self.assertTrue(has_duty(self.alice, report, "review"))
        self.assertTrue(has_duty(self.bob, report, "review"))
        for user in (self.erin, self.dave, self.gina, self.charlie):
            self.assertFalse(has_duty(user, report, "review"), user.username)
        with self.assertRaises(ApplicationError) as caught:
            services.progress_report_transition(actor=self.erin, report=report, action="accept")
        self.assertEqual(caught.exception.code, "forbidden")
        with self.assertRaises(ApplicationError):
            services.progress_report_transition(actor=self.dave, report=report, action="accept")
        with self.assertRaises(ScopeError):
            services.progress_report_transition(actor=self.charlie, report=report, action="accept")
        returned = self.report(ReportStatus.RETURNED)
        self.assertTrue(has_duty(self.erin, returned, "report"))
        self.assertFalse(has_duty(self.alice, returned, "report"))  # alice's unit did not report it

    def test_return_needs_a_reason_and_buttons_follow_the_table(self):
        report = self.report()
        with self.assertRaises(ApplicationError):
            services.progress_report_transition(actor=self.alice, report=report, action="return")
        self.assertEqual([a for a, _, _ in allowed_actions(report, self.alice)], ["accept", "return"])
        self.assertEqual(allowed_actions(report, self.erin), [])
        services.progress_report_transition(actor=self.alice, report=report, action="return", note="请补充台账")
        report.refresh_from_db()
        self.assertEqual([a for a, _, _ in allowed_actions(report, self.erin)], ["resubmit"])
        services.progress_report_transition(
            actor=self.erin, report=report, action="resubmit", percentage=80, text="已补充台账照片"
        )
        report.refresh_from_db()
        self.assertEqual((report.status, report.percentage, report.text), (ReportStatus.PENDING, 80, "已补充台账照片"))

    def test_a_second_reviewer_loses_cleanly(self):
        report = self.report()
        stale = ProgressReport.objects.get(pk=report.pk)
        services.progress_report_transition(actor=self.alice, report=report, action="accept")
        with self.assertRaises(ApplicationError) as caught:
            services.progress_report_transition(actor=self.bob, report=stale, action="return", note="不同意")
        self.assertEqual(caught.exception.code, "bad_state")
        self.assertEqual(ProgressReport.objects.get(pk=report.pk).status, ReportStatus.ACCEPTED)

    def test_who_may_report(self):
        self.assertTrue(may_report(self.erin, self.task))
        for user in (self.alice, self.dave, self.gina, self.charlie, self.emma):
            self.assertFalse(may_report(user, self.task), user.username)
        draft = small_plan(self.alice, self.town_a1, publish=False)
        self.assertFalse(may_report(self.erin, draft.tasks.get(content="开展重大事故隐患大排查")))


class ReviewBatchTests(CastTestCase):
    """批量采纳/退回 from the review list: each report on its own, the others told why; refused whole when it can
    apply to none."""

    def setUp(self):
        self.plan = small_plan(self.alice, self.town_a1)
        self.task = self.plan.tasks.get(content="开展重大事故隐患大排查")
        self.first, self.second, self.taken = (
            services.progress_report_submit(actor=self.erin, task=self.task, text=f"第{n}次进展", percentage=30 + n)
            for n in (1, 2, 3)
        )
        services.progress_report_transition(actor=self.alice, report=self.taken, action="accept")

    def status(self, report):
        return ProgressReport.objects.get(pk=report.pk).status

    def test_each_report_on_its_own(self):
        ids = [self.first.pk, self.second.pk, self.taken.pk, 10**30]
        done, failed = services.progress_report_transition_many(actor=self.alice, ids=ids, action="accept")
        self.assertEqual({r.pk for r in done}, {self.first.pk, self.second.pk})
        self.assertEqual({self.status(self.first), self.status(self.second)}, {ReportStatus.ACCEPTED})
        self.assertEqual(
            [(key, message) for _, key, message in failed],
            [
                (self.taken.pk, "当前状态为“已采纳”，不能执行“采纳”。"),
                (10**30, "对象不存在或不在您的管辖范围内。"),
            ],
        )
        # another county's 安委办 finds none of them
        _, failed = services.progress_report_transition_many(actor=self.charlie, ids=ids[:1], action="accept")
        self.assertEqual(failed[0][2], "对象不存在或不在您的管辖范围内。")

    def test_refused_whole_when_it_can_apply_to_none(self):
        ids = [self.first.pk, self.second.pk]
        for action, note, message in (
            ("return", "", "批量“退回”须填写理由。"),
            ("resubmit", "", "不能批量执行“重新提交”，请在任务页面处理。"),
            ("fly", "", "未知的操作“fly”。"),
        ):
            with self.assertRaisesMessage(ApplicationError, message):
                services.progress_report_transition_many(actor=self.alice, ids=ids, action=action, note=note)
        self.assertEqual({self.status(self.first), self.status(self.second)}, {ReportStatus.PENDING})

    def test_the_review_list_offers_boxes_and_returns_with_what_was_done(self):
        client = self.login(self.alice)
        page = client.get("/plans/reports/").content.decode()
        self.assertIn('<form id="batch"', page)
        for report in (self.first, self.second):
            self.assertIn(f'value="{report.pk}" form="batch" data-steps="accept return"', page)
        self.assertIn('<option value="return" data-note="理由">退回</option>', page)
        response = client.post(
            "/plans/reports/batch/",
            {
                "ids": [self.first.pk, self.second.pk],
                "action": "return",
                "note": "佐证材料不足",
                "next": "/plans/reports/",
            },
            follow=True,
        )
        self.assertRedirects(response, "/plans/reports/")
        texts = [str(m) for m in response.context["messages"]]
        self.assertEqual(len(texts), 1)
        self.assertTrue(texts[0].startswith("已对 2 条进展报告执行“退回”："), texts)
        self.assertEqual({self.status(self.first), self.status(self.second)}, {ReportStatus.RETURNED})
        page = self.login(self.erin).get("/plans/reports/").content.decode()  # the unit: no review to do
        self.assertNotIn('<form id="batch"', page)
