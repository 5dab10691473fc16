"""The campaign list's export: the campaigns the list shows (its filters, its order) with their progress, each
jurisdiction's campaigns only, refused to a role without campaigns, audited with its filters."""

from django.urls import reverse

from zhiben.audit.models import AuditEvent
from zhiben.testing import sheet_rows

from .. import services
from .base import CampaignTestCase, campaign_data


class CampaignListExportTests(CampaignTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        services.campaign_create(actor=cls.alice, data=campaign_data(name="电动自行车整治"))
        services.campaign_create(actor=cls.charlie, data=campaign_data(name="九龙坡燃气整治"))

    def names(self, page):
        return [c.name for c, _ in page.context["rows"]]

    def test_the_export_holds_the_rows_the_list_shows_in_its_order(self):
        self.record()
        client = self.login(self.alice)
        for query in ({}, {"sort": "name"}, {"sort": "-start"}, {"status": "draft"}, {"q": "燃气"}):
            with self.subTest(query=query):
                page = client.get(reverse("campaigns:list"), {**query, "page": "1"})
                rows = sheet_rows(client.get(reverse("campaigns:list_export"), query))
                self.assertEqual(rows[0][:5], ("名称", "牵头区划", "开始日期", "结束日期", "状态"))
                self.assertEqual([r[0] for r in rows[1:]], self.names(page))
        rows = sheet_rows(client.get(reverse("campaigns:list_export"), {"q": "燃气"}))
        self.assertEqual(rows[1][:2], (self.campaign.name, "沙坪坝区"))
        self.assertEqual(rows[1][2], self.campaign.start_date.isoformat())
        self.assertEqual(rows[1][5:], (4, 1, 3, 25, 1, 0, 0))  # as the list shows it: 1/4 checked

    def test_the_export_link_carries_the_page_query(self):
        page = self.login(self.alice).get(reverse("campaigns:list"), {"status": "draft", "sort": "name", "page": "1"})
        self.assertContains(page, f"{reverse('campaigns:list_export')}?status=draft&amp;sort=name")

    def test_each_jurisdiction_sees_and_exports_its_own(self):
        for user, own in (
            (self.alice, {self.campaign.name, "电动自行车整治"}),
            (self.charlie, {"九龙坡燃气整治"}),
        ):
            with self.subTest(user=user.username):
                client = self.login(user)
                self.assertEqual(set(self.names(client.get(reverse("campaigns:list")))), own)
                exported = sheet_rows(client.get(reverse("campaigns:list_export")))
                self.assertEqual({r[0] for r in exported[1:]}, own)

    def test_a_role_without_campaigns_is_refused(self):
        self.assertEqual(self.login(self.emma).get(reverse("campaigns:list_export")).status_code, 403)
        self.assertFalse(AuditEvent.objects.filter(action="campaign.export").exists())

    def test_the_export_is_audited_with_its_filters(self):
        self.login(self.alice).get(reverse("campaigns:list_export"), {"status": "draft", "sort": "name"})
        event = AuditEvent.objects.filter(action="campaign.export").get()
        self.assertEqual(event.data["filters"], {"status": "draft", "sort": "name"})
        self.assertEqual(event.object_repr, "专项整治导出")
