"""Campaign definition, check validation (every bad input refused in Chinese, nothing written),
findings as linked hazards, re-checks, progress figures, checklist copies and scope."""

from datetime import timedelta

from zhiben.audit.models import AuditEvent
from zhiben.core.exceptions import ApplicationError, ScopeError
from zhiben.hazards.choices import Channel, Level
from zhiben.hazards.choices import Status as HazardStatus
from zhiben.hazards.models import CriteriaItem, Hazard
from zhiben.inspections.models import ChecklistTemplateItem
from zhiben.testing import make_enterprise

from .. import selectors, services
from ..choices import Result, Status
from ..models import Campaign, CampaignCheck, CampaignCheckItem, CampaignPhoto
from ..presets import PRESETS
from .base import TODAY, CampaignTestCase, campaign_data, png


class DefinitionTests(CampaignTestCase):
    def test_every_preset_is_a_valid_campaign(self):
        for p in PRESETS:
            with self.subTest(preset=p["key"]):
                data = {**p, "preset": p["key"], "start_date": TODAY, "end_date": TODAY + timedelta(days=90)}
                campaign = services.campaign_create(actor=self.alice, data=data)
                self.assertEqual(campaign.status, Status.DRAFT)
                self.assertEqual(campaign.region_id, self.alice.region_id)
                self.assertEqual([c["label"] for c in campaign.columns], [c["label"] for c in p["columns"]])
                self.assertEqual(sorted(campaign.industries.values_list("code", flat=True)), sorted(p["industries"]))

    def test_the_gas_preset_has_the_six_problems(self):
        gas = next(p for p in PRESETS if p["key"] == "gas")
        labels = {c["label"]: c for c in gas["columns"]}
        for name in ("问题气", "问题瓶", "问题阀", "问题软管", "问题管网", "问题环境"):
            self.assertEqual((labels[name]["type"], labels[name]["problem"]), ("bool", True), name)
        self.assertEqual(labels["问题描述"]["type"], "text")

    def assertRefused(self, data, message, actor=None):
        before = Campaign.objects.count()
        with self.assertRaises(ApplicationError) as caught:
            services.campaign_create(actor=actor or self.alice, data=data)
        self.assertIn(message, caught.exception.message)
        self.assertEqual(Campaign.objects.count(), before)
        return caught.exception

    def test_bad_definitions_are_refused(self):
        self.assertRefused(campaign_data(industries=[], place_kinds=[]), "请至少选择一个排查行业或场所类型")
        self.assertRefused(campaign_data(end_date=TODAY - timedelta(days=60)), "结束日期不能早于开始日期")
        self.assertRefused(campaign_data(start_date="明天"), "不是有效日期")
        self.assertRefused(campaign_data(industries=["nonsense"]), "行业“nonsense”不存在")
        self.assertRefused(campaign_data(place_kinds=["castle"]), "场所类型“castle”无效")
        self.assertRefused(campaign_data(place_industry=""), "须选择场所隐患所属的行业领域")
        self.assertRefused(campaign_data(checklist=999999), "所选检查表不存在")
        # str.isdigit() holds for "²", which the lookups refused (a 500); a number no id column holds
        self.assertRefused(campaign_data(checklist="²"), "所选检查表不存在")
        self.assertRefused(campaign_data(checklist="9" * 25), "所选检查表不存在")
        self.assertRefused(campaign_data(place_industry="²"), "行业领域“²”不存在")
        self.assertRefused(campaign_data(place_industry="9" * 25), "不存在")
        self.assertRefused(
            campaign_data(columns=[{"label": "层数", "type": "number"}, {"label": "层数", "type": "text"}]),
            "列名“层数”重复",
        )
        self.assertRefused(
            campaign_data(columns=[{"label": "用途", "type": "choice", "choices": "餐饮"}]), "至少需要两个选项"
        )
        self.assertRefused(campaign_data(columns=[{"label": "检查人", "type": "text"}]), "与台账固定列重复")
        self.assertRefused(campaign_data(columns=[{"label": "数量", "type": "date"}]), "类型“date”无效")
        self.assertRefused(campaign_data(columns=[{"key": "A-1", "label": "数量"}]), "标识“A-1”无效")
        error = self.assertRefused(campaign_data(), "无权", actor=self.dave)
        self.assertEqual(error.code, "forbidden")

    def test_columns_get_keys_and_choices_from_text(self):
        campaign = services.campaign_create(
            actor=self.alice,
            data=campaign_data(
                columns=[
                    {"label": "用途", "type": "choice", "choices": "餐饮、住宿，其他", "required": "on"},
                    {"label": "层数", "type": "number"},
                ]
            ),
        )
        self.assertEqual(
            campaign.columns,
            [
                {
                    "key": "col1",
                    "label": "用途",
                    "type": "choice",
                    "choices": ["餐饮", "住宿", "其他"],
                    "required": True,
                    "problem": False,
                },
                {"key": "col2", "label": "层数", "type": "number", "choices": [], "required": False, "problem": False},
            ],
        )

    def test_a_filled_column_may_be_renamed_not_removed_or_retyped(self):
        self.record(values={"user_type": "餐饮等单位用户", "problem_text": "阀门锈蚀"})
        columns = [dict(c) for c in self.campaign.columns]
        renamed = [dict(c, label="发现的问题") if c["key"] == "problem_text" else c for c in columns]
        services.campaign_update(
            actor=self.alice, campaign=self.campaign, data=campaign_data(columns=renamed, checklist=self.template.pk)
        )
        with self.assertRaisesMessage(ApplicationError, "不能删除"):
            services.campaign_update(
                actor=self.alice,
                campaign=self.campaign,
                data=campaign_data(columns=[c for c in columns if c["key"] != "problem_text"]),
            )
        retyped = [dict(c, type="number") if c["key"] == "problem_text" else c for c in columns]
        with self.assertRaisesMessage(ApplicationError, "不能更改类型"):
            services.campaign_update(actor=self.alice, campaign=self.campaign, data=campaign_data(columns=retyped))
        self.assertEqual(Campaign.objects.get(pk=self.campaign.pk).column("problem_text")["label"], "发现的问题")

    def test_a_closed_campaign_and_an_upper_ones_cannot_be_edited(self):
        with self.assertRaises(ApplicationError) as caught:
            services.campaign_update(actor=self.fhan, campaign=self.campaign, data=campaign_data())
        self.assertEqual(caught.exception.code, "forbidden")
        services.campaign_transition(actor=self.alice, campaign=self.campaign, action="close")
        with self.assertRaisesMessage(ApplicationError, "已结束，不能再修改"):
            services.campaign_update(actor=self.alice, campaign=self.campaign, data=campaign_data())

    def test_the_period_must_keep_the_recorded_checks(self):
        self.record(date=TODAY - timedelta(days=20))
        with self.assertRaisesMessage(ApplicationError, "整治期间须包含这些日期"):
            services.campaign_update(
                actor=self.alice, campaign=self.campaign, data=campaign_data(start_date=TODAY - timedelta(days=10))
            )


