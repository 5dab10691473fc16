"""Every (state, action) pair of the transition table, allowed and refused; duties by role."""

from zhiben.core.exceptions import ApplicationError, ScopeError
from zhiben.hazards import services
from zhiben.hazards.choices import Status
from zhiben.hazards.models import Hazard, HazardEvent
from zhiben.hazards.workflow import TRANSITIONS, allowed_actions, has_duty
from zhiben.testing import CastTestCase

from .helpers import major, ready, report

NOTES = {"reject": "不属于隐患", "return": "照片不清晰", "merge": "重复", "close": "整改到位，同意销号"}


class TransitionTableTests(CastTestCase):
    def test_every_state_action_pair(self):
        for state in Status.values:
            for action, spec in TRANSITIONS.items():
                with self.subTest(state=state, action=action):
                    hazard = ready(report(self.gina, self.enterprise_a), self.erin, status=state)
                    other = report(self.gina, self.enterprise_a, description="另一条不相干的隐患：消防通道堵塞")
                    events = HazardEvent.objects.filter(hazard=hazard).count()
                    kwargs = {"note": NOTES.get(action, ""), "target": other.pk if action == "merge" else None}
                    if state in spec.sources:
                        result = services.hazard_transition(actor=self.erin, hazard=hazard, action=action, **kwargs)
                        self.assertEqual(result.status, spec.target)
                        self.assertEqual(HazardEvent.objects.filter(hazard=hazard).count(), events + 1)
                        event = HazardEvent.objects.filter(hazard=hazard).last()
                        self.assertEqual(
                            (event.action, event.from_status, event.to_status), (action, state, spec.target)
                        )
                    else:
                        with self.assertRaises(ApplicationError) as caught:
                            services.hazard_transition(actor=self.erin, hazard=hazard, action=action, **kwargs)
                        self.assertEqual(caught.exception.code, "bad_state")
                        self.assertIn("不能执行", caught.exception.message)
                        self.assertEqual(Hazard.objects.get(pk=hazard.pk).status, state)
                        self.assertEqual(HazardEvent.objects.filter(hazard=hazard).count(), events)

    def test_unknown_action_refused(self):
        hazard = report(self.gina, self.enterprise_a)
        with self.assertRaises(ApplicationError):
            services.hazard_transition(actor=self.erin, hazard=hazard, action="teleport")


class DutyTests(CastTestCase):
    def setUp(self):
        self.hazard = report(self.gina, self.enterprise_a)

    def test_supervising_department_is_found_up_the_region_chain(self):
        self.assertEqual(self.hazard.supervising_unit, self.unit_emergency_a1)

    def test_triage_belongs_to_department_and_committee(self):
        self.assertTrue(has_duty(self.erin, self.hazard, "triage"))
        self.assertTrue(has_duty(self.alice, self.hazard, "triage"))
        for user in (self.gina, self.emma, self.dave, self.charlie, self.aud):
            self.assertFalse(has_duty(user, self.hazard, "triage"), user.username)

    def test_out_of_scope_reviewer_gets_scope_error(self):
        with self.assertRaises(ScopeError):
            services.hazard_transition(actor=self.charlie, hazard=self.hazard, action="verify")

    def test_grid_worker_cannot_verify(self):
        with self.assertRaises(ApplicationError) as caught:
            services.hazard_transition(actor=self.gina, hazard=self.hazard, action="verify")
        self.assertEqual(caught.exception.code, "forbidden")
        self.assertEqual(Hazard.objects.get(pk=self.hazard.pk).status, Status.REPORTED)

    def test_signoff_belongs_to_supervising_department_not_committee(self):
        hazard = ready(self.hazard, self.erin, status=Status.SUBMITTED)
        self.assertTrue(has_duty(self.erin, hazard, "signoff"))
        self.assertFalse(has_duty(self.alice, hazard, "signoff"))
        with self.assertRaises(ApplicationError):
            services.hazard_transition(actor=self.alice, hazard=hazard, action="close", note="同意")

    def test_listing_unit_owns_signoff(self):
        hazard = ready(self.hazard, self.erin, status=Status.RECTIFYING)
        services.hazard_list(actor=self.alice, hazard=hazard)
        hazard.refresh_from_db()
        self.assertEqual((hazard.listed_level, hazard.listed_unit), ("county", self.unit_office_a))
        Hazard.objects.filter(pk=hazard.pk).update(status=Status.SUBMITTED)
        hazard.refresh_from_db()
        self.assertTrue(has_duty(self.alice, hazard, "signoff"))
        self.assertFalse(has_duty(self.erin, hazard, "signoff"))
        closed = services.hazard_transition(actor=self.alice, hazard=hazard, action="close", note="挂牌单位验收通过")
        self.assertEqual(closed.status, Status.CLOSED)

    def test_relisting_only_upwards(self):
        ready(self.hazard, self.erin, status=Status.VERIFIED)
        services.hazard_list(actor=self.alice, hazard=self.hazard)
        with self.assertRaises(ApplicationError):
            services.hazard_list(actor=self.alice, hazard=self.hazard)

    def test_the_listing_button_is_not_offered_at_a_level_already_listed(self):
        # issue 25: the detail page offered 挂牌督办 on a hazard the county had already listed
        hazard = ready(self.hazard, self.erin, status=Status.VERIFIED)
        self.assertIn("list", [a[0] for a in allowed_actions(hazard, self.alice)])
        services.hazard_list(actor=self.alice, hazard=hazard)
        hazard.refresh_from_db()
        self.assertNotIn("list", [a[0] for a in allowed_actions(hazard, self.alice)])
        page = self.login(self.alice).get(f"/hazards/{hazard.pk}/")
        self.assertNotContains(page, 'data-action="list"')
        self.assertContains(page, "区县挂牌")

    def test_enterprise_user_rectifies_only_own(self):
        self.assertTrue(has_duty(self.emma, self.hazard, "rectify"))
        other = report(self.alice, self.enterprise_a_construction)
        self.assertFalse(Hazard.objects.for_user(self.emma).filter(pk=other.pk).exists())
        self.assertFalse(has_duty(self.emma, other, "rectify"))

    def test_buttons_come_from_the_table(self):
        names = [a[0] for a in allowed_actions(self.hazard, self.erin)]
        self.assertEqual(names[:3], ["verify", "reject", "merge"])
        self.assertNotIn("close", names)
        self.assertEqual([a[0] for a in allowed_actions(self.hazard, self.dave)], [])


