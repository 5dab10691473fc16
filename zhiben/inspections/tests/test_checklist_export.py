"""The checklist list's export: the rows the list shows (its filters, its default of 启用 only, its order), each
jurisdiction's checklists and those of the levels above only, refused to a role without inspections, audited."""

from django.urls import reverse

from zhiben.audit.models import AuditEvent
from zhiben.inspections import services
from zhiben.testing import CastTestCase, sheet_rows


class ChecklistExportTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        trade = services.checklist_save(actor=cls.alice, data={"name": "工贸检查表", "description": "工贸企业通用"})
        services.checklist_add_items(actor=cls.alice, template=trade, texts=["甲", "乙", "丙"])
        services.checklist_save(actor=cls.alice, data={"name": "危化品检查表"})
        services.checklist_save(actor=cls.alice, data={"name": "停用检查表", "active": "0"})
        services.checklist_save(actor=cls.bob, data={"name": "全市通用检查表"})
        services.checklist_save(actor=cls.charlie, data={"name": "九龙坡检查表"})

    def names(self, page):
        return [t.name for t in page.context["page"]]

    def test_the_export_holds_the_rows_the_list_shows_in_its_order(self):
        client = self.login(self.alice)
        for query in ({}, {"sort": "-name"}, {"active": "all", "sort": "region"}, {"q": "工贸"}, {"active": "0"}):
            with self.subTest(query=query):
                page = client.get(reverse("inspections:checklists"), {**query, "page": "1"})
                self.assertContains(page, reverse("inspections:checklist_export"))
                rows = sheet_rows(client.get(reverse("inspections:checklist_export"), query))
                self.assertEqual(rows[0][:5], ("检查表名称", "适用行业", "制定区划", "条目数", "状态"))
                self.assertEqual([r[0] for r in rows[1:]], self.names(page))
        rows = sheet_rows(client.get(reverse("inspections:checklist_export"), {"q": "工贸"}))
        self.assertEqual(rows[1][:6], ("工贸检查表", "通用", "沙坪坝区", 3, "启用", "工贸企业通用"))
        self.assertRegex(rows[1][6], r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")

    def test_the_export_link_carries_the_page_query(self):
        page = self.login(self.alice).get(
            reverse("inspections:checklists"), {"q": "工贸", "sort": "-name", "page": "1"}
        )
        self.assertContains(page, f"{reverse('inspections:checklist_export')}?q=%E5%B7%A5%E8%B4%B8&amp;sort=-name")

    def test_each_jurisdiction_sees_and_exports_its_own_and_those_above(self):
        for user, own in (
            (self.alice, {"工贸检查表", "危化品检查表", "停用检查表", "全市通用检查表"}),
            (self.charlie, {"九龙坡检查表", "全市通用检查表"}),
        ):
            with self.subTest(user=user.username):
                client = self.login(user)
                page = client.get(reverse("inspections:checklists"), {"active": "all"})
                self.assertEqual(set(self.names(page)), own)
                exported = sheet_rows(client.get(reverse("inspections:checklist_export"), {"active": "all"}))
                self.assertEqual({r[0] for r in exported[1:]}, own)

    def test_a_role_without_inspections_is_refused(self):
        self.assertEqual(self.login(self.sam).get(reverse("inspections:checklist_export")).status_code, 403)
        self.assertFalse(AuditEvent.objects.filter(action="checklist.export").exists())

    def test_the_export_is_audited_with_its_filters(self):
        self.login(self.alice).get(reverse("inspections:checklist_export"), {"q": "工贸", "active": "all"})
        event = AuditEvent.objects.filter(action="checklist.export").get()
        self.assertEqual(event.data["filters"], {"q": "工贸", "active": "all"})
        self.assertEqual(event.object_repr, "检查表导出")
