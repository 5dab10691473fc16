"""Officials' pages: the list (filters, pagination, export), a report (200 or 404) and its actions (allowed:
redirect and the change made; refused: a message and nothing changed; 403 and 404 by right and scope), the
identity reveal, rewards, routing rules, keepers, statistics and an enterprise's QR poster. No page but the
keeper's reveal ever shows who reported."""

import io
from datetime import timedelta

from django.core import signing
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from zhiben.audit.models import AuditEvent
from zhiben.reports import services
from zhiben.reports.choices import RewardStatus, Status
from zhiben.reports.models import Keeper, Open311Key, Report, Reward, RoutingRule
from zhiben.testing import CastTestCase

from .helpers import NAME, PHONE, at_status, counts, jpeg, named, submit

REPLY = "经现场核查，举报情况属实，已责令企业立即整改。"


def detail(report):
    return reverse("reports:detail", args=[report.pk])


def act(report, action):
    return reverse("reports:action", args=[report.pk, action])


class ListTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.fire, _ = services.report_submit(data=named(cls.village_a1, category="fire"))
        cls.hazchem, _ = submit(cls.village_a1)
        cls.theirs, _ = submit(cls.village_b1)

    def test_each_county_sees_its_own(self):
        page = self.login(self.alice).get(reverse("reports:list")).content.decode()
        self.assertIn(self.fire.code, page)
        self.assertIn(self.hazchem.code, page)
        self.assertNotIn(self.theirs.code, page)
        page = self.login(self.charlie).get(reverse("reports:list")).content.decode()
        self.assertEqual((self.theirs.code in page, self.fire.code in page), (True, False))

    def test_a_department_sees_the_industries_it_supervises(self):
        page = self.login(self.erin).get(reverse("reports:list")).content.decode()
        self.assertIn(self.hazchem.code, page)
        self.assertNotIn(self.fire.code, page)

    def test_the_list_never_shows_the_reporter(self):
        page = self.login(self.alice).get(reverse("reports:list")).content.decode()
        self.assertIn("实名", page)
        self.assertNotIn(NAME, page)
        self.assertNotIn(PHONE, page)

    def test_filters(self):
        services.report_accept(actor=self.erin, report=self.hazchem)
        Report.objects.filter(pk=self.hazchem.pk).update(deadline=timezone.localdate() - timedelta(days=1))
        client = self.login(self.alice)
        cases = [
            ({"status": "received"}, {self.fire}),
            ({"status": "verifying"}, {self.hazchem}),
            ({"overdue": "1"}, {self.hazchem}),
            ({"category": "fire"}, {self.fire}),
            ({"q": self.fire.code}, {self.fire}),
            ({"unit": "9" * 25}, set()),  # a number no id column holds overflowed in the query (a 500)
            ({"unit": "²"}, set()),
        ]
        for query, expected in cases:
            with self.subTest(query=query):
                page = client.get(reverse("reports:list"), query).content.decode()
                shown = {r for r in (self.fire, self.hazchem) if r.code in page}
                self.assertEqual(shown, expected)
        page = self.login(self.erin).get(reverse("reports:list"), {"mine": "1"}).content.decode()
        self.assertIn(self.hazchem.code, page)
        page = self.login(self.alice).get(reverse("reports:list"), {"mine": "1"}).content.decode()
        self.assertNotIn(self.hazchem.code, page)

    def test_pagination(self):
        for _ in range(20):
            submit(self.town_a2, category="fire")
        client = self.login(self.alice)
        first = client.get(reverse("reports:list"))
        self.assertEqual(len(first.context["page"].object_list), 20)
        self.assertContains(first, "共 22 条，第 1/2 页")
        second = client.get(reverse("reports:list"), {"page": 2})
        self.assertEqual(len(second.context["page"].object_list), 2)
        self.assertContains(second, "第 2/2 页")

    def test_export_has_the_list_without_the_reporter(self):
        from openpyxl import load_workbook

        response = self.login(self.alice).get(reverse("reports:export"))
        self.assertEqual(response.status_code, 200)
        sheet = load_workbook(
            io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
        ).active
        rows = [[str(c) if c is not None else "" for c in row] for row in sheet.iter_rows(values_only=True)]
        self.assertEqual(rows[0][0], "举报编号")
        codes = {row[0] for row in rows[1:]}
        self.assertEqual(codes, {self.fire.code, self.hazchem.code})
        everything = " ".join(" ".join(row) for row in rows)
        self.assertNotIn(NAME, everything)
        self.assertNotIn(PHONE, everything)
        self.assertIn("实名", everything)
        self.assertTrue(AuditEvent.objects.filter(action="report.export", actor=self.alice).exists())

    def test_the_enterprise_user_has_no_list_and_no_report(self):
        client = self.login(self.emma)
        self.assertEqual(client.get(reverse("reports:list")).status_code, 403)
        self.assertEqual(client.get(reverse("reports:export")).status_code, 403)
        self.assertEqual(client.get(detail(self.hazchem)).status_code, 404)


