"""The region search as the mature lists work: sorted from its column headers each way, exported with the same
text and order (the whole jurisdiction without a text), each jurisdiction's regions only, audited."""

from django.urls import reverse

from zhiben.audit.models import AuditEvent
from zhiben.testing import CastTestCase, header_link, sheet_rows


class RegionListTests(CastTestCase):
    def names(self, page):
        return [r.name for r in page.context["page"]]

    def test_the_headers_sort_by_name_and_level_each_way(self):
        client = self.login(self.alice)
        url = reverse("regions:region_list")
        page = client.get(url, {"q": "凤凰"})
        self.assertEqual(self.names(page), ["凤凰镇", "凤凰村"])  # by code
        self.assertContains(page, "区划代码 ▲")
        by_name = client.get(url + header_link(page, "名称"))
        self.assertEqual(self.names(by_name), ["凤凰村", "凤凰镇"])
        self.assertContains(by_name, "名称 ▲")
        self.assertEqual(self.names(client.get(url + header_link(by_name, "名称"))), ["凤凰镇", "凤凰村"])
        by_level = client.get(url + header_link(page, "层级"))
        self.assertEqual(self.names(by_level), ["凤凰镇", "凤凰村"])
        self.assertEqual(self.names(client.get(url + header_link(by_level, "层级"))), ["凤凰村", "凤凰镇"])
        self.assertEqual(header_link(by_level, "层级"), "?q=%E5%87%A4%E5%87%B0&sort=-level")  # the text is kept

    def test_the_export_holds_the_rows_the_search_shows_in_its_order_and_is_audited(self):
        client = self.login(self.alice)
        page = client.get(reverse("regions:region_list"), {"q": "5001", "sort": "-name", "page": "1"})
        self.assertEqual(len(page.context["page"]), 5)
        self.assertContains(page, f"{reverse('regions:region_export')}?q=5001&amp;sort=-name")
        rows = sheet_rows(client.get(reverse("regions:region_export"), {"q": "5001", "sort": "-name"}))
        self.assertEqual(rows[0], ("区划代码", "名称", "层级", "上级区划代码", "上级名称"))
        self.assertEqual([r[1] for r in rows[1:]], self.names(page))
        self.assertIn((self.village_a1.code, "凤凰村", "村社区", self.town_a1.code, "凤凰镇"), rows)
        event = AuditEvent.objects.filter(action="region.export").get()
        self.assertEqual(event.data["filters"], {"q": "5001", "sort": "-name"})
        self.assertEqual(event.object_repr, "行政区划导出")

    def test_without_a_text_the_export_is_the_whole_jurisdiction(self):
        page = self.login(self.alice).get(reverse("regions:region_list"))
        self.assertContains(page, "导出辖区区划")
        rows = sheet_rows(self.client.get(reverse("regions:region_export")))
        codes = [r[0] for r in rows[1:]]
        self.assertEqual(codes, sorted(codes))
        self.assertEqual(
            set(codes),
            {r.code for r in (self.county_a, self.town_a1, self.town_a2, self.village_a1, self.village_a2)},
        )

    def test_each_jurisdiction_sees_and_exports_its_own(self):
        for user, own in (
            (self.alice, {"沙坪坝区", "凤凰镇", "青木关镇", "凤凰村", "双碑村"}),
            (self.charlie, {"九龙坡区", "西彭镇", "西彭社区"}),
        ):
            with self.subTest(user=user.username):
                client = self.login(user)
                self.assertEqual(set(self.names(client.get(reverse("regions:region_list"), {"q": "5001"}))), own)
                exported = sheet_rows(client.get(reverse("regions:region_export"), {"q": "5001"}))
                self.assertEqual({r[1] for r in exported[1:]}, own)

    def test_a_role_without_region_view_is_refused(self):
        for user in (self.emma, self.aud):
            with self.subTest(user=user.username):
                self.assertEqual(self.login(user).get(reverse("regions:region_export")).status_code, 403)
        self.assertFalse(AuditEvent.objects.filter(action="region.export").exists())
