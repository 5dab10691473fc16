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