class PreconditionTests(CastTestCase):
    def test_major_cannot_start_without_five_and_plan(self):
        hazard = major(self.gina, self.enterprise_a)
        services.hazard_transition(actor=self.erin, hazard=hazard, action="verify")
        with self.assertRaises(ApplicationError) as caught:
            services.hazard_transition(actor=self.emma, hazard=hazard, action="start")
        self.assertIn("五落实", caught.exception.message)
        self.assertIn("治理的目标和任务", caught.exception.message)
        self.assertEqual(Hazard.objects.get(pk=hazard.pk).status, Status.VERIFIED)
        from .helpers import PLAN

        services.hazard_update_plan(actor=self.emma, hazard=hazard, data=PLAN)
        self.assertEqual(
            services.hazard_transition(actor=self.emma, hazard=hazard, action="start").status, Status.RECTIFYING
        )

    def test_cannot_submit_or_close_without_after_evidence(self):
        hazard = ready(report(self.gina, self.enterprise_a), self.erin, status=Status.RECTIFYING, with_photo=False)
        with self.assertRaises(ApplicationError) as caught:
            services.hazard_transition(actor=self.emma, hazard=hazard, action="submit")
        self.assertIn("整改后照片或验收材料", caught.exception.message)
        Hazard.objects.filter(pk=hazard.pk).update(status=Status.SUBMITTED)
        with self.assertRaises(ApplicationError):
            services.hazard_transition(actor=self.erin, hazard=hazard, action="close", note="同意")

    def test_reject_and_return_need_a_reason(self):
        hazard = report(self.gina, self.enterprise_a)
        with self.assertRaises(ApplicationError) as caught:
            services.hazard_transition(actor=self.erin, hazard=hazard, action="reject")
        self.assertIn("理由", caught.exception.message)
        self.assertEqual(Hazard.objects.get(pk=hazard.pk).status, Status.REPORTED)


class SignoffByAnotherTests(CastTestCase):
    """假闭环: whoever applied for 销号 does not sign it off too (rule hazard.signoff_by_other, on by default)."""

    def setUp(self):
        from zhiben.accounts.choices import Role
        from zhiben.testing import make_user

        self.erin2 = make_user("erin2", Role.REGULATOR, self.town_a1, unit=self.unit_emergency_a1)
        self.hazard = ready(report(self.gina, self.enterprise_a), self.erin, status=Status.RECTIFYING)
        services.hazard_transition(actor=self.erin, hazard=self.hazard, action="submit")

    def test_the_applicant_cannot_sign_off_another_member_of_the_department_can(self):
        with self.assertRaises(ApplicationError) as caught:
            services.hazard_transition(actor=self.erin, hazard=self.hazard, action="close", note="同意")
        self.assertIn("申请销号的人员不能审核销号", caught.exception.message)
        self.assertEqual(Hazard.objects.get(pk=self.hazard.pk).status, Status.SUBMITTED)
        closed = services.hazard_transition(actor=self.erin2, hazard=self.hazard, action="close", note="现场复核通过")
        self.assertEqual((closed.status, closed.closed_by), (Status.CLOSED, self.erin2))

    def test_the_last_application_counts(self):
        services.hazard_transition(actor=self.erin2, hazard=self.hazard, action="return", note="照片不清晰")
        services.hazard_transition(actor=self.emma, hazard=self.hazard, action="submit")  # the enterprise applies again
        closed = services.hazard_transition(actor=self.erin, hazard=self.hazard, action="close", note="同意")
        self.assertEqual(closed.status, Status.CLOSED)

    def test_a_jurisdiction_may_turn_the_rule_off(self):
        from zhiben.core.models import Rule

        Rule.objects.create(key="hazard.signoff_by_other", region_code=self.county_a.code, value=False)
        closed = services.hazard_transition(actor=self.erin, hazard=self.hazard, action="close", note="同意")
        self.assertEqual(closed.status, Status.CLOSED)

    def test_the_page_says_why(self):
        client = self.login(self.erin)
        detail = client.get(f"/hazards/{self.hazard.pk}/")
        self.assertNotContains(detail, 'data-action="close"')  # the button gives way to the reason
        self.assertContains(detail, "防止“自己整改、自己销号”")
        self.assertContains(detail, 'data-action="return"')
        page = client.post(f"/hazards/{self.hazard.pk}/do/close/", {"note": "同意"}, follow=True)
        self.assertContains(page, "申请销号的人员不能审核销号")
        self.assertContains(self.login(self.erin2).get(f"/hazards/{self.hazard.pk}/"), 'data-action="close"')
