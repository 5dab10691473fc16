"""The pages: list (filter, sort, paginate), create from a preset, edit, transitions, detail with
progress, targets, checks, the check form (phone), check detail with photos and hazards, export and
import; and Charlie's 404s on county A's campaign and checks."""

import io
from datetime import timedelta

from django.urls import reverse
from openpyxl import load_workbook

from zhiben.core.excel import write_xlsx
from zhiben.hazards.models import Hazard

from ..choices import Status
from ..models import Campaign, CampaignCheck, CampaignPhoto
from .base import TODAY, CampaignTestCase, png


class PageTests(CampaignTestCase):
    def test_the_list_filters_sorts_and_paginates(self):
        self.draft(name="电动自行车整治")
        client = self.login(self.alice)
        page = client.get(reverse("campaigns:list"))
        self.assertContains(page, self.campaign.name)
        self.assertContains(page, "0/4")
        self.assertContains(page, "电动自行车整治")
        page = client.get(reverse("campaigns:list"), {"status": "draft"})
        self.assertNotContains(page, self.campaign.name)
        self.assertContains(page, "电动自行车整治")
        page = client.get(reverse("campaigns:list"), {"sort": "name", "per_page": "20", "region": self.town_a1.code})
        self.assertContains(page, self.campaign.name)  # the county's campaign is carried out in the town
        self.assertContains(page, "共 2 条")

    def test_create_from_a_preset(self):
        client = self.login(self.alice)
        page = client.get(reverse("campaigns:create"), {"preset": "gas"})
        self.assertContains(page, "燃气“带病运行”排查整治")
        self.assertContains(page, 'value="问题软管"')
        form = page.context["form"]
        self.assertEqual(form.initial["preset"], "gas")
        post = {
            "name": "燃气“带病运行”排查整治",
            "description": "全覆盖排查",
            "start_date": TODAY.isoformat(),
            "end_date": (TODAY + timedelta(days=60)).isoformat(),
            "industries": form.initial["industries"],
            "place_kinds": ["gas_pipe"],
            "place_industry": form.initial["place_industry"],
            "preset": "gas",
            "col-count": "3",
            "col-0-label": "问题气",
            "col-0-type": "bool",
            "col-0-problem": "on",
            "col-1-label": "用户类型",
            "col-1-type": "choice",
            "col-1-choices": "居民、餐饮",
            "col-1-required": "on",
            "col-2-label": "",
        }
        response = client.post(reverse("campaigns:create") + "?preset=gas", post)
        campaign = Campaign.objects.get(name="燃气“带病运行”排查整治")
        self.assertRedirects(response, reverse("campaigns:detail", args=[campaign.pk]))
        self.assertEqual([c["label"] for c in campaign.columns], ["问题气", "用户类型"])
        self.assertTrue(campaign.columns[0]["problem"])
        self.assertEqual(campaign.columns[1]["choices"], ["居民", "餐饮"])
        self.assertEqual((campaign.status, campaign.preset, campaign.region), (Status.DRAFT, "gas", self.county_a))

    def test_a_refused_definition_shows_its_reason(self):
        client = self.login(self.alice)
        post = {"name": "空整治", "start_date": TODAY.isoformat(), "end_date": TODAY.isoformat(), "col-count": "0"}
        page = client.post(reverse("campaigns:create"), post)
        self.assertContains(page, "请至少选择一个排查行业或场所类型")
        self.assertFalse(Campaign.objects.filter(name="空整治").exists())

    def test_edit_and_transitions(self):
        client = self.login(self.alice)
        page = client.get(reverse("campaigns:edit", args=[self.campaign.pk]))
        self.assertContains(page, 'value="问题管网"')
        response = client.post(reverse("campaigns:transition", args=[self.campaign.pk, "close"]))
        self.assertRedirects(response, reverse("campaigns:detail", args=[self.campaign.pk]))
        self.assertEqual(Campaign.objects.get(pk=self.campaign.pk).status, Status.CLOSED)
        response = client.post(reverse("campaigns:transition", args=[self.campaign.pk, "close"]), follow=True)
        self.assertContains(response, "不能结束")

    def test_who_may_define_and_act(self):
        self.assertEqual(self.login(self.dave).get(reverse("campaigns:create")).status_code, 403)
        self.assertEqual(self.login(self.gina).get(reverse("campaigns:edit", args=[self.campaign.pk])).status_code, 403)
        self.assertEqual(self.login(self.fhan).get(reverse("campaigns:edit", args=[self.campaign.pk])).status_code, 403)
        response = self.login(self.fhan).post(reverse("campaigns:transition", args=[self.campaign.pk, "close"]))
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.login(self.emma).get(reverse("campaigns:list")).status_code, 403)

    def test_detail_shows_progress_by_region(self):
        self.record(values={"user_type": "居民用户", "problem_hose": "是"})
        page = self.login(self.alice).get(reverse("campaigns:detail", args=[self.campaign.pk]))
        self.assertEqual(page.context["progress"]["checked"], 1)
        self.assertContains(page, "凤凰镇")
        self.assertContains(page, "青木关镇")
        self.assertContains(page, "登记检查")
        self.assertContains(page, f'action="/campaigns/{self.campaign.pk}/do/close/"')

    def test_targets_filter_checked_and_unchecked(self):
        self.record()
        client = self.login(self.alice)
        page = client.get(reverse("campaigns:targets", args=[self.campaign.pk]), {"checked": "0"})
        self.assertNotContains(page, "凤凰化工有限公司")
        self.assertContains(page, "双碑化工有限公司")
        self.assertContains(page, f"?target=e{self.ent_a2.pk}")
        page = client.get(reverse("campaigns:targets", args=[self.campaign.pk]), {"checked": "1"})
        self.assertContains(page, "凤凰化工有限公司")
        self.assertContains(page, "复查")
        page = client.get(reverse("campaigns:targets", args=[self.campaign.pk]), {"region": self.town_a2.code})
        self.assertContains(page, "青木关燃气管道")
        self.assertNotContains(page, "双碑化工有限公司")

    def test_the_targets_export_as_filtered(self):
        self.record()
        client = self.login(self.alice)
        url = reverse("campaigns:targets_export", args=[self.campaign.pk])
        self.assertContains(client.get(reverse("campaigns:targets", args=[self.campaign.pk])), url)
        rows = list(load_workbook(io.BytesIO(client.get(url).content)).active.iter_rows(values_only=True))
        self.assertEqual(rows[0], ("对象名称", "类别", "所在区划", "检查次数", "最近检查", "检查情况"))
        by_name = {row[0]: row for row in rows[1:]}
        self.assertEqual(by_name["凤凰化工有限公司"][3:], (1, TODAY.isoformat(), "已检查"))
        self.assertEqual(by_name["双碑化工有限公司"][3:], (0, None, "未检查"))
        unchecked = list(
            load_workbook(io.BytesIO(client.get(url, {"checked": "0"}).content)).active.iter_rows(values_only=True)
        )
        self.assertNotIn("凤凰化工有限公司", {row[0] for row in unchecked})
        self.assertEqual({row[5] for row in unchecked[1:]}, {"未检查"})

    def test_checks_list_and_export(self):
        self.record(values={"user_type": "居民用户"}, note="复查通过")
        client = self.login(self.alice)
        page = client.get(reverse("campaigns:checks", args=[self.campaign.pk]))
        self.assertContains(page, "凤凰化工有限公司")
        # a target no id column holds lists none (the lookup overflowed: a 500); "²" is no target (int() refused it)
        page = client.get(reverse("campaigns:checks", args=[self.campaign.pk]), {"target": "e" + "9" * 25})
        self.assertEqual(list(page.context["page"]), [])
        page = client.get(reverse("campaigns:checks", args=[self.campaign.pk]), {"target": "e²"})
        self.assertContains(page, "凤凰化工有限公司")
        for target, problem in (("e²", "请选择检查对象"), ("e" + "9" * 25, "所选检查对象不存在")):
            page = client.get(
                reverse("campaigns:check_create", args=[self.campaign.pk]), {"target": target}, follow=True
            )
            self.assertContains(page, problem)
        response = client.get(reverse("campaigns:export", args=[self.campaign.pk]))
        self.assertEqual(response["Content-Type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
        self.assertEqual(rows[1][-1], "复查通过")


class CheckFormTests(CampaignTestCase):
    def post_data(self, **extra):
        data = {
            "target": f"e{self.enterprise_a.pk}",
            "date": TODAY.isoformat(),
            "checker": "张三",
            "unit_name": "沙坪坝区安委办",
            f"item_{self.item1.pk}": "fail",
            f"item_{self.item1.pk}_note": "软管老化",
            f"item_{self.item2.pk}": "pass",
            "col_user_type": "餐饮等单位用户",
            "col_problem_gas": "0",
            "col_problem_valve": "1",
            "report_hazards": "on",
        }
        data.update(extra)
        return data

    def test_the_form_works_on_a_phone(self):
        page = self.login(self.gina).get(
            reverse("campaigns:check_create", args=[self.campaign.pk]), {"target": f"p{self.pipe_a1.pk}"}
        )
        self.assertContains(page, "登记检查：凤凰村燃气管道")
        self.assertContains(page, 'name="viewport"')
        self.assertContains(page, 'capture="environment"')
        self.assertContains(page, 'type="radio"')
        self.assertContains(page, "燃气软管无老化龟裂")
        self.assertContains(page, "问题软管")

    def test_recording_a_check_with_photos_and_hazards(self):
        client = self.login(self.alice)
        response = client.post(
            reverse("campaigns:check_create", args=[self.campaign.pk]) + f"?target=e{self.enterprise_a.pk}",
            self.post_data(photos=[png("a.png"), png("b.png")]),
        )
        check = CampaignCheck.objects.get()
        self.assertRedirects(response, reverse("campaigns:check_detail", args=[check.pk]))
        self.assertEqual(check.hazards.count(), 2)  # the failed item, and 问题阀
        self.assertEqual(check.values["problem_valve"], True)
        self.assertEqual(CampaignPhoto.objects.filter(campaign_check=check).count(), 2)
        page = client.get(reverse("campaigns:check_detail", args=[check.pk]))
        for hazard in check.hazards.all():
            self.assertContains(page, hazard.number)
        photo = check.photos.first()
        self.assertContains(page, reverse("campaigns:thumb", args=[check.pk, photo.pk]))
        self.assertEqual(client.get(reverse("campaigns:photo", args=[check.pk, photo.pk])).status_code, 200)
        self.assertContains(page, "软管老化")

    def test_a_refusal_shows_on_the_form_and_writes_nothing(self):
        client = self.login(self.alice)
        page = client.post(
            reverse("campaigns:check_create", args=[self.campaign.pk]),
            self.post_data(date=(self.campaign.start_date - timedelta(days=1)).isoformat()),
        )
        self.assertContains(page, "不在专项整治期间")
        page = client.post(
            reverse("campaigns:check_create", args=[self.campaign.pk]),
            self.post_data(target=f"e{self.enterprise_a_construction.pk}"),
        )
        self.assertContains(page, "不在本次专项整治")  # not offered in the select, refused by the service
        self.assertFalse(CampaignCheck.objects.exists())
        self.assertFalse(Hazard.objects.exists())

    def test_a_grid_worker_only_in_the_village(self):
        client = self.login(self.gina)
        response = client.get(
            reverse("campaigns:check_create", args=[self.campaign.pk]), {"target": f"e{self.ent_a2.pk}"}, follow=True
        )
        self.assertContains(response, "不在您的管辖范围内")
        page = client.get(reverse("campaigns:check_create", args=[self.campaign.pk]))
        self.assertEqual(
            {key for key, _ in page.context["form"].fields["target"].widget.choices if key},
            {f"e{self.enterprise_a.pk}", f"p{self.pipe_a1.pk}"},
        )
        response = client.post(
            reverse("campaigns:check_create", args=[self.campaign.pk]), self.post_data(target=f"p{self.pipe_a1.pk}")
        )
        self.assertEqual(CampaignCheck.objects.get().place, self.pipe_a1)
        self.assertEqual(response.status_code, 302)

    def test_no_form_on_a_draft_campaign(self):
        draft = self.draft()
        response = self.login(self.alice).get(reverse("campaigns:check_create", args=[draft.pk]), follow=True)
        self.assertContains(response, "尚未启动")

    def test_import_page(self):
        client = self.login(self.alice)
        template = client.get(reverse("campaigns:import_template", args=[self.campaign.pk]))
        self.assertEqual(template.status_code, 200)
        bad = write_xlsx(["对象名称", "检查日期", "用户类型"], [["无此单位", TODAY.isoformat(), "居民用户"]])
        from django.core.files.uploadedfile import SimpleUploadedFile

        page = client.post(
            reverse("campaigns:import", args=[self.campaign.pk]), {"file": SimpleUploadedFile("a.xlsx", bad)}
        )
        self.assertContains(page, "第2行")
        self.assertFalse(CampaignCheck.objects.exists())
        good = write_xlsx(["对象名称", "检查日期", "用户类型"], [["凤凰化工有限公司", TODAY.isoformat(), "居民用户"]])
        response = client.post(
            reverse("campaigns:import", args=[self.campaign.pk]), {"file": SimpleUploadedFile("a.xlsx", good)}
        )
        self.assertRedirects(response, reverse("campaigns:checks", args=[self.campaign.pk]))
        self.assertEqual(CampaignCheck.objects.count(), 1)

    def test_home_shows_active_campaigns_in_scope(self):
        self.record()
        page = self.login(self.alice).get("/")
        self.assertContains(page, f"{self.campaign.name}（已查/对象）")
        self.assertContains(page, "1/4")
        page = self.login(self.gina).get("/")
        self.assertContains(page, "1/2")
        self.assertNotContains(self.login(self.charlie).get("/"), self.campaign.name)
        self.assertContains(self.login(self.alice).get("/"), 'href="/campaigns/"')  # the menu entry


class ScopeTests(CampaignTestCase):
    def test_it_hides_other_jurisdictions(self):
        check = self.record()
        services_photo = CampaignPhoto(campaign_check=check)
        from zhiben.core.evidence import store_upload

        store_upload(services_photo, png(), size_rule="campaign.attachment_max_mb")
        client = self.login(self.charlie)
        pk = self.campaign.pk
        self.assertNotContains(client.get(reverse("campaigns:list")), self.campaign.name)
        for url in (
            reverse("campaigns:detail", args=[pk]),
            reverse("campaigns:edit", args=[pk]),
            reverse("campaigns:targets", args=[pk]),
            reverse("campaigns:targets_export", args=[pk]),
            reverse("campaigns:checks", args=[pk]),
            reverse("campaigns:check_create", args=[pk]),
            reverse("campaigns:export", args=[pk]),
            reverse("campaigns:import", args=[pk]),
            reverse("campaigns:import_template", args=[pk]),
            reverse("campaigns:check_detail", args=[check.pk]),
            reverse("campaigns:photo", args=[check.pk, services_photo.pk]),
            reverse("campaigns:thumb", args=[check.pk, services_photo.pk]),
        ):
            with self.subTest(url=url):
                self.assertEqual(client.get(url).status_code, 404)
        self.assertEqual(client.post(reverse("campaigns:transition", args=[pk, "close"])).status_code, 404)
        self.assertEqual(Campaign.objects.get(pk=pk).status, Status.ACTIVE)

    def test_a_village_sees_only_its_own_checks(self):
        other = self.record(target=f"e{self.ent_a2.pk}")
        client = self.login(self.gina)
        self.assertEqual(client.get(reverse("campaigns:check_detail", args=[other.pk])).status_code, 404)
        self.assertNotContains(client.get(reverse("campaigns:checks", args=[self.campaign.pk])), "双碑化工有限公司")