class DetailTests(CastTestCase):
    def setUp(self):
        self.report, _ = services.report_submit(
            data=named(self.village_a1, description="<script>alert('x')</script>仓库后门堆放了二十多桶油漆稀释剂"),
            files=[jpeg()],
        )

    def test_in_scope_200_out_of_scope_404(self):
        for user, status in ((self.alice, 200), (self.bob, 200), (self.erin, 200), (self.dave, 200)):
            with self.subTest(user=user.username):
                self.assertEqual(self.login(user).get(detail(self.report)).status_code, status)
        for user in (self.charlie, self.emma):
            with self.subTest(user=user.username):
                self.assertEqual(self.login(user).get(detail(self.report)).status_code, 404)
        self.assertEqual(self.login(self.alice).get(reverse("reports:detail", args=[999999])).status_code, 404)

    def test_the_page_escapes_markup_and_hides_the_reporter(self):
        response = self.login(self.alice).get(detail(self.report))
        page = response.content.decode()
        self.assertIn("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;", page)
        self.assertNotIn("<script>alert(", page)
        self.assertIn("疑似无效：含网页脚本或标签", page)
        self.assertIn("实名（身份仅保密专员可查看）", page)
        self.assertNotIn(NAME, page)
        self.assertNotIn(PHONE, page)
        self.assertNotIn("查看举报人身份", page)  # alice is no keeper

    def test_only_handlers_see_the_actions(self):
        page = self.login(self.erin).get(detail(self.report)).content.decode()
        self.assertIn(act(self.report, "accept"), page)
        page = self.login(self.dave).get(detail(self.report)).content.decode()
        self.assertNotIn(act(self.report, "accept"), page)

    def test_photos_in_scope_only(self):
        photo = self.report.photos.get()
        for name in ("reports:photo", "reports:photo_thumb"):
            with self.subTest(name=name):
                response = self.login(self.alice).get(reverse(name, args=[photo.pk]))
                self.assertEqual(response.status_code, 200)
                self.assertEqual(self.login(self.charlie).get(reverse(name, args=[photo.pk])).status_code, 404)


