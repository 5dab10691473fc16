"""Units: list with filters, create and edit by the 系统管理员 (audited), and scope."""

from zhiben.accounts.choices import Role
from zhiben.audit.models import AuditEvent
from zhiben.core.exceptions import ApplicationError
from zhiben.enterprises.models import Enterprise
from zhiben.regions.models import Industry, Unit
from zhiben.regions.services import normalize_aliases, unit_create, unit_update
from zhiben.testing import CastTestCase, make_user


def unit_form(**overrides):
    data = {
        "name": "凤凰镇规建办",
        "short_name": "规建办",
        "aliases": "规划建设办，建设办",
        "kind": "department",
        "region": "500106105000",
        "industries": [],
        "doc_prefix": "凤规建",
        "is_active": "on",
    }
    data.update(overrides)
    return data


class UnitListTests(CastTestCase):
    def names(self, response):
        return [u.name for u in response.context["page"]]

    def test_it_lists_own_jurisdiction(self):
        response = self.login(self.sam).get("/regions/units/")
        self.assertEqual(self.names(response), ["沙坪坝区安委办", "凤凰镇应急办"])
        self.assertContains(response, "新建单位")
        self.assertNotContains(self.login(self.alice).get("/regions/units/"), "新建单位")

    def test_it_filters(self):
        hazchem = Industry.objects.get(code="hazchem")
        self.login(self.sam)
        self.assertEqual(self.names(self.client.get("/regions/units/?q=应急")), ["凤凰镇应急办"])
        self.assertEqual(self.names(self.client.get("/regions/units/?kind=committee")), ["沙坪坝区安委办"])
        self.assertEqual(self.names(self.client.get(f"/regions/units/?industry={hazchem.pk}")), ["凤凰镇应急办"])
        self.assertEqual(self.names(self.client.get("/regions/units/?region=500106105")), ["凤凰镇应急办"])
        self.assertEqual(self.names(self.client.get("/regions/units/?region=xx")), [])

    def test_it_exports_as_listed(self):
        from io import BytesIO

        from openpyxl import load_workbook

        def rows(user, query=""):
            response = self.login(user).get(f"/regions/units/export/{query}")
            self.assertEqual(response.status_code, 200)
            return list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))

        sheet = rows(self.sam)
        self.assertEqual(sheet[0][:3], ("单位名称", "简称", "类型"))
        self.assertEqual([r[0] for r in sheet[1:]], ["沙坪坝区安委办", "凤凰镇应急办"])
        emergency = sheet[2]
        self.assertIn("危", emergency[5])  # the industries it supervises
        self.assertEqual([r[0] for r in rows(self.sam, "?kind=committee")[1:]], ["沙坪坝区安委办"])
        self.assertEqual([r[0] for r in rows(self.charlie)[1:]], ["九龙坡区安委办"])
        self.assertTrue(AuditEvent.objects.filter(action="unit.export").exists())

    def test_it_hides_other_jurisdictions(self):
        self.login(self.charlie)
        self.assertEqual(self.names(self.client.get("/regions/units/")), ["九龙坡区安委办"])
        for path in ("", "edit/"):
            self.assertEqual(self.client.get(f"/regions/units/{self.unit_office_a.pk}/{path}").status_code, 404)
        self.assertEqual(
            self.client.post(
                f"/regions/units/{self.unit_office_a.pk}/edit/", unit_form(region=self.county_b.code)
            ).status_code,
            404,
        )
        self.assertEqual(self.client.get(f"/regions/units/{self.unit_office_b.pk}/").status_code, 200)
        self.assertEqual(self.client.get(f"/api/v1/units/{self.unit_office_a.pk}").status_code, 404)

    def test_the_detail_page(self):
        response = self.login(self.alice).get(f"/regions/units/{self.unit_emergency_a1.pk}/")
        self.assertContains(response, "危险化学品")
        self.assertEqual(response.context["user_count"], 1)  # erin
        self.assertNotContains(response, "编辑")