class CheckValidationTests(CampaignTestCase):
    def assertNothingWritten(self, call, message, code=None):
        counts = (CampaignCheck.objects.count(), CampaignCheckItem.objects.count(), Hazard.objects.count())
        audits = AuditEvent.objects.count()
        with self.assertRaises(ApplicationError) as caught:
            call()
        self.assertIn(message, caught.exception.message)
        if code:
            self.assertEqual(caught.exception.code, code)
        self.assertEqual(
            counts, (CampaignCheck.objects.count(), CampaignCheckItem.objects.count(), Hazard.objects.count())
        )
        self.assertEqual(audits, AuditEvent.objects.count())
        return caught.exception

    def bad(self, message, actor=None, campaign=None, **extra):
        # each bad check also carries a failed item and a problem, which would have made hazards
        extra.setdefault(
            "results", {str(self.item1.pk): {"result": "fail", "note": "软管老化"}, str(self.item2.pk): "pass"}
        )
        extra.setdefault("values", {"user_type": "餐饮等单位用户", "problem_hose": "是"})
        return self.assertNothingWritten(
            lambda: services.check_record(
                actor=actor or self.alice, campaign=campaign or self.campaign, data=self.passing(**extra)
            ),
            message,
        )

    def test_a_target_outside_the_campaign(self):
        self.bad("不在本次专项整治", target=f"e{self.enterprise_a_construction.pk}")  # another industry
        self.bad("不在本次专项整治", target=f"p{self.house_a1.pk}")  # another kind of place
        self.bad("请选择检查对象", target="")
        self.bad("请选择检查对象", target="x1")

    def test_a_target_outside_the_actors_scope(self):
        self.bad("不存在或不在您的管辖范围内", target=f"e{self.enterprise_b.pk}")
        self.bad("不存在或不在您的管辖范围内", target=f"p{self.pipe_b.pk}")
        self.bad("不存在或不在您的管辖范围内", actor=self.gina, target=f"e{self.ent_a2.pk}")  # the next village

    def test_a_date_outside_the_campaign_or_in_the_future(self):
        self.bad("不能晚于今天", date=TODAY + timedelta(days=1))
        self.bad("不在专项整治期间", date=self.campaign.start_date - timedelta(days=1))
        self.bad("不是有效日期", date="2024-02-30")
        ended = self.draft(start_date=TODAY - timedelta(days=30), end_date=TODAY - timedelta(days=10))
        services.campaign_transition(actor=self.alice, campaign=ended, action="activate")
        self.bad("不在专项整治期间", campaign=ended, date=TODAY - timedelta(days=5), results={})

    def test_a_missing_required_column_and_bad_values(self):
        self.bad("“用户类型”为必填项", values={"problem_hose": "是"})
        self.bad("不在可选项", values={"user_type": "学校"})
        self.bad("应填写“是”或“否”", values={"user_type": "居民用户", "problem_gas": "可能"})
        number = self.draft(columns=[{"key": "floors", "label": "层数", "type": "number", "required": True}])
        services.campaign_transition(actor=self.alice, campaign=number, action="activate")
        self.bad("“层数”应填写数字", campaign=number, values={"floors": "三层"}, results={})

    def test_a_missing_checklist_result(self):
        error = self.bad("未填写检查结果", results={str(self.item1.pk): {"result": "fail"}})
        self.assertEqual(error.errors[0]["field"], f"item_{self.item2.pk}")
        self.bad("未填写检查结果", results={str(self.item1.pk): "maybe", str(self.item2.pk): "pass"})

    def test_several_problems_are_reported_together(self):
        error = self.bad("检查日期不能晚于今天", date=TODAY + timedelta(days=3), values={})
        self.assertEqual({e["field"] for e in error.errors}, {"date", "col_user_type"})

    def test_a_draft_or_closed_campaign(self):
        self.bad("尚未启动", campaign=self.draft(), results={})
        services.campaign_transition(actor=self.alice, campaign=self.campaign, action="close")
        self.bad("已结束", campaign=self.campaign)

    def test_rights_and_the_other_county(self):
        error = self.bad("无权", actor=self.dave)
        self.assertEqual(error.code, "forbidden")
        with self.assertRaises(ScopeError):
            services.check_record(
                actor=self.charlie, campaign=self.campaign, data=self.passing(target=f"e{self.enterprise_b.pk}")
            )
        self.assertFalse(CampaignCheck.objects.exists())

    def test_a_hazard_that_cannot_be_reported_undoes_the_whole_check(self):
        Campaign.objects.filter(pk=self.campaign.pk).update(place_industry=None)
        self.campaign.refresh_from_db()
        self.bad("未设定场所隐患所属的行业领域", target=f"p{self.pipe_a1.pk}")
        self.assertFalse(CampaignPhoto.objects.exists())