class ActionTests(CastTestCase):
    def setUp(self):
        self.report, _ = submit(self.village_a1)

    def test_accept_redirects_and_changes_the_report(self):
        response = self.login(self.erin).post(act(self.report, "accept"), {"assignee": "", "reply": ""})
        self.assertRedirects(response, detail(self.report), fetch_redirect_response=False)
        report = Report.objects.get(pk=self.report.pk)
        self.assertEqual((report.status, report.assignee), (Status.VERIFYING, self.erin))

    def test_verify_through_the_page_makes_the_hazard(self):
        at_status(self.report, Status.VERIFYING)
        response = self.login(self.erin).post(
            act(self.report, "verify"),
            {
                "level": "general",
                "hazard_category": "",
                "industry": "",
                "hazard_description": "仓库堆放油漆稀释剂，现场有人吸烟",
                "reply": REPLY,
            },
            follow=True,
        )
        report = Report.objects.get(pk=self.report.pk)
        self.assertEqual(report.status, Status.VERIFIED)
        self.assertContains(response, f"已形成隐患 {report.hazard.number}")
        self.assertEqual(report.hazard.description, "仓库堆放油漆稀释剂，现场有人吸烟")

    def test_a_refused_action_shows_the_message_and_changes_nothing(self):
        before = counts()
        response = self.login(self.erin).post(act(self.report, "verify"), {"reply": REPLY}, follow=True)
        self.assertContains(response, "举报当前为“待受理”，不能执行“核查属实”")
        self.assertEqual(counts(), before)
        at_status(self.report, Status.VERIFYING)
        response = self.login(self.erin).post(act(self.report, "unfound"), {"reply": ""}, follow=True)
        self.assertContains(response, "请填写给举报人的核查情况说明")
        self.assertEqual(Report.objects.get(pk=self.report.pk).status, Status.VERIFYING)
        response = self.login(self.erin).post(act(self.report, "duplicate"), {"of": "JB-2222-3333"}, follow=True)
        self.assertContains(response, "须在您的管辖范围内")

    def test_each_action_by_the_page(self):
        cases = [
            (Status.RECEIVED, "transfer", {"unit": self.unit_office_a.pk}, Status.RECEIVED),
            (Status.VERIFYING, "unfound", {"reply": "现场核查未发现举报的问题。"}, Status.UNFOUNDED),
            (Status.RECEIVED, "refer", {"body": "区公安分局"}, Status.REFERRED),
            (Status.RECEIVED, "spam", {"reason": "广告"}, Status.SPAM),
            (Status.SPAM, "reopen", {"reason": "误判"}, Status.RECEIVED),
        ]
        for source, action, post, target in cases:
            with self.subTest(action=action):
                report = at_status(submit(self.village_a1)[0], source)
                response = self.login(self.alice).post(act(report, action), post)
                self.assertRedirects(response, detail(report), fetch_redirect_response=False)
                report.refresh_from_db()
                self.assertEqual(report.status, target)
        earlier, _ = submit(self.village_a1)
        Report.objects.filter(pk=earlier.pk).update(created_at=self.report.created_at - timedelta(hours=1))
        self.login(self.alice).post(act(self.report, "duplicate"), {"of": earlier.code})
        report = Report.objects.get(pk=self.report.pk)
        self.assertEqual((report.status, report.duplicate_of), (Status.DUPLICATE, earlier))

    def test_another_unit_403_another_county_404_unknown_action_404_get_405(self):
        RoutingRule.objects.create(region=self.town_a1, unit=self.unit_office_a)
        theirs, _ = submit(self.village_a1)
        self.assertEqual(self.login(self.erin).post(act(theirs, "accept")).status_code, 403)
        self.assertEqual(self.login(self.dave).post(act(theirs, "accept")).status_code, 403)
        self.assertEqual(self.login(self.charlie).post(act(theirs, "accept")).status_code, 404)
        self.assertEqual(self.login(self.emma).post(act(theirs, "accept")).status_code, 404)
        self.assertEqual(self.login(self.alice).post(act(theirs, "teleport")).status_code, 404)
        self.assertEqual(self.login(self.alice).get(act(theirs, "accept")).status_code, 405)
        self.assertEqual(Report.objects.get(pk=theirs.pk).status, Status.RECEIVED)

    def test_reply_and_internal_note(self):
        client = self.login(self.erin)
        url = reverse("reports:message", args=[self.report.pk])
        self.assertRedirects(client.post(url, {"text": "正在核查"}), detail(self.report), fetch_redirect_response=False)
        client.post(url, {"text": "企业不配合", "internal": "on"})
        kinds = list(self.report.messages.values_list("kind", "text"))
        self.assertEqual(kinds, [("reply", "正在核查"), ("note", "企业不配合")])
        self.assertEqual(self.login(self.gina).post(url, {"text": "网格员答复"}).status_code, 403)


class RevealTests(CastTestCase):
    def setUp(self):
        self.report, _ = services.report_submit(data=named(self.village_a1))
        self.url = reverse("reports:reveal", args=[self.report.pk])

    def test_a_keeper_sees_the_identity_with_a_reason(self):
        services.keeper_designate(actor=self.sid, user=self.erin)
        client = self.login(self.erin)
        self.assertContains(client.get(detail(self.report)), "查看举报人身份")
        response = client.post(self.url, {"reason": "核查需联系举报人带路"})
        self.assertContains(response, NAME)
        self.assertContains(response, PHONE)
        self.assertEqual(response.headers["Cache-Control"], "no-store")
        self.assertEqual(AuditEvent.objects.get(action="report.reveal").data["reason"], "核查需联系举报人带路")
        # no reason: back to the report with the message, no audit row
        response = client.post(self.url, {"reason": ""}, follow=True)
        self.assertContains(response, "请写明查看举报人身份的事由")
        self.assertNotContains(response, NAME)
        self.assertEqual(AuditEvent.objects.filter(action="report.reveal").count(), 1)

    def test_a_non_keeper_403_a_keeper_of_the_other_county_404(self):
        response = self.login(self.alice).post(self.url, {"reason": "核查需联系举报人"})
        self.assertEqual(response.status_code, 403)
        Keeper.objects.create(user=self.charlie)
        self.assertEqual(self.login(self.charlie).post(self.url, {"reason": "核查需联系举报人"}).status_code, 404)
        self.assertFalse(AuditEvent.objects.filter(action="report.reveal").exists())


