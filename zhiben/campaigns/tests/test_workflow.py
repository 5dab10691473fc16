"""The campaign transition table: every (status, action) pair allowed and refused, and who may act."""

from zhiben.core.exceptions import ApplicationError, ScopeError

from .. import services
from ..choices import Status
from ..models import Campaign
from ..workflow import TRANSITIONS, allowed_actions
from .base import CampaignTestCase


class TransitionTableTests(CampaignTestCase):
    def at(self, status):
        campaign = self.draft()
        Campaign.objects.filter(pk=campaign.pk).update(status=status)
        campaign.refresh_from_db()
        return campaign

    def test_it_allows_exactly_the_pairs_in_the_table(self):
        for status in Status.values:
            for action, transition in TRANSITIONS.items():
                with self.subTest(status=status, action=action):
                    campaign = self.at(status)
                    if status in transition.sources:
                        services.campaign_transition(actor=self.alice, campaign=campaign, action=action)
                        campaign.refresh_from_db()
                        self.assertEqual(campaign.status, transition.target)
                    else:
                        with self.assertRaises(ApplicationError) as caught:
                            services.campaign_transition(actor=self.alice, campaign=campaign, action=action)
                        self.assertIn("不能", caught.exception.message)
                        campaign.refresh_from_db()
                        self.assertEqual(campaign.status, status)

    def test_the_path_is_draft_active_closed(self):
        campaign = self.draft()
        self.assertEqual(campaign.status, Status.DRAFT)
        services.campaign_transition(actor=self.alice, campaign=campaign, action="activate")
        campaign.refresh_from_db()
        self.assertEqual(campaign.status, Status.ACTIVE)
        self.assertIsNotNone(campaign.activated_at)
        services.campaign_transition(actor=self.alice, campaign=campaign, action="close")
        campaign.refresh_from_db()
        self.assertEqual(campaign.status, Status.CLOSED)
        self.assertIsNotNone(campaign.closed_at)
        self.assertEqual(allowed_actions(campaign, self.alice), [])

    def test_an_unknown_action_is_refused(self):
        with self.assertRaisesMessage(ApplicationError, "未知操作"):
            services.campaign_transition(actor=self.alice, campaign=self.draft(), action="reopen")

    def test_a_stale_copy_cannot_win_twice(self):
        campaign = self.draft()
        stale = Campaign.objects.get(pk=campaign.pk)
        services.campaign_transition(actor=self.alice, campaign=campaign, action="activate")
        with self.assertRaises(ApplicationError):
            services.campaign_transition(actor=self.alice, campaign=stale, action="activate")
        self.assertEqual(Campaign.objects.get(pk=campaign.pk).status, Status.ACTIVE)

    def test_it_needs_targets_to_start(self):
        campaign = self.draft()
        campaign.industries.clear()
        Campaign.objects.filter(pk=campaign.pk).update(place_kinds=[])
        campaign.refresh_from_db()
        with self.assertRaisesMessage(ApplicationError, "尚未设定排查对象"):
            services.campaign_transition(actor=self.alice, campaign=campaign, action="activate")

    def test_who_may_act(self):
        campaign = self.draft()
        for user in (self.dave, self.erin, self.gina, self.fhan):  # no right, or a town below the owner
            with self.subTest(user=user.username), self.assertRaises(ApplicationError) as caught:
                services.campaign_transition(actor=user, campaign=campaign, action="activate")
            self.assertEqual(caught.exception.code, "forbidden")
            self.assertEqual(allowed_actions(campaign, user), [])
        with self.assertRaises(ScopeError):
            services.campaign_transition(actor=self.charlie, campaign=campaign, action="activate")
        self.assertEqual(Campaign.objects.get(pk=campaign.pk).status, Status.DRAFT)
        self.assertEqual([a[0] for a in allowed_actions(campaign, self.bob)], ["activate"])  # the city above
        services.campaign_transition(actor=self.bob, campaign=campaign, action="activate")

    def test_each_transition_is_on_the_timeline_and_audited(self):
        from zhiben.audit.models import AuditEvent
        from zhiben.core.timeline import subject_events

        campaign = self.draft()
        services.campaign_transition(actor=self.alice, campaign=campaign, action="activate", note="部署")
        self.assertEqual([e.action for e in subject_events(campaign)], ["create", "activate"])
        self.assertTrue(AuditEvent.objects.filter(action="campaign.activate", object_id=str(campaign.pk)).exists())