class UnitWriteTests(CastTestCase):
    def test_the_system_admin_creates_a_unit(self):
        construction = Industry.objects.get(code="construction")
        response = self.login(self.sam).post("/regions/units/new/", unit_form(industries=[construction.pk]))
        unit = Unit.objects.get(name="凤凰镇规建办")
        self.assertRedirects(response, f"/regions/units/{unit.pk}/", fetch_redirect_response=False)
        self.assertEqual(
            (unit.region_id, unit.aliases, unit.doc_prefix, unit.created_by_id),
            (self.town_a1.code, "规划建设办,建设办", "凤规建", self.sam.pk),
        )
        self.assertEqual(list(unit.industries.values_list("code", flat=True)), ["construction"])
        event = AuditEvent.objects.get(action="unit.create")
        self.assertEqual((event.actor_id, event.region_code), (self.sam.pk, self.town_a1.code))
        self.assertEqual(event.data["after"]["industries"], ["construction"])

    def test_errors_are_shown_next_to_their_fields(self):
        self.login(self.sam)
        response = self.client.post("/regions/units/new/", unit_form(name="凤凰镇应急办", doc_prefix="FH"))
        errors = response.context["form"].errors
        self.assertIn("“凤凰镇”已有名为“凤凰镇应急办”的单位。", errors["name"])
        self.assertIn("发文机关代字应为汉字，如“凤安办”。", errors["doc_prefix"])
        self.assertContains(response, 'class="fielderror"')
        response = self.client.post("/regions/units/new/", unit_form(name="", region=""))
        self.assertIn("name", response.context["form"].errors)
        self.assertIn("region", response.context["form"].errors)
        self.assertFalse(Unit.objects.filter(name="凤凰镇规建办").exists())

    def test_it_cannot_place_a_unit_outside_its_jurisdiction(self):
        response = self.login(self.sam).post("/regions/units/new/", unit_form(region=self.county_b.code))
        self.assertIn("region", response.context["form"].errors)
        with self.assertRaises(ApplicationError) as caught:
            unit_create(actor=self.sam, data={"name": "越界单位", "kind": "department", "region": self.county_b})
        self.assertEqual(caught.exception.errors[0]["field"], "region")
        with self.assertRaises(ApplicationError):
            unit_update(actor=self.sam, unit=self.unit_emergency_a1, data={"region": self.county_b})
        self.unit_emergency_a1.refresh_from_db()
        self.assertEqual(self.unit_emergency_a1.region_id, self.town_a1.code)

    def test_editing_industries_changes_what_the_units_staff_see(self):
        self.assertFalse(Enterprise.objects.for_user(self.erin).filter(pk=self.enterprise_a_construction.pk).exists())
        industries = Industry.objects.filter(code__in=["hazchem", "machinery", "construction"])
        response = self.login(self.sam).post(
            f"/regions/units/{self.unit_emergency_a1.pk}/edit/",
            unit_form(
                name="凤凰镇应急办",
                short_name="应急办",
                aliases="",
                doc_prefix="凤应急",
                industries=[i.pk for i in industries],
            ),
        )
        self.assertRedirects(response, f"/regions/units/{self.unit_emergency_a1.pk}/", fetch_redirect_response=False)
        erin = type(self.erin).objects.get(
            pk=self.erin.pk
        )  # a fresh instance: the industry list is cached per instance
        self.assertTrue(Enterprise.objects.for_user(erin).filter(pk=self.enterprise_a_construction.pk).exists())
        event = AuditEvent.objects.get(action="unit.update")
        self.assertEqual(
            event.data["changes"]["industries"], [["hazchem", "machinery"], ["construction", "hazchem", "machinery"]]
        )
        self.assertEqual(event.data["changes"]["doc_prefix"], ["", "凤应急"])

    def test_a_units_industries_are_read_once_per_process_and_again_after_a_change(self):
        hazchem, machinery = Industry.objects.get(code="hazchem"), Industry.objects.get(code="machinery")
        first, second = (type(self.erin).objects.get(pk=self.erin.pk) for _ in range(2))  # two requests' users
        self.assertEqual(first.domain_ids, sorted([hazchem.pk, machinery.pk]))
        with self.assertNumQueries(0):
            self.assertEqual(second.domain_ids, first.domain_ids)
        self.unit_emergency_a1.industries.remove(machinery)
        third = type(self.erin).objects.get(pk=self.erin.pk)
        with self.assertNumQueries(1):
            self.assertEqual(third.domain_ids, [hazchem.pk])

    def test_deactivating_a_unit(self):
        self.login(self.sam).post(
            f"/regions/units/{self.unit_office_a.pk}/edit/",
            unit_form(
                name="沙坪坝区安委办", region=self.county_a.code, kind="committee", doc_prefix="沙安办", is_active=""
            ),
        )
        self.unit_office_a.refresh_from_db()
        self.assertFalse(self.unit_office_a.is_active)
        self.assertEqual(AuditEvent.objects.get(action="unit.update").data["changes"]["is_active"], [True, False])

    def test_an_unchanged_save_records_nothing(self):
        unit_update(actor=self.sam, unit=self.unit_office_a, data={"name": "沙坪坝区安委办"})
        self.assertFalse(AuditEvent.objects.filter(action="unit.update").exists())

    def test_only_the_system_admin_writes(self):
        for user in (self.alice, self.sid, self.aud, self.dave):
            self.login(user)
            self.assertEqual(self.client.get("/regions/units/new/").status_code, 403, user.username)
            self.assertEqual(
                self.client.post(f"/regions/units/{self.unit_office_a.pk}/edit/", unit_form()).status_code,
                403,
                user.username,
            )
        with self.assertRaises(ApplicationError):
            unit_create(actor=self.alice, data={"name": "x", "kind": "department", "region": self.county_a})

    def test_a_system_admin_of_another_county_gets_404(self):
        self.login(make_user("sam_b", Role.SYS_ADMIN, self.county_b))
        self.assertEqual(self.client.get(f"/regions/units/{self.unit_office_a.pk}/edit/").status_code, 404)

    def test_aliases_are_normalised(self):
        self.assertEqual(normalize_aliases(" 应急局，应急办;安监、 应急局 "), "应急局,应急办,安监")