class RewardPageTests(CastTestCase):
    def setUp(self):
        self.report, self.secret = submit(self.village_a1, category="illegal")
        services.report_accept(actor=self.alice, report=self.report)
        services.report_verify(actor=self.alice, report=self.report, data={"no_hazard": "1"}, reply=REPLY)

    def test_propose_approve_and_pay_through_the_pages(self):
        url = reverse("reports:reward_propose", args=[self.report.pk])
        self.assertContains(self.login(self.alice).get(detail(self.report)), url)
        response = self.login(self.alice).post(url, {"fine": "200000"}, follow=True)
        self.assertContains(response, "已提出奖励 30,000.00 元，待另一人审批")
        reward = Reward.objects.get(report=self.report)
        approve = reverse("reports:reward_action", args=[reward.pk, "approve"])
        # the proposer has no approve button, and a POST is refused
        self.assertNotContains(self.login(self.alice).get(detail(self.report)), approve)
        self.assertEqual(self.login(self.alice).post(approve).status_code, 403)
        self.assertEqual(Reward.objects.get(pk=reward.pk).status, RewardStatus.PROPOSED)
        self.assertContains(self.login(self.bob).get(detail(self.report)), approve)
        self.login(self.bob).post(approve)
        self.assertEqual(Reward.objects.get(pk=reward.pk).status, RewardStatus.APPROVED)
        services.reward_claim(
            report=self.report, data={"payee_name": NAME, "payee_account": "6222021234567890", "payee_phone": PHONE}
        )
        page = self.login(self.alice).get(detail(self.report)).content.decode()
        self.assertNotIn(NAME, page)
        self.assertNotIn("6222021234567890", page)
        pay = reverse("reports:reward_action", args=[reward.pk, "pay"])
        response = self.login(self.alice).post(pay, {"voucher": ""}, follow=True)
        self.assertContains(response, "请填写发放凭证号")
        self.login(self.alice).post(pay, {"voucher": "ZZ001"})
        self.assertEqual(Reward.objects.get(pk=reward.pk).status, RewardStatus.PAID)

    def test_refusal_needs_a_reason(self):
        reward = services.reward_propose(actor=self.alice, report=self.report, data={})
        refuse = reverse("reports:reward_action", args=[reward.pk, "refuse"])
        response = self.login(self.bob).post(refuse, {"reason": ""}, follow=True)
        self.assertContains(response, "不予奖励须写明理由")
        self.assertEqual(Reward.objects.get(pk=reward.pk).status, RewardStatus.PROPOSED)
        self.login(self.bob).post(refuse, {"reason": "举报前已掌握"})
        self.assertEqual(Reward.objects.get(pk=reward.pk).status, RewardStatus.REFUSED)

    def test_reward_list_and_scope(self):
        reward = services.reward_propose(actor=self.alice, report=self.report, data={"fine": "1000"})
        self.assertContains(self.login(self.alice).get(reverse("reports:rewards")), self.report.code)
        self.assertNotContains(self.login(self.charlie).get(reverse("reports:rewards")), self.report.code)
        for action in ("approve", "refuse", "pay"):
            url = reverse("reports:reward_action", args=[reward.pk, action])
            with self.subTest(action=action):
                self.assertEqual(self.login(self.charlie).post(url, {"reason": "无"}).status_code, 404)
        self.assertEqual(
            self.login(self.bob).post(reverse("reports:reward_action", args=[reward.pk, "x"])).status_code, 404
        )
        self.assertEqual(self.login(self.emma).get(reverse("reports:rewards")).status_code, 403)
        self.assertEqual(Reward.objects.get(pk=reward.pk).status, RewardStatus.PROPOSED)


