"""The duty list and its export: the national duties, those of the levels above and those of the user's own
jurisdiction, in the list's order; another county's local duties on neither; refused without self-inspection rights;
the export audited."""

from django.urls import reverse

from zhiben.audit.models import AuditEvent
from zhiben.selfchecks import services
from zhiben.selfchecks.models import Duty
from zhiben.testing import CastTestCase, sheet_rows


def duty(actor, name, sort=0):
    data = {"name": name, "level": "值班", "frequency": "week", "applies_to": "all", "sort": sort, "basis": "本地规定"}
    return services.duty_save(actor=actor, data=data)


class DutyListTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        duty(cls.bob, "全市月度抽查", sort=90)
        duty(cls.alice, "沙坪坝夜间巡查", sort=1)
        duty(cls.charlie, "九龙坡夜间巡查", sort=1)
        cls.national = [d.name for d in Duty.objects.filter(region__isnull=True).order_by("sort", "id")]

    def names(self, page):
        return [d.name for d in page.context["duties"]]

    def test_the_export_holds_the_rows_the_list_shows_in_its_order(self):
        client = self.login(self.erin)  # a town: the county's and the city's duties bind its enterprises too
        page = client.get(reverse("selfchecks:duties"))
        self.assertContains(page, reverse("selfchecks:duty_export"))
        self.assertEqual(set(self.names(page)), {*self.national, "全市月度抽查", "沙坪坝夜间巡查"})
        rows = sheet_rows(client.get(reverse("selfchecks:duty_export")))
        self.assertEqual(rows[0], ("名称", "排查层级", "频次", "适用企业", "达标比例（%）", "制定区划", "状态", "依据"))
        self.assertEqual([r[0] for r in rows[1:]], self.names(page))
        local = next(r for r in rows if r[0] == "沙坪坝夜间巡查")
        self.assertEqual(local[2:], ("每周", "全部企业", 100, "沙坪坝区", "启用", "本地规定"))
        self.assertEqual(next(r for r in rows if r[0] == self.national[0])[5], "全国默认")

    def test_each_jurisdiction_sees_and_exports_its_own(self):
        for user, own, other in (
            (self.alice, "沙坪坝夜间巡查", "九龙坡夜间巡查"),
            (self.charlie, "九龙坡夜间巡查", "沙坪坝夜间巡查"),
            (self.emma, "沙坪坝夜间巡查", "九龙坡夜间巡查"),  # an enterprise of county A: its county's duties
        ):
            with self.subTest(user=user.username):
                client = self.login(user)
                page = client.get(reverse("selfchecks:duties"))
                self.assertIn(own, self.names(page))
                self.assertNotContains(page, other)
                exported = [r[0] for r in sheet_rows(client.get(reverse("selfchecks:duty_export")))[1:]]
                self.assertEqual(exported, self.names(page))
                self.assertNotIn(other, exported)

    def test_the_city_sees_the_duties_of_both_counties(self):
        names = self.names(self.login(self.bob).get(reverse("selfchecks:duties")))
        self.assertTrue({"全市月度抽查", "沙坪坝夜间巡查", "九龙坡夜间巡查"} <= set(names))

    def test_a_role_without_self_inspection_rights_is_refused(self):
        client = self.login(self.sam)
        self.assertEqual(client.get(reverse("selfchecks:duties")).status_code, 403)
        self.assertEqual(client.get(reverse("selfchecks:duty_export")).status_code, 403)
        self.assertFalse(AuditEvent.objects.filter(action="selfcheck.duty_export").exists())

    def test_the_export_is_audited(self):
        self.login(self.alice).get(reverse("selfchecks:duty_export"))
        event = AuditEvent.objects.filter(action="selfcheck.duty_export").get()
        self.assertEqual((event.actor, event.region_code, event.data["filters"]), (self.alice, self.county_a.code, {}))
        self.assertEqual((event.object_type, event.object_repr), ("selfchecks.duty", "自查制度导出"))