class UnitSortTests(CastTestCase):
    def names(self, query=""):
        return [u.name for u in self.client.get(f"/regions/units/{query}").context["page"]]

    def test_each_column_header_sorts_both_ways(self):
        self.login(self.sam)
        by_region = self.names()
        self.assertEqual(by_region, ["沙坪坝区安委办", "凤凰镇应急办"])  # by region by default
        self.assertEqual(self.names("?sort=-region"), by_region[::-1])
        self.assertEqual(self.names("?sort=name"), sorted(by_region))
        self.assertEqual(self.names("?sort=-name"), sorted(by_region, reverse=True))
        self.assertEqual(self.names("?sort=kind"), ["沙坪坝区安委办", "凤凰镇应急办"])  # committee before department
        self.assertEqual(self.names("?sort=-kind"), ["凤凰镇应急办", "沙坪坝区安委办"])

    def test_headers_link_to_the_other_order_keeping_the_filters(self):
        response = self.login(self.sam).get("/regions/units/?q=办&sort=name")
        self.assertContains(response, '<a href="?q=%E5%8A%9E&amp;sort=-name">单位名称 ▲</a>', html=False)
        self.assertContains(response, '<a href="?q=%E5%8A%9E&amp;sort=kind">类型</a>', html=False)
        self.assertContains(response, 'data-label="代字"')

    def test_an_unknown_order_is_ignored(self):
        self.login(self.sam)
        self.assertEqual(self.names("?sort=password"), ["沙坪坝区安委办", "凤凰镇应急办"])