class RewardListTests(CastTestCase):
    """The reward list sorts from its headers and exports what it shows: never the payee's name, account or phone."""

    def setUp(self):
        self.rewards = []
        for fine in ("1000", "200000"):
            report, _ = submit(self.village_a1, category="illegal")
            services.report_accept(actor=self.alice, report=report)
            services.report_verify(actor=self.alice, report=report, data={"no_hazard": "1"}, reply=REPLY)
            self.rewards.append(services.reward_propose(actor=self.alice, report=report, data={"fine": fine}))
        services.reward_decide(actor=self.bob, reward=self.rewards[1], approve=True)
        services.reward_claim(
            report=self.rewards[1].report,
            data={"payee_name": NAME, "payee_account": "6222021234567890", "payee_phone": PHONE},
        )

    def codes(self, response):
        return [w.report.code for w in response.context["page"]]

    def test_the_headers_sort_by_amount_and_time_each_way(self):
        self.login(self.alice)
        small, large = (w.report.code for w in self.rewards)
        self.assertEqual(self.codes(self.client.get(reverse("reports:rewards"), {"sort": "amount"})), [small, large])
        page = self.client.get(reverse("reports:rewards"), {"sort": "-amount"})
        self.assertEqual(self.codes(page), [large, small])
        self.assertContains(page, 'href="?sort=amount"')
        self.assertEqual(self.codes(self.client.get(reverse("reports:rewards"))), [large, small])  # newest first

    def test_the_export_is_the_filtered_list_without_the_payee(self):
        self.login(self.alice)
        response = self.client.get(reverse("reports:reward_export"), {"status": RewardStatus.CLAIMED})
        rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
        self.assertEqual(rows[0][:5], ("举报编号", "类别", "区划", "罚款金额（元）", "奖励金额（元）"))
        self.assertEqual([r[0] for r in rows[1:]], [self.rewards[1].report.code])
        self.assertEqual((rows[1][6], rows[1][7]), ("已申领，待发放", self.bob.display_name))
        self.assertTrue(rows[1][10])  # claimed at
        flat = " ".join(str(cell) for row in rows for cell in row)
        for secret in (NAME, PHONE, "6222021234567890"):
            self.assertNotIn(secret, flat)
        event = AuditEvent.objects.filter(action="reward.export").get()
        self.assertEqual(event.data["filters"], {"status": RewardStatus.CLAIMED})

    def test_each_jurisdiction_exports_its_own_and_the_public_none(self):
        rows = list(
            load_workbook(
                io.BytesIO(self.login(self.charlie).get(reverse("reports:reward_export")).content)
            ).active.iter_rows(values_only=True)
        )
        self.assertEqual(rows[1:], [])
        self.assertEqual(self.login(self.emma).get(reverse("reports:reward_export")).status_code, 403)


class RoutingPageTests(CastTestCase):
    def test_the_committee_admin_sets_a_rule(self):
        client = self.login(self.alice)
        self.assertEqual(client.get(reverse("reports:routing")).status_code, 200)
        response = client.post(
            reverse("reports:routing"),
            {
                "what": "rule",
                "region": self.town_a1.code,
                "category": "",
                "unit": self.unit_office_a.pk,
                "note": "试点",
            },
        )
        self.assertRedirects(response, reverse("reports:routing"), fetch_redirect_response=False)
        rule_row = RoutingRule.objects.get()
        self.assertEqual((rule_row.region, rule_row.category, rule_row.unit), (self.town_a1, None, self.unit_office_a))
        report, _ = submit(self.village_a1)
        self.assertEqual(report.unit, self.unit_office_a)
        # the other county can neither see nor delete it
        self.assertNotContains(self.login(self.charlie).get(reverse("reports:routing")), "试点")
        delete = reverse("reports:routing_delete", args=[rule_row.pk])
        self.assertEqual(self.login(self.charlie).post(delete).status_code, 404)
        self.login(self.alice).post(delete)
        self.assertFalse(RoutingRule.objects.exists())

    def test_a_rule_for_a_unit_of_the_other_county_is_refused(self):
        client = self.login(self.alice)
        client.post(
            reverse("reports:routing"),
            {"what": "rule", "region": self.town_a1.code, "category": "", "unit": self.unit_office_b.pk},
        )
        self.assertFalse(RoutingRule.objects.exists())

    def test_an_open311_key_is_shown_once(self):
        response = self.login(self.alice).post(
            reverse("reports:routing"), {"what": "key", "key-name": "城市随手拍", "key-region": self.county_a.code}
        )
        key = response.context["new_key"]
        self.assertTrue(key)
        self.assertContains(response, key)
        self.assertEqual(services.open311_key_get(key), Open311Key.objects.get())
        self.assertNotContains(self.login(self.alice).get(reverse("reports:routing")), key)

    def test_regulators_and_others_403(self):
        for user in (self.erin, self.dave, self.sid, self.emma):
            with self.subTest(user=user.username):
                self.assertEqual(self.login(user).get(reverse("reports:routing")).status_code, 403)


