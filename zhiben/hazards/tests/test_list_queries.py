"""The ledger reads a page in a fixed number of statements (issue 23): the rows with their enterprise, region and
industry in one statement, a hazard's place (rarely set) by one more only when the page has one, the count
from the hazards table alone; the filter form's selects as Django writes them."""

import re
from datetime import timedelta

from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhiben.accounts.services import api_token_create
from zhiben.core.filters import QuickSelect
from zhiben.hazards import services
from zhiben.testing import CastTestCase


def report(actor, **data):
    return services.hazard_report(actor=actor, data={"channel": "supervision", **data})


class LedgerQueryTests(CastTestCase):
    def add(self, n, start=0):
        for i in range(start, start + n):
            report(self.alice, enterprise=self.enterprise_a.pk, description=f"第{i}号配电箱未接地")

    def setUp(self):
        self.client.force_login(self.alice)
        self.client.get("/hazards/")  # the first request after logging in also saves the session

    def statements(self, url, **params):
        with CaptureQueriesContext(connection) as ctx:
            response = self.client.get(url, params)
        self.assertEqual(response.status_code, 200)
        return [q["sql"] for q in ctx.captured_queries]

    def test_the_page_and_the_api_take_as_many_statements_for_many_rows_as_for_few(self):
        self.add(2)
        few = (self.statements("/hazards/"), self.statements("/api/v1/hazards/"))
        self.add(15, start=2)
        many = (self.statements("/hazards/"), self.statements("/api/v1/hazards/"))
        self.assertEqual([len(s) for s in many], [len(s) for s in few], many)
        page = self.client.get("/hazards/")
        self.assertContains(page, "共 17 条")
        self.assertContains(page, "第16号配电箱未接地")
        self.assertContains(page, "凤凰化工有限公司")
        self.assertContains(page, "凤凰村")

    def test_the_count_reads_the_hazards_table_alone(self):
        self.add(3)
        counts = [s for s in self.statements("/hazards/") if "COUNT(" in s.upper() and "hazards_hazard" in s]
        self.assertEqual(len(counts), 1, counts)
        self.assertNotIn("JOIN", counts[0].upper())

    def test_a_hazard_at_a_place_shows_its_place_with_one_statement_more(self):
        self.add(2)
        without = len(self.statements("/hazards/"))
        report(
            self.alice,
            place_name="滨江路夜市",
            place_kind="other",
            region=self.village_a1.code,
            industry="hazchem",
            description="夜市燃气瓶露天存放",
        )
        self.assertEqual(len(self.statements("/hazards/")), without + 1)
        self.assertContains(self.client.get("/hazards/"), "滨江路夜市")
        _, key = api_token_create(actor=self.alice, name="测试")
        items = self.client.get("/api/v1/hazards/", headers={"Authorization": f"Bearer {key}"}).json()["items"]
        self.assertEqual({i["place_name"] for i in items}, {"滨江路夜市", ""})

    def test_the_export_shows_the_place_and_the_listing_unit(self):
        from zhiben.hazards.exports import ledger_rows
        from zhiben.hazards.selectors import hazard_list

        hazard = report(
            self.alice,
            place_name="滨江路夜市",
            region=self.village_a1.code,
            industry="hazchem",
            level="major",
            criteria_other="人员密集场所燃气瓶露天存放",
            description="夜市燃气瓶露天存放",
        )
        services.hazard_transition(actor=self.alice, hazard=hazard, action="verify")
        services.hazard_list(actor=self.alice, hazard=hazard, note="区安委办挂牌督办")
        (row,) = ledger_rows(hazard_list(user=self.alice), user=self.alice)
        self.assertEqual(row[2], "滨江路夜市")
        self.assertTrue(row[21].startswith("沙坪坝区安委办"), row[21])


class QuickSelectTests(CastTestCase):
    CHOICES = [("", "全部"), ("a", "甲<乙>"), ("b", "乙"), ("b", "乙（重复）"), ("组", [("c", "丙"), ("d", "丁")])]

    def test_the_same_markup_as_djangos_select(self):
        squeeze = lambda html: re.sub(r">\s+<", "><", html)  # noqa: E731  (Django's templates add line breaks)
        for value in ("a", "b", "d", "", None, "不在其中"):
            with self.subTest(value=value):
                django_select = forms.Select(choices=self.CHOICES).render("region", value, attrs={"id": "id_region"})
                ours = QuickSelect(choices=self.CHOICES).render("region", value, attrs={"id": "id_region"})
                self.assertEqual(ours, squeeze(django_select))

    def test_the_ledger_filter_keeps_the_chosen_region(self):
        self.client.force_login(self.alice)
        page = self.client.get("/hazards/", {"region": self.town_a1.code})
        self.assertContains(page, f'<option value="{self.town_a1.code}" selected>', html=False)
        self.assertContains(page, '<option value="">全部</option>', html=False)


class DetailQueryTests(CastTestCase):
    def setUp(self):
        self.client.force_login(self.alice)
        self.client.get("/hazards/")  # the first request after logging in also saves the session

    def statements(self, hazard):
        with CaptureQueriesContext(connection) as ctx:
            response = self.client.get(f"/hazards/{hazard.pk}/")
        self.assertEqual(response.status_code, 200)
        return response, [q["sql"] for q in ctx.captured_queries]

    def test_a_plain_hazard_reads_no_place_criteria_or_listing_and_one_with_them_shows_each(self):
        from zhiben.hazards.models import CriteriaItem

        plain = report(self.alice, enterprise=self.enterprise_a.pk, description="配电箱未接地")
        response, sent = self.statements(plain)
        reads = ('FROM "hazards_place"', 'FROM "hazards_criteriaitem"', 'FROM "regions_unit" WHERE')
        self.assertFalse([s for s in sent if any(r in s for r in reads)], sent)
        self.assertEqual(sum(1 for s in sent if 'FROM "hazards_hazardextension" LEFT' in s), 1)
        self.assertContains(response, "凤凰化工有限公司")
        self.assertContains(response, "凤凰镇应急办")  # the supervising department, joined
        item = CriteriaItem.objects.select_related("standard").filter(standard__region__isnull=True).first()
        major = report(
            self.alice,
            place_name="滨江路夜市",
            region=self.village_a1.code,
            industry="hazchem",
            level="major",
            criteria_item=item.pk,
            description="夜市燃气瓶露天存放",
        )
        services.hazard_transition(actor=self.alice, hazard=major, action="verify")
        services.hazard_list(actor=self.alice, hazard=major, note="区安委办挂牌督办")
        response, sent = self.statements(major)
        self.assertContains(response, "滨江路夜市")
        self.assertContains(response, item.standard.name)
        self.assertContains(response, "沙坪坝区安委办")

    def test_pending_extension_and_merged_duplicates_still_show(self):
        hazard = report(self.alice, enterprise=self.enterprise_a.pk, description="二楼配电箱前堆放纸箱")
        duplicate = report(self.alice, enterprise=self.enterprise_a.pk, description="二楼配电箱前堆放纸箱杂物")
        services.hazard_transition(actor=self.alice, hazard=duplicate, action="merge", note="重复", target=hazard)
        services.hazard_transition(actor=self.alice, hazard=hazard, action="verify")
        services.hazard_request_extension(
            actor=self.alice,
            hazard=hazard,
            new_deadline=hazard.deadline + timedelta(days=10),
            reason="设备到货延迟",
        )
        response, _ = self.statements(hazard)
        self.assertContains(response, duplicate.number)
        self.assertContains(response, "设备到货延迟")
        self.assertNotContains(response, "申请延期</button>")  # one pending request at a time