class FindingsTests(CampaignTestCase):
    def test_a_clean_check_reports_no_hazard(self):
        check = self.record()
        self.assertEqual(check.hazards.count(), 0)
        self.assertEqual(check.unit_name, "沙坪坝区安委办")
        self.assertEqual(check.checker, "张三、李四")
        self.assertEqual(check.checklist_name, "燃气用户检查表")
        self.assertEqual([i.result for i in check.items.all()], [Result.PASS, Result.PASS])

    def test_a_failed_item_becomes_a_linked_hazard(self):
        check = self.record(
            results={str(self.item1.pk): {"result": "fail", "note": "软管龟裂"}, str(self.item2.pk): "na"}
        )
        hazard = check.hazards.get()
        self.assertEqual(hazard.description, "燃气软管无老化龟裂：软管龟裂")
        self.assertEqual(hazard.channel, Channel.SUPERVISION)
        self.assertEqual(hazard.enterprise, self.enterprise_a)
        self.assertEqual(hazard.found_date, TODAY)
        self.assertEqual(hazard.found_by, "张三、李四")
        self.assertEqual(check.items.get(sort=1).hazard, hazard)
        self.assertIsNone(check.items.get(sort=2).hazard)
        self.assertEqual(list(hazard.campaign_checks.values_list("campaign", flat=True)), [self.campaign.pk])
        self.assertEqual(list(selectors.campaign_hazards(self.campaign)), [hazard])
        from zhiben.core.registry import backlinks

        with self.assertNumQueries(2):  # every hazard source module probed at once, then the campaign's links
            links = backlinks(hazard, self.alice)
        self.assertEqual(
            links, [("专项整治", f"{self.campaign.name}（{check.date:%Y-%m-%d}）", f"/campaigns/checks/{check.pk}/")]
        )
        self.assertEqual(backlinks(hazard, self.charlie), [])  # another county: the probe finds it, scope hides it

    def test_a_failed_criteria_item_is_a_major_hazard_under_that_item(self):
        criteria = CriteriaItem.objects.filter(standard__region__isnull=True).first()
        ChecklistTemplateItem.objects.create(template=self.template, sort=3, criteria_item=criteria, text=criteria.text)
        items = services.checklist_items(self.campaign)
        results = {str(i.pk): "pass" for i in items} | {str(items[2].pk): {"result": "fail"}}
        check = self.record(results=results)
        hazard = check.hazards.get()
        self.assertEqual((hazard.level, hazard.criteria_item), (Level.MAJOR, criteria))

    def test_problem_columns_become_one_hazard_at_a_place(self):
        check = self.record(
            target=f"p{self.pipe_a1.pk}",
            values={"user_type": "燃气管道", "problem_network": "是", "problem_environment": "1", "problem_gas": "否"},
        )
        hazard = check.hazards.get()
        self.assertEqual(hazard.description, "专项检查发现：问题管网、问题环境")
        self.assertEqual((hazard.place, hazard.enterprise, hazard.industry.code), (self.pipe_a1, None, "gas"))
        self.assertEqual(
            check.values,
            {"user_type": "燃气管道", "problem_network": True, "problem_environment": True, "problem_gas": False},
        )
        check = self.record(
            target=f"p{self.pipe_a2.pk}",
            values={"user_type": "燃气管道", "problem_hose": "是", "problem_text": "软管穿墙未加套管"},
        )
        self.assertEqual(check.hazards.get().description, "软管穿墙未加套管（问题软管）")

    def test_hazards_may_be_left_unreported(self):
        check = self.record(report_hazards=False, values={"user_type": "居民用户", "problem_gas": "是"})
        self.assertEqual(check.hazards.count(), 0)

    def test_photos_are_kept_as_evidence(self):
        check = services.check_record(actor=self.alice, campaign=self.campaign, data=self.passing(), files=[png()])
        photo = CampaignPhoto.objects.get(campaign_check=check)
        self.assertEqual((photo.content_type, len(photo.sha256)), ("image/png", 64))
        self.assertTrue(photo.thumbnail)

    def test_a_fake_photo_is_refused_and_nothing_is_written(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        fake = SimpleUploadedFile("照片.jpg", b"not an image at all", content_type="image/jpeg")
        with self.assertRaisesMessage(ApplicationError, "内容不是图片"):
            services.check_record(actor=self.alice, campaign=self.campaign, data=self.passing(), files=[fake])
        self.assertFalse(CampaignCheck.objects.exists())

    def test_it_is_audited(self):
        check = self.record()
        event = AuditEvent.objects.get(action="campaign.check", object_id=str(check.pk))
        self.assertEqual(event.data["target"], f"e{self.enterprise_a.pk}")


class ChecklistHistoryTests(CampaignTestCase):
    def test_a_check_keeps_the_items_as_they_read(self):
        first = self.record(
            results={str(self.item1.pk): {"result": "fail", "note": "龟裂"}, str(self.item2.pk): "pass"}
        )
        ChecklistTemplateItem.objects.filter(pk=self.item1.pk).update(text="燃气软管长度不超过2米且无老化")
        self.template.name = "燃气用户检查表（2025版）"
        self.template.save()
        third = ChecklistTemplateItem.objects.create(template=self.template, sort=3, text="燃气表间无杂物")
        self.assertEqual(
            list(first.items.values_list("text", flat=True)), ["燃气软管无老化龟裂", "安装燃气泄漏报警装置"]
        )
        self.assertEqual(CampaignCheck.objects.get(pk=first.pk).checklist_name, "燃气用户检查表")
        self.assertEqual(first.hazards.get().description, "燃气软管无老化龟裂：龟裂")
        results = {str(self.item1.pk): "pass", str(self.item2.pk): "pass", str(third.pk): "pass"}
        second = self.record(target=f"e{self.ent_a2.pk}", results=results)
        self.assertEqual(
            list(second.items.values_list("text", flat=True)),
            ["燃气软管长度不超过2米且无老化", "安装燃气泄漏报警装置", "燃气表间无杂物"],
        )
        ChecklistTemplateItem.objects.filter(pk=self.item2.pk).delete()
        self.assertEqual(first.items.count(), 2)

    def test_a_check_needs_the_items_as_they_read_now(self):
        third = ChecklistTemplateItem.objects.create(template=self.template, sort=3, text="燃气表间无杂物")
        with self.assertRaisesMessage(ApplicationError, "燃气表间无杂物"):
            self.record()  # the form was for two items; the third has no result
        self.assertFalse(CampaignCheck.objects.exists())
        self.record(results={str(self.item1.pk): "pass", str(self.item2.pk): "pass", str(third.pk): "na"})


class ProgressTests(CampaignTestCase):
    def test_it_counts_distinct_targets_hazards_and_regions(self):
        progress = selectors.campaign_progress(self.campaign, self.alice)
        self.assertEqual(
            {k: progress[k] for k in ("targets", "checked", "unchecked", "checks", "hazards", "closed")},
            {"targets": 4, "checked": 0, "unchecked": 4, "checks": 0, "hazards": 0, "closed": 0},
        )
        self.record(values={"user_type": "居民用户", "problem_hose": "是"})
        self.record(date=TODAY - timedelta(days=3))  # a re-check of the same enterprise
        self.record(target=f"p{self.pipe_a2.pk}", values={"user_type": "燃气管道", "problem_text": "管道锈蚀严重"})
        hazard = Hazard.objects.get(place=self.pipe_a2)
        Hazard.objects.filter(pk=hazard.pk).update(status=HazardStatus.CLOSED)
        progress = selectors.campaign_progress(self.campaign, self.alice)
        self.assertEqual(
            {k: progress[k] for k in ("targets", "checked", "unchecked", "checks", "hazards", "closed", "percent")},
            {"targets": 4, "checked": 2, "unchecked": 2, "checks": 3, "hazards": 2, "closed": 1, "percent": 50},
        )
        by_region = {r["name"]: r for r in progress["by_region"]}
        self.assertEqual(set(by_region), {"凤凰镇", "青木关镇"})  # a county campaign: by town
        self.assertEqual(
            {k: by_region["凤凰镇"][k] for k in ("targets", "checked", "unchecked", "hazards", "closed")},
            {"targets": 3, "checked": 1, "unchecked": 2, "hazards": 1, "closed": 0},
        )
        self.assertEqual(
            {k: by_region["青木关镇"][k] for k in ("targets", "checked", "unchecked", "hazards", "closed")},
            {"targets": 1, "checked": 1, "unchecked": 0, "hazards": 1, "closed": 1},
        )
        unchecked = selectors.target_rows(self.campaign, self.alice, checked=False)
        self.assertEqual({r["name"] for r in unchecked}, {"双碑化工有限公司", "凤凰村燃气管道"})
        checked = {r["name"]: r for r in selectors.target_rows(self.campaign, self.alice, checked=True)}
        self.assertEqual(checked["凤凰化工有限公司"]["checks"], 2)
        self.assertEqual(checked["凤凰化工有限公司"]["last_date"], TODAY)

    def test_closed_enterprises_and_other_counties_are_not_targets(self):
        make_enterprise(self.village_a1, "hazchem", name="已关闭化工厂", status="closed")
        enterprises, places = selectors.target_querysets(self.campaign)
        self.assertEqual(set(enterprises.values_list("name", flat=True)), {"凤凰化工有限公司", "双碑化工有限公司"})
        self.assertEqual(set(places.values_list("name", flat=True)), {"凤凰村燃气管道", "青木关燃气管道"})

    def test_a_town_campaign_breaks_down_by_village(self):
        campaign = services.campaign_create(actor=self.fhan, data=campaign_data())
        rows = selectors.campaign_progress(campaign, self.fhan)["by_region"]
        self.assertEqual([(r["name"], r["targets"]) for r in rows], [("凤凰村", 2), ("双碑村", 1)])


class ScopeTests(CampaignTestCase):
    def test_campaigns_are_seen_along_the_owners_line(self):
        city = services.campaign_create(actor=self.bob, data=campaign_data(name="全市燃气整治"))
        visible = lambda user: set(Campaign.objects.for_user(user).values_list("name", flat=True))  # noqa: E731
        self.assertEqual(visible(self.alice), {self.campaign.name, "全市燃气整治"})
        self.assertEqual(visible(self.gina), {self.campaign.name, "全市燃气整治"})  # the village carries both out
        self.assertEqual(visible(self.charlie), {"全市燃气整治"})
        self.assertEqual(visible(self.bob), {self.campaign.name, "全市燃气整治"})
        self.assertEqual(visible(self.emma), set())
        self.assertTrue(city.pk)

    def test_a_village_grid_worker_records_only_in_the_village(self):
        check = self.record(actor=self.gina, target=f"p{self.pipe_a1.pk}")
        self.assertEqual(check.unit_name, "凤凰村网格员")
        self.record(actor=self.gina, target=f"e{self.enterprise_a.pk}")
        for target in (f"e{self.ent_a2.pk}", f"p{self.pipe_a2.pk}"):
            with self.subTest(target=target), self.assertRaisesMessage(ApplicationError, "不在您的管辖范围内"):
                self.record(actor=self.gina, target=target)
        progress = selectors.campaign_progress(self.campaign, self.gina)
        self.assertEqual((progress["targets"], progress["checked"]), (2, 2))

    def test_a_department_records_only_its_industries(self):
        check = self.record(actor=self.erin)
        self.assertEqual(check.unit_name, "凤凰镇应急办")
        construction = self.draft(industries=["construction"], place_kinds=[])
        services.campaign_transition(actor=self.alice, campaign=construction, action="activate")
        with self.assertRaisesMessage(ApplicationError, "不在您的管辖范围内"):
            services.check_record(
                actor=self.erin,
                campaign=construction,
                data={"target": f"e{self.enterprise_a_construction.pk}", "values": {"user_type": "其他"}},
            )

    def test_a_department_cannot_report_a_hazard_of_another_industry_at_a_place(self):
        from zhiben.hazards.services import hazard_report

        hazard_report(  # a hazchem hazard at the pipe: the pipe is now in erin's sight
            actor=self.alice,
            data={"place": self.pipe_a1.pk, "industry": "hazchem", "description": "管道旁堆放危化品"},
        )
        before = Hazard.objects.count()
        data = self.passing(target=f"p{self.pipe_a1.pk}", values={"user_type": "燃气管道", "problem_gas": "是"})
        with self.assertRaisesMessage(ApplicationError, "“燃气”行业的隐患，不在您的监管行业范围内"):
            services.check_record(actor=self.erin, campaign=self.campaign, data=data)
        self.assertEqual((CampaignCheck.objects.count(), Hazard.objects.count()), (0, before))
        check = services.check_record(actor=self.erin, campaign=self.campaign, data=dict(data, report_hazards=False))
        self.assertEqual(check.hazards.count(), 0)

    def test_checks_are_scoped_like_their_targets(self):
        self.record(target=f"e{self.ent_a2.pk}")
        self.record(actor=self.gina, target=f"p{self.pipe_a1.pk}")
        self.assertEqual(selectors.check_list(user=self.gina, campaign=self.campaign).count(), 1)
        self.assertEqual(selectors.check_list(user=self.alice, campaign=self.campaign).count(), 2)
        self.assertEqual(selectors.check_list(user=self.charlie, campaign=self.campaign).count(), 0)
