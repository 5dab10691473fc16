"""Accident pages: the list with filters and export, recording (regulator and enterprise), the detail page
for each role (scope, read-only), every action button (allowed: redirect and written; refused: a message
and nothing written), the figures and targets pages, attachments."""

import io
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from zhiben.accidents import services
from zhiben.accidents.models import Accident, Investigation, Measure, Party, ReportStep, Supplement, Target
from zhiben.audit.models import AuditEvent
from zhiben.hazards.models import Hazard
from zhiben.hazards.tests.helpers import png_bytes

from .test_services import AccidentTestCase


class ViewTestCase(AccidentTestCase):
    def setUp(self):
        self.accident = self.record(deaths="3")

    def do(self, what, data=None, user=None, accident=None):
        self.login(user or self.alice)
        accident = accident or self.accident
        return self.client.post(reverse("accidents:do", args=[accident.pk, what]), data or {}, follow=True)

    def messages(self, response):
        return [str(m) for m in response.context["messages"]]

    def fresh(self):
        return Accident.objects.get(pk=self.accident.pk)


class ListTests(ViewTestCase):
    def test_the_list_shows_the_jurisdiction_only(self):
        other = self.record(self.charlie, enterprise=self.enterprise_b.pk)
        page = self.login(self.alice).get(reverse("accidents:list"))
        self.assertContains(page, self.accident.number)
        self.assertContains(page, "较大事故")
        self.assertNotContains(page, other.number)
        page = self.login(self.charlie).get(reverse("accidents:list"))
        self.assertContains(page, other.number)
        self.assertNotContains(page, self.accident.number)

    def test_filters_and_export_give_the_same_rows(self):
        general = self.record(type="fall", enterprise=self.enterprise_a_construction.pk, actor=self.alice)
        self.login(self.alice)
        page = self.client.get(reverse("accidents:list"), {"grade": "larger"})
        self.assertContains(page, self.accident.number)
        self.assertNotContains(page, general.number)
        page = self.client.get(reverse("accidents:list"), {"type": "fall"})
        self.assertContains(page, general.number)
        self.assertNotContains(page, self.accident.number)
        page = self.client.get(reverse("accidents:list"), {"q": "凤凰建设"})
        self.assertContains(page, general.number)
        self.assertNotContains(page, self.accident.number)
        export = self.client.get(reverse("accidents:export"), {"grade": "larger"})
        self.assertEqual(export.status_code, 200)
        sheet = load_workbook(io.BytesIO(export.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        self.assertEqual(rows[0][:3], ("事故编号", "发生时间", "事故单位"))
        self.assertEqual([r[0] for r in rows[1:]], [self.accident.number])
        self.assertEqual(
            (rows[1][2], rows[1][6], rows[1][11], rows[1][12]), ("凤凰化工有限公司", 3, "较大事故", "已接报")
        )
        self.assertTrue(AuditEvent.objects.filter(action="accident.export", actor=self.alice).exists())

    def test_the_late_filter(self):
        ReportStep.objects.filter(accident=self.accident, level="city").update(
            due_at=timezone.now() - timedelta(minutes=1)
        )
        on_time = self.record()
        page = self.login(self.alice).get(reverse("accidents:list"), {"late": "1"})
        self.assertContains(page, self.accident.number)
        self.assertNotContains(page, on_time.number)

    def test_a_role_without_accidents_is_refused(self):
        self.assertEqual(self.login(self.sam).get(reverse("accidents:list")).status_code, 403)


class NewTests(ViewTestCase):
    def form(self, **data):
        occurred = timezone.localtime(self.now - timedelta(hours=1))
        values = {
            "enterprise": "凤凰化工有限公司",
            "occurred_at": occurred.strftime("%Y-%m-%dT%H:%M"),
            "learned_at": (occurred + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M"),
            "reported_at": (occurred + timedelta(minutes=20)).strftime("%Y-%m-%dT%H:%M"),
            "recipient": "凤凰镇应急办值班室",
            "method": "电话",
            "type": "poisoning",
            "deaths": "1",
            "missing": "0",
            "serious_injuries": "2",
            "minor_injuries": "0",
            "direct_loss": "1200000",
            "account": "储罐清洗作业时未进行气体检测，两名作业人员进入罐内中毒，一人死亡。",
        }
        values.update(data)
        return values

    def test_a_regulator_records_by_phone(self):
        self.login(self.erin)
        self.assertContains(self.client.get(reverse("accidents:new")), "单位负责人接到报告后，应当于1小时内")
        photo = SimpleUploadedFile("现场.png", png_bytes(), content_type="image/png")
        response = self.client.post(reverse("accidents:new"), {**self.form(), "files": [photo]})
        accident = Accident.objects.exclude(pk=self.accident.pk).get()
        self.assertRedirects(response, accident.get_absolute_url())
        self.assertEqual(
            (accident.enterprise, accident.type, accident.grade, accident.deaths),
            (self.enterprise_a, "poisoning", "general", 1),
        )
        county = ReportStep.objects.get(accident=accident, level="county")
        self.assertEqual(
            (county.recipient, county.method, county.reported_by), ("凤凰镇应急办值班室", "电话", self.erin)
        )
        self.assertEqual(accident.attachments.count(), 1)
        page = self.client.get(accident.get_absolute_url())
        self.assertContains(page, "一般事故")
        self.assertContains(page, "死亡1人、重伤2人")
        attachment = accident.attachments.get()
        self.assertEqual(self.client.get(reverse("accidents:attachment", args=[attachment.pk])).status_code, 200)
        self.login(self.charlie)
        self.assertEqual(self.client.get(reverse("accidents:attachment", args=[attachment.pk])).status_code, 404)

    def test_a_place_by_region_and_industry(self):
        self.login(self.alice)
        data = self.form(
            enterprise="",
            place_name="凤凰村自建房工地",
            region=self.village_a1.code,
            industry="construction",
            type="collapse",
        )
        self.client.post(reverse("accidents:new"), data)
        accident = Accident.objects.get(place_name="凤凰村自建房工地")
        self.assertEqual(
            (accident.region, accident.industry.code, accident.enterprise), (self.village_a1, "construction", None)
        )

    def test_an_enterprise_user_records_its_own(self):
        self.login(self.emma)
        page = self.client.get(reverse("accidents:new"))
        self.assertNotContains(page, 'name="enterprise"')
        self.assertNotContains(page, 'name="reported_at"')
        data = {k: v for k, v in self.form().items() if k not in ("enterprise", "reported_at", "recipient", "method")}
        response = self.client.post(reverse("accidents:new"), data)
        accident = Accident.objects.exclude(pk=self.accident.pk).get()
        self.assertRedirects(response, accident.get_absolute_url())
        county = ReportStep.objects.get(accident=accident, level="county")
        self.assertEqual(
            (accident.enterprise, county.reported_by, county.method), (self.enterprise_a, self.emma, "系统报送")
        )
        self.assertLess(abs((county.reported_at - timezone.now()).total_seconds()), 300)

    def test_bad_input_shows_a_chinese_message_and_writes_nothing(self):
        self.login(self.erin)
        future = timezone.localtime(timezone.now() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
        cases = [
            ({"enterprise": "西彭化工有限公司"}, "没有找到该单位"),
            ({"occurred_at": future, "learned_at": "", "reported_at": ""}, "事故发生时间不能晚于现在"),
            (
                {"reported_at": (timezone.localtime(self.now) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")},
                "报告时间不能早于事故发生时间",
            ),
            ({"account": "有人受伤"}, "至少10个字"),
            ({"deaths": "-1"}, "大于或等于"),
            ({"type": ""}, "这个字段是必填项"),
            (
                {
                    "enterprise": "",
                    "place_name": "凤凰村自建房",
                    "region": self.village_a1.code,
                    "industry": "construction",
                },
                "不在您单位的监管范围内",
            ),
        ]
        for data, message in cases:
            with self.subTest(message=message):
                response = self.client.post(reverse("accidents:new"), self.form(**data))
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, message)
        self.assertEqual(Accident.objects.count(), 1)
        self.assertEqual(ReportStep.objects.exclude(accident=self.accident).count(), 0)

    def test_the_leader_cannot_record(self):
        self.login(self.dave)
        self.assertEqual(self.client.get(reverse("accidents:new")).status_code, 403)
        self.assertEqual(self.client.post(reverse("accidents:new"), self.form()).status_code, 403)
        self.assertEqual(Accident.objects.count(), 1)


class DetailTests(ViewTestCase):
    def test_the_committee_sees_the_clocks_and_the_actions(self):
        page = self.login(self.alice).get(self.accident.get_absolute_url())
        self.assertContains(page, 'id="grade">较大事故')
        self.assertContains(page, "计时中：剩余")
        self.assertContains(page, "省级人民政府应急管理部门")
        self.assertContains(page, "登记向上一级报告")
        self.assertContains(page, "成立调查组")
        self.assertContains(page, "挂牌督办")
        self.assertContains(page, "事故原因未查清不放过")

    def test_another_county_gets_404(self):
        self.assertEqual(self.login(self.charlie).get(self.accident.get_absolute_url()).status_code, 404)
        response = self.do("start", {"lead_unit": "九龙坡区应急局", "leader": "陈七"}, user=self.charlie)
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.fresh().status, "reported")

    def test_an_enterprise_user_sees_its_own_enterprise_only(self):
        construction = self.record(self.alice, enterprise=self.enterprise_a_construction.pk)
        place = self.record(
            self.alice, enterprise="", place_name="凤凰村工地", region=self.village_a1.code, industry="hazchem"
        )
        self.login(self.emma)
        page = self.client.get(self.accident.get_absolute_url())
        self.assertContains(page, self.accident.number)
        self.assertNotContains(page, "登记向上一级报告")
        self.assertNotContains(page, "成立调查组</strong>")
        self.assertEqual(self.client.get(construction.get_absolute_url()).status_code, 404)
        self.assertEqual(self.client.get(place.get_absolute_url()).status_code, 404)
        listed = self.client.get(reverse("accidents:list"))
        self.assertContains(listed, self.accident.number)
        self.assertNotContains(listed, construction.number)
        self.assertEqual(self.do("step", {"recipient": "市应急局"}, user=self.emma).status_code, 403)

    def test_a_regulator_sees_the_industries_of_her_unit(self):
        construction = self.record(self.alice, enterprise=self.enterprise_a_construction.pk)
        self.login(self.erin)
        self.assertEqual(self.client.get(self.accident.get_absolute_url()).status_code, 200)
        self.assertEqual(self.client.get(construction.get_absolute_url()).status_code, 404)

    def test_the_leader_reads_only(self):
        page = self.login(self.dave).get(self.accident.get_absolute_url())
        self.assertContains(page, self.accident.number)
        self.assertNotContains(page, "登记向上一级报告")
        self.assertNotContains(page, 'action="' + reverse("accidents:do", args=[self.accident.pk, "start"]))
        self.assertNotContains(page, "补报伤亡和损失")
        for what, data in (
            ("step", {"recipient": "市应急局"}),
            ("supplement", {"deaths": 4}),
            ("start", {"lead_unit": "沙坪坝区应急局", "leader": "李明"}),
            ("list", {"note": "挂牌督办，限期结案"}),
            ("close", {}),
        ):
            with self.subTest(what=what):
                self.assertEqual(self.do(what, data, user=self.dave).status_code, 403)
        accident = self.fresh()
        self.assertEqual((accident.status, accident.deaths, accident.listed), ("reported", 3, False))
        self.assertFalse(Investigation.objects.exists())
        self.assertEqual(ReportStep.objects.filter(accident=accident, reported_at__isnull=False).count(), 1)

    def test_an_unknown_action_is_404_and_get_is_refused(self):
        self.assertEqual(self.do("explode").status_code, 404)
        url = reverse("accidents:do", args=[self.accident.pk, "close"])
        self.assertEqual(self.login(self.alice).get(url).status_code, 405)


class ActionTests(ViewTestCase):
    def assertRefusedWith(self, response, message):
        self.assertEqual(response.status_code, 200)
        self.assertIn(message, " ".join(self.messages(response)))

    def test_step(self):
        response = self.do("step", {"recipient": ""})
        self.assertRefusedWith(response, "请填写接收报告的单位")
        self.assertIsNone(ReportStep.objects.get(accident=self.accident, level="city").reported_at)
        response = self.do("step", {"recipient": "市应急管理局值班室", "method": "电话"})
        self.assertRedirects(response, self.accident.get_absolute_url())
        self.assertIn("已登记上报。", self.messages(response))
        self.assertIsNotNone(ReportStep.objects.get(accident=self.accident, level="city").reported_at)

    def test_supplement(self):
        figures = {"deaths": 3, "missing": 0, "serious_injuries": 0, "minor_injuries": 0, "direct_loss": "0"}
        self.assertRefusedWith(self.do("supplement", figures), "相同")
        self.assertFalse(Supplement.objects.exists())
        response = self.do("supplement", {**figures, "deaths": 10, "note": "搜救结束"})
        self.assertIn("已补报。", self.messages(response))
        self.assertEqual((self.fresh().deaths, self.fresh().grade), (10, "major"))
        self.assertTrue(ReportStep.objects.filter(accident=self.accident, level="state").exists())
        self.assertContains(response, "等级由较大事故调整为重大事故")

    def test_investigation_from_start_to_close(self):
        self.assertRefusedWith(self.do("start", {"lead_unit": "", "leader": "李明"}), "请填写调查组牵头单位")
        self.assertFalse(Investigation.objects.exists())
        self.do("start", {"lead_unit": "沙坪坝区应急管理局", "leader": "李明"})
        self.assertEqual(self.fresh().status, "investigating")
        self.assertRefusedWith(self.do("extend", {"days": "61", "reason": "需技术鉴定"}), "1 至 60 天")
        # str.isdigit() holds for "²", which int() refuses (a 500)
        self.assertRefusedWith(self.do("extend", {"days": "²", "reason": "需技术鉴定"}), "1 至 60 天")
        self.do("extend", {"days": "20", "reason": "需技术鉴定"})
        self.assertEqual(Investigation.objects.get().extended_days, 20)
        self.assertRefusedWith(self.do("submit"), "请先写明事故原因")
        self.do("update", {"causes": "直接原因：罐内有毒气体未置换；间接原因：受限空间作业审批缺失。"})
        self.do("submit")
        self.assertEqual(self.fresh().status, "submitted")
        self.assertRefusedWith(self.do("approve", {"approval_number": ""}), "请填写批复文号")
        self.do("approve", {"approval_number": "沙府复〔2026〕5号"})
        self.assertEqual(self.fresh().status, "approved")
        self.do("party", {"name": "张三", "kind": "person", "responsibility": "违章指挥"})
        party = Party.objects.get()
        self.login(self.alice)
        response = self.client.post(reverse("accidents:party_handle", args=[party.pk]), {"handling": ""}, follow=True)
        self.assertRefusedWith(response, "请填写处理结果")
        self.client.post(reverse("accidents:party_handle", args=[party.pk]), {"handling": "移送司法机关"})
        self.assertEqual(Party.objects.get().handling, "移送司法机关")
        self.do(
            "measure",
            {"text": "受限空间作业安装气体检测报警", "responsible": "凤凰化工", "deadline": self.today.isoformat()},
        )
        measure = Measure.objects.get()
        response = self.do("close")
        self.assertRefusedWith(response, "整改措施未落实不放过")
        self.assertEqual(self.fresh().status, "approved")
        self.client.post(reverse("accidents:measure_do", args=[measure.pk, "done"]))
        self.assertEqual(Measure.objects.get().status, "done")
        self.assertRefusedWith(self.do("close"), "有关人员未受到教育不放过")
        self.do("update", {"education_on": self.today.isoformat(), "education_note": "全镇危化企业警示教育会，80人"})
        response = self.do("close")
        self.assertIn("已结案。", self.messages(response))
        self.assertEqual(self.fresh().status, "closed")
        self.assertContains(response, 'id="status">已结案')
        self.assertNotContains(response, "登记向上一级报告")

    def test_measure_as_hazard(self):
        self.do("start", {"lead_unit": "沙坪坝区应急管理局", "leader": "李明"})
        self.do(
            "measure",
            {
                "text": "全厂受限空间排查",
                "responsible": "凤凰化工",
                "deadline": (self.today + timedelta(days=10)).isoformat(),
            },
        )
        measure = Measure.objects.get()
        response = self.client.post(reverse("accidents:measure_do", args=[measure.pk, "hazard"]), follow=True)
        hazard = Hazard.objects.get()
        self.assertIn(f"已形成隐患 {hazard.number} 跟踪。", self.messages(response))
        response = self.client.post(reverse("accidents:measure_do", args=[measure.pk, "done"]), follow=True)
        self.assertRefusedWith(response, "隐患销号后才算落实")
        self.assertEqual(Measure.objects.get().status, "open")
        self.assertEqual(
            self.client.post(reverse("accidents:measure_do", args=[measure.pk, "nothing"])).status_code, 404
        )
        self.login(self.charlie)
        self.assertEqual(self.client.post(reverse("accidents:measure_do", args=[measure.pk, "done"])).status_code, 404)

    def test_list_by_the_committee_only(self):
        self.assertEqual(self.do("list", {"note": "挂牌督办"}, user=self.erin).status_code, 403)
        self.assertFalse(self.fresh().listed)
        page = self.login(self.erin).get(self.accident.get_absolute_url())
        self.assertNotContains(page, 'action="' + reverse("accidents:do", args=[self.accident.pk, "list"]))
        response = self.do("list", {"note": "挂牌督办，限期60日内结案"})
        self.assertIn("已挂牌督办。", self.messages(response))
        self.assertTrue(self.fresh().listed)
        self.assertRefusedWith(self.do("list", {"note": "再次挂牌"}), "已挂牌督办")


class FiguresAndTargetsPageTests(ViewTestCase):
    def test_figures_page_marks_a_broken_target(self):
        self.login(self.alice)
        page = self.client.get(reverse("accidents:figures"))
        self.assertContains(page, "较大及以上事故")
        self.assertNotContains(page, "目标已突破")
        year = timezone.localtime(self.accident.occurred_at).year
        Target.objects.create(region=self.county_a, year=year, max_larger=0)
        page = self.client.get(reverse("accidents:figures"), {"year": year, "until": f"{year}-12-31"})
        self.assertContains(page, "目标已突破：较大及以上事故 1 起，超过目标（0 起）")
        self.assertContains(page, "<b>1</b><span>事故起数")
        page = self.client.get(
            reverse("accidents:figures"), {"year": year, "until": f"{year}-12-31", "region": self.town_a2.code}
        )
        self.assertContains(page, "<b>0</b><span>事故起数")
        # another county's code is ignored: still the user's own jurisdiction
        page = self.client.get(
            reverse("accidents:figures"), {"year": year, "until": f"{year}-12-31", "region": self.county_b.code}
        )
        self.assertContains(page, "目标已突破")
        self.assertEqual(self.login(self.sam).get(reverse("accidents:figures")).status_code, 403)

    def test_an_unreadable_year_or_day_is_said_not_ignored(self):
        page = self.login(self.alice).get(reverse("accidents:figures"), {"year": "20266", "until": "2026-13-45"})
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, "年度“20266”无法识别")
        self.assertContains(page, "截至日期“2026-13-45”无法识别（应如 2026-06-30），已统计至今天。")
        for year in ("²⁰²⁶", "9" * 25):  # str.isdigit() holds for "²", which int() refuses (a 500)
            page = self.client.get(reverse("accidents:figures"), {"year": year})
            self.assertContains(page, f"年度“{year}”无法识别")

    def test_targets_page_for_the_committee_only(self):
        self.login(self.alice)
        self.assertEqual(self.client.get(reverse("accidents:targets")).status_code, 200)
        response = self.client.post(
            reverse("accidents:targets"),
            {"region": self.county_a.code, "year": "2027", "max_larger": "0", "max_deaths": "0", "note": "零死亡"},
        )
        self.assertRedirects(response, reverse("accidents:targets"))
        target = Target.objects.get()
        self.assertEqual(
            (target.region, target.year, target.max_larger, target.max_deaths, target.max_accidents),
            (self.county_a, 2027, 0, 0, None),
        )
        page = self.client.get(reverse("accidents:targets"))
        self.assertContains(page, "零死亡")
        self.assertContains(page, '<td data-label="死亡" class="num">0</td>', html=False)
        self.client.post(
            reverse("accidents:targets"), {"region": self.county_a.code, "year": "2027", "max_larger": "1"}
        )
        self.assertEqual(Target.objects.get().max_larger, 1)
        # a number past the column's range (the form sets no maximum) overflowed on saving: a 500
        response = self.client.post(
            reverse("accidents:targets"),
            {"region": self.county_a.code, "year": "2027", "max_larger": "1", "max_deaths": "9" * 25},
        )
        self.assertContains(response, "死亡人数上限须为不小于0的整数")
        self.assertIsNone(Target.objects.get().max_deaths)
        # another county's region is not offered
        response = self.client.post(
            reverse("accidents:targets"), {"region": self.county_b.code, "year": "2027", "max_larger": "0"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(Target.objects.count(), 1)
        for user in (self.erin, self.dave, self.emma):
            with self.subTest(user=user.username):
                self.login(user)
                self.assertEqual(self.client.get(reverse("accidents:targets")).status_code, 403)
                self.assertEqual(
                    self.client.post(
                        reverse("accidents:targets"), {"region": self.county_a.code, "year": "2028"}
                    ).status_code,
                    403,
                )
        self.assertEqual(Target.objects.count(), 1)


class ServiceAndPageAgreeTests(ViewTestCase):
    def test_the_supplement_form_disappears_after_the_window(self):
        self.login(self.alice)
        self.assertContains(self.client.get(self.accident.get_absolute_url()), "补报伤亡和损失")
        Accident.objects.filter(pk=self.accident.pk).update(occurred_at=timezone.now() - timedelta(days=32))
        self.assertNotContains(self.client.get(self.accident.get_absolute_url()), "补报伤亡和损失")
        response = self.do(
            "supplement", {"deaths": 5, "missing": 0, "serious_injuries": 0, "minor_injuries": 0, "direct_loss": "0"}
        )
        self.assertIn("已超过补报期限", " ".join(self.messages(response)))
        self.assertEqual(self.fresh().deaths, 3)

    def test_an_enterprise_user_supplements_through_a_full_form(self):
        accident = self.record(self.emma, serious_injuries="2", direct_loss="300000")
        self.login(self.emma)
        page = self.client.get(accident.get_absolute_url())
        self.assertContains(page, "补报伤亡和损失")
        self.assertContains(page, 'name="deaths"')
        self.assertContains(page, 'name="serious_injuries"')
        response = self.do(
            "supplement",
            {"deaths": 1, "missing": 0, "serious_injuries": 1, "minor_injuries": 0, "direct_loss": "300000"},
            user=self.emma,
            accident=accident,
        )
        self.assertIn("已补报。", self.messages(response))
        accident.refresh_from_db()
        self.assertEqual((accident.deaths, accident.serious_injuries, accident.direct_loss), (1, 1, 300000))
        # a post without the figures changes nothing that was not sent
        self.do("supplement", {"note": "核实中"}, user=self.emma, accident=accident)
        accident.refresh_from_db()
        self.assertEqual((accident.deaths, accident.serious_injuries, accident.direct_loss), (1, 1, 300000))

    def test_every_refusal_leaves_no_audit(self):
        before = AuditEvent.objects.count()
        self.do("submit")
        self.do("close")
        self.do("approve", {"approval_number": "沙府复〔2026〕1号"})
        self.assertEqual(AuditEvent.objects.count(), before)
        self.assertEqual(services.four_checks(self.fresh())["causes"][1], False)