class KeeperPageTests(CastTestCase):
    def test_the_security_administrator_designates_and_removes(self):
        client = self.login(self.sid)
        self.assertContains(client.get(reverse("reports:keepers")), "尚未指定")
        response = client.post(reverse("reports:keepers"), {"username": "erin"}, follow=True)
        self.assertContains(response, "已指定保密专员")
        self.assertTrue(Keeper.objects.filter(user=self.erin, designated_by=self.sid).exists())
        response = client.post(reverse("reports:keepers"), {"username": "charlie"}, follow=True)
        self.assertContains(response, "辖区内没有该账号")
        self.assertFalse(Keeper.objects.filter(user=self.charlie).exists())
        response = client.post(reverse("reports:keepers"), {"username": "dave"}, follow=True)
        self.assertContains(response, "保密专员须是在岗的安委办或行业监管人员账号")
        client.post(reverse("reports:keepers"), {"username": "erin", "remove": "1"})
        self.assertFalse(Keeper.objects.exists())

    def test_others_403(self):
        for user in (self.alice, self.erin, self.sam, self.aud):
            with self.subTest(user=user.username):
                self.assertEqual(self.login(user).get(reverse("reports:keepers")).status_code, 403)
                self.assertEqual(
                    self.login(user).post(reverse("reports:keepers"), {"username": "erin"}).status_code, 403
                )
        self.assertFalse(Keeper.objects.exists())


class StatisticsPageTests(CastTestCase):
    def test_spam_is_shown_apart(self):
        submit(self.village_a1, category="fire")
        spam, _ = submit(self.village_a1, category="fire")
        services.report_spam(actor=self.alice, report=spam, reason="广告")
        response = self.login(self.alice).get(reverse("reports:statistics"))
        self.assertEqual(response.context["spam"], 1)
        self.assertEqual(response.context["totals"]["total"], 1)


class EnterprisePosterTests(CastTestCase):
    def test_the_poster_opens_the_form_with_the_enterprise(self):
        response = self.login(self.alice).get(reverse("reports:enterprise_poster", args=[self.enterprise_a.pk]))
        self.assertContains(response, "凤凰化工有限公司")
        self.assertContains(response, "欢迎本单位从业人员举报")
        token = services.enterprise_token(self.enterprise_a)
        self.assertIn(f"?e={token}", response.context["url"])
        self.assertEqual(services.enterprise_from_token(token), self.enterprise_a)
        self.assertEqual(services.enterprise_token(self.enterprise_a), token)  # a printed poster's code stays valid
        older = signing.dumps(self.enterprise_a.pk, salt=services.ENTERPRISE_SALT, compress=False)
        self.assertEqual(services.enterprise_from_token(older), self.enterprise_a)
        self.assertIsNone(services.enterprise_from_token(token[:-2] + "xx"))

    def test_qr_codes(self):
        client = self.login(self.alice)
        png = client.get(reverse("reports:enterprise_qr", args=[self.enterprise_a.pk, "png"]))
        self.assertEqual(png["Content-Type"], "image/png")
        self.assertTrue(png.content.startswith(b"\x89PNG\r\n\x1a\n"))
        svg = client.get(reverse("reports:enterprise_qr", args=[self.enterprise_a.pk, "svg"]))
        self.assertEqual(svg["Content-Type"], "image/svg+xml")
        self.assertIn(b"<svg", svg.content)
        self.assertEqual(
            client.get(reverse("reports:enterprise_qr", args=[self.enterprise_a.pk, "gif"])).status_code, 404
        )

    def test_scope(self):
        url = reverse("reports:enterprise_poster", args=[self.enterprise_a.pk])
        self.assertEqual(self.login(self.charlie).get(url).status_code, 404)
        self.assertEqual(self.login(self.emma).get(url).status_code, 403)
        qr = reverse("reports:enterprise_qr", args=[self.enterprise_a.pk, "png"])
        self.assertEqual(self.login(self.charlie).get(qr).status_code, 404)
        self.assertEqual(self.client.logout() or self.client.get(url).status_code, 302)


class PublicFormTests(CastTestCase):
    def test_an_empty_report_is_told_everything_it_lacks_at_once(self):
        from .helpers import solve

        url = reverse("report_public:form")
        challenge = self.client.get(url).context["form"].initial["challenge"]
        response = self.client.post(url, {"anonymous": "1", "challenge": challenge, "counter": solve(challenge)})
        self.assertEqual(response.status_code, 200)
        for message in ("请选择举报类别。", "请选择隐患所在的镇街", "请具体描述发现的问题（至少10个字）"):
            self.assertContains(response, message)
        self.assertFalse(Report.objects.exists())
