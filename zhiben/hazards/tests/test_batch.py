"""批量处理: one workflow step on many hazards from the ledger or the API. Each hazard moves on its own; one already
handled, one the actor has no duty on and one out of scope are reported with the reason and leave the others done. A
request that can apply to none is refused whole."""

from django.test import override_settings

from zhiben.audit.models import AuditEvent
from zhiben.core.exceptions import ApplicationError
from zhiben.hazards import services
from zhiben.hazards.choices import Status
from zhiben.hazards.models import Hazard, HazardEvent
from zhiben.testing import CastTestCase

from .helpers import report

NOT_FOUND = "对象不存在或不在您的管辖范围内。"


class BatchTests(CastTestCase):
    def setUp(self):
        self.handled = report(self.gina, self.enterprise_a, description="配电箱未接地")
        self.waiting = report(self.gina, self.enterprise_a, description="灭火器过期未更换")
        self.other_industry = report(self.alice, self.enterprise_a_construction, description="脚手架连墙件缺失")
        self.other_county = report(self.charlie, self.enterprise_b, description="消防通道堵塞")
        services.hazard_transition(actor=self.alice, hazard=self.handled, action="verify")

    def status(self, hazard):
        return Hazard.objects.get(pk=hazard.pk).status

    def test_each_hazard_moves_on_its_own_and_the_others_are_told_why(self):
        ids = [self.handled.pk, self.waiting.pk, self.other_industry.pk, self.other_county.pk, 10**30]
        done, failed = services.hazard_transition_many(actor=self.alice, ids=[self.waiting.pk], action="verify")
        self.assertEqual([h.number for h in done], [self.waiting.number])
        Hazard.objects.filter(pk=self.waiting.pk).update(status=Status.REPORTED)
        done, failed = services.hazard_transition_many(actor=self.erin, ids=ids, action="verify")
        self.assertEqual([h.pk for h in done], [self.waiting.pk])
        self.assertEqual(self.status(self.waiting), Status.VERIFIED)
        reasons = {key: (hazard.number if hazard else None, message) for hazard, key, message in failed}
        self.assertEqual(
            reasons,
            {
                self.handled.pk: (self.handled.number, "当前状态为“已核实”，不能执行“核实确认”。"),
                # the construction company's hazard is not erin's department's to verify: outside her scope
                self.other_industry.pk: (None, NOT_FOUND),
                self.other_county.pk: (None, NOT_FOUND),
                10**30: (None, NOT_FOUND),
            },
        )
        self.assertEqual(self.status(self.other_industry), Status.REPORTED)
        self.assertEqual(self.status(self.other_county), Status.REPORTED)
        self.assertTrue(HazardEvent.objects.filter(hazard=self.waiting, action="verify", actor=self.erin).exists())
        self.assertEqual(AuditEvent.objects.filter(action="hazard.verify", actor=self.erin).count(), 1)

    def test_one_the_actor_has_no_duty_on_is_told_so(self):
        self.login(self.dave)  # a leader reads the county's ledger and moves nothing
        done, failed = services.hazard_transition_many(
            actor=self.dave, ids=[self.waiting.pk, self.other_industry.pk], action="verify"
        )
        self.assertEqual(done, [])
        self.assertEqual({m for _, _, m in failed}, {"您无权对该隐患执行“核实确认”。"})

    def test_a_request_that_can_apply_to_none_is_refused_whole(self):
        ids = [self.waiting.pk, self.other_industry.pk]
        for action, note, message in (
            ("merge", "重复", "不能批量执行“合并为重复”，请在隐患页面逐条处理。"),
            ("fly", "", "未知的操作“fly”。"),
            ("reject", "  ", "批量“不予认定”须填写理由。"),
            ("close", "", "批量“审核销号”须填写审核意见。"),
        ):
            with self.assertRaisesMessage(ApplicationError, message):
                services.hazard_transition_many(actor=self.alice, ids=ids, action=action, note=note)
        with self.assertRaisesMessage(ApplicationError, "请先勾选要处理的隐患。"):
            services.hazard_transition_many(actor=self.alice, ids=[], action="verify")
        with override_settings(BATCH_MAX=1), self.assertRaisesMessage(ApplicationError, "一次最多处理 1 条"):
            services.hazard_transition_many(actor=self.alice, ids=ids, action="verify")
        self.assertEqual({self.status(self.waiting), self.status(self.other_industry)}, {Status.REPORTED})

    def test_the_ledger_offers_a_box_where_the_user_may_take_a_step(self):
        self.login(self.alice)
        page = self.client.get("/hazards/").content.decode()
        self.assertIn('<form id="batch"', page)
        for hazard in (self.handled, self.waiting, self.other_industry):
            self.assertIn(f'value="{hazard.pk}" form="batch"', page)
        self.assertIn('<option value="verify">核实确认</option>', page)
        self.assertIn('<option value="reject" data-note="理由">不予认定</option>', page)
        self.assertNotIn('value="merge"', page)
        Hazard.objects.filter(pk=self.handled.pk).update(status=Status.CLOSED)  # nothing left to do on it
        page = self.client.get("/hazards/").content.decode()
        self.assertNotIn(f'value="{self.handled.pk}" form="batch"', page)
        self.login(self.dave)
        page = self.client.get("/hazards/").content.decode()
        self.assertIn(self.waiting.number, page)
        self.assertNotIn('<form id="batch"', page)
        self.assertNotIn('form="batch"', page)

    def test_a_batch_report_of_an_enterprise_no_id_column_holds_names_the_item(self):
        """The API takes any integer as an enterprise: one past an id column's range overflowed in the batch's
        in_bulk (a 500)."""
        before = Hazard.objects.count()
        self.login(self.alice)
        items = [
            {"enterprise": self.enterprise_a.pk, "description": "消防通道堆放杂物", "channel": "supervision"},
            {"enterprise": 10**25, "description": "配电箱未接地", "channel": "supervision"},
        ]
        response = self.client.post("/api/v1/hazards/batch", {"items": items}, content_type="application/json")
        self.assertEqual(response.status_code, 400, response.content)
        self.assertIn("items.1.enterprise", [e["field"] for e in response.json()["errors"]])
        self.assertEqual(Hazard.objects.count(), before)

    def test_the_ledgers_batch_reports_what_was_done_and_goes_back(self):
        self.login(self.erin)
        back = "/hazards/?status=reported"
        response = self.client.post(
            "/hazards/batch/",
            {"ids": [self.handled.pk, self.waiting.pk], "action": "verify", "note": "", "next": back},
            follow=True,
        )
        self.assertRedirects(response, back)
        texts = [str(m) for m in response.context["messages"]]
        self.assertIn(f"已对 1 条隐患执行“核实确认”：{self.waiting.number}。", texts)
        self.assertIn(f"{self.handled.number}未处理：当前状态为“已核实”，不能执行“核实确认”。", texts)
        response = self.client.post(
            "/hazards/batch/", {"ids": [self.waiting.pk], "action": "reject", "next": "https://evil.example/"}
        )
        self.assertRedirects(response, "/hazards/", fetch_redirect_response=False)  # not sent off the site
        messages = [str(m) for m in self.client.get("/hazards/").context["messages"]]
        self.assertEqual(messages, ["批量“不予认定”须填写理由。"])
        self.assertEqual(self.client.get("/hazards/batch/").status_code, 405)
        # ticked values that are no id are left out (int() refused "²": a 500)
        response = self.client.post("/hazards/batch/", {"ids": ["²", "9" * 25], "action": "verify"}, follow=True)
        self.assertEqual([str(m) for m in response.context["messages"]], ["请先勾选要处理的隐患。"])

    def test_the_api_takes_a_step_on_many(self):
        self.login(self.erin)
        ids = [self.handled.pk, self.waiting.pk, self.other_county.pk]
        response = self.client.post(
            "/api/v1/hazards/transitions", {"ids": ids, "action": "verify"}, content_type="application/json"
        )
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual([(h["number"], h["status"]) for h in body["done"]], [(self.waiting.number, "verified")])
        self.assertEqual(
            body["failed"],
            [
                {
                    "id": self.handled.pk,
                    "number": self.handled.number,
                    "message": "当前状态为“已核实”，不能执行“核实确认”。",
                },
                {"id": self.other_county.pk, "number": "", "message": NOT_FOUND},
            ],
        )
        response = self.client.post(
            "/api/v1/hazards/transitions", {"ids": ids, "action": "merge"}, content_type="application/json"
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("不能批量执行", response.json()["detail"])
