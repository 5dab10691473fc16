"""The expert pool, inspector credentials (执法证) and conflicts (回避): rules, refusals with nothing written,
pages and scope."""

from datetime import date

from zhiben.audit.models import AuditEvent
from zhiben.core.exceptions import ApplicationError, ScopeError
from zhiben.inspections.models import Conflict, Expert, InspectorCredential
from zhiben.inspections.plan_services import (
    conflict_add,
    conflict_remove,
    credential_save,
    expert_save,
    expert_set_active,
)
from zhiben.testing import CastTestCase, make_user


class ExpertTests(CastTestCase):
    def add(self, actor=None, **data):
        data = {"name": "王专家", "phone": "13912345678", "specialties": ["hazchem"], **data}
        return expert_save(actor=actor or self.alice, data=data)

    def assertRefused(self, call, message, model):
        rows, audits = model.objects.count(), AuditEvent.objects.count()
        with self.assertRaises(ApplicationError) as caught:
            call()
        self.assertIn(message, caught.exception.message)
        self.assertEqual(model.objects.count(), rows)
        self.assertEqual(AuditEvent.objects.count(), audits)

    def test_an_expert_is_added_edited_and_taken_out_of_the_pool(self):
        expert = self.add(title="注册安全工程师", enterprise=self.enterprise_a.pk)
        self.assertEqual(expert.region, self.county_a)
        self.assertEqual(expert.phone_masked, "139****5678")
        self.assertEqual(list(expert.specialties.values_list("code", flat=True)), ["hazchem"])
        expert = expert_save(
            actor=self.alice,
            data={"name": "王专家", "specialties": ["hazchem", "construction"], "region": self.town_a1.code},
            expert=expert,
        )
        self.assertEqual(expert.specialties.count(), 2)
        self.assertIsNone(expert.enterprise)
        expert = expert_set_active(actor=self.alice, expert=expert, active=False)
        self.assertFalse(expert.active)
        with self.assertRaisesMessage(ApplicationError, "已出库"):
            expert_set_active(actor=self.alice, expert=expert, active=False)
        self.assertTrue(AuditEvent.objects.filter(action="expert.deactivate").exists())

    def test_bad_experts_are_refused(self):
        self.assertRefused(lambda: self.add(name=""), "请填写专家姓名", Expert)
        self.assertRefused(lambda: self.add(phone="abc"), "联系电话“abc”格式不正确", Expert)
        self.assertRefused(lambda: self.add(specialties=[]), "请至少选择一个专业领域", Expert)
        self.assertRefused(lambda: self.add(specialties=["nope"]), "无效的行业：nope", Expert)
        self.assertRefused(
            lambda: self.add(enterprise=self.enterprise_b.pk), "所选企业不存在或不在您的管辖范围内", Expert
        )
        self.assertRefused(lambda: self.add(region=self.county_b.code), "所属区划不存在或不在您的管辖范围内", Expert)
        self.assertRefused(lambda: self.add(actor=self.erin), "无权管理专家库", Expert)
        # str.isdigit() holds for "²", which int() refuses (a 500); a number no id column holds overflowed in pk__in
        self.assertRefused(lambda: self.add(enterprise="²"), "所选企业不存在或不在您的管辖范围内", Expert)
        self.assertRefused(lambda: self.add(specialties=["²"]), "无效的行业：²", Expert)
        self.assertRefused(lambda: self.add(specialties=["9" * 25]), "无效的行业", Expert)
        self.assertRefused(lambda: self.add(user="²"), "所选登录账号不存在", Expert)

    def test_pages_list_filter_mask_and_edit(self):
        chem = self.add()
        build = self.add(name="李建筑", phone="", specialties=["construction"])
        expert_set_active(actor=self.alice, expert=build, active=False)
        client = self.login(self.alice)
        response = client.get("/inspections/experts/")
        self.assertContains(response, "王专家")
        self.assertContains(response, "139****5678")
        self.assertNotContains(response, "13912345678")
        response = client.get("/inspections/experts/?specialty=construction")
        self.assertContains(response, "李建筑")
        self.assertNotContains(response, "王专家")
        self.assertNotContains(client.get("/inspections/experts/?active=1"), "李建筑")
        export = client.get("/inspections/experts/export/")
        self.assertTrue(export.content.startswith(b"PK"))
        self.assertContains(client.get(f"/inspections/experts/{chem.pk}/"), "139****5678")
        response = client.post(
            "/inspections/experts/new/",
            {"name": "赵新", "phone": "023-1", "specialties": ["fire"], "region": self.county_a.code, "active": "on"},
        )
        self.assertContains(response, "格式不正确")
        response = client.post(
            "/inspections/experts/new/",
            {"name": "赵新", "specialties": ["fire"], "region": self.county_a.code, "active": "on"},
        )
        created = Expert.objects.get(name="赵新")
        self.assertRedirects(response, f"/inspections/experts/{created.pk}/")
        client.post(f"/inspections/experts/{created.pk}/active/", {"active": "0"})
        created.refresh_from_db()
        self.assertFalse(created.active)
        # a reader sees but does not edit
        dave = self.login(self.dave)
        self.assertEqual(dave.get(f"/inspections/experts/{chem.pk}/").status_code, 200)
        self.assertEqual(dave.get(f"/inspections/experts/{chem.pk}/edit/").status_code, 403)

    def test_charlie_gets_404_on_county_a_experts(self):
        expert = self.add()
        client = self.login(self.charlie)
        self.assertEqual(client.get(f"/inspections/experts/{expert.pk}/").status_code, 404)
        self.assertEqual(client.get(f"/inspections/experts/{expert.pk}/edit/").status_code, 404)
        self.assertEqual(client.post(f"/inspections/experts/{expert.pk}/active/", {"active": "0"}).status_code, 404)
        self.assertNotContains(client.get("/inspections/experts/"), "王专家")
        with self.assertRaises(ScopeError):
            expert_save(actor=self.charlie, data={"name": "x", "specialties": ["hazchem"]}, expert=expert)


class CredentialTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        from zhiben.accounts.choices import Role

        cls.colleague = make_user("colleague", Role.COMMITTEE_ADMIN, cls.county_a, unit=cls.unit_office_a)

    def save(self, actor=None, credential=None, **data):
        data = {"user": self.colleague.pk, "number": "渝执001", "valid_until": "2027-12-31", **data}
        return credential_save(actor=actor or self.alice, data=data, credential=credential)

    def assertRefused(self, message, **data):
        rows, audits = InspectorCredential.objects.count(), AuditEvent.objects.count()
        with self.assertRaises(ApplicationError) as caught:
            self.save(**data)
        self.assertIn(message, caught.exception.message)
        self.assertEqual(InspectorCredential.objects.count(), rows)
        self.assertEqual(AuditEvent.objects.count(), audits)

    def test_credentials_are_registered_and_bad_ones_refused(self):
        credential = self.save(valid_from="2025-01-01", issuer="重庆市人民政府")
        self.assertTrue(credential.valid_on(date(2026, 6, 1)))
        self.assertRefused("不能早于有效期起", number="渝执002", valid_from="2026-01-01", valid_until="2025-12-31")
        self.assertRefused("执法证号“渝执001”已登记（持证人：colleague）", user=self.alice.pk)
        self.assertRefused("请选择本单位的执法人员", number="渝执003", user=self.erin.pk)
        self.assertRefused("请选择本单位的执法人员", number="渝执003", user="²")  # int() refused it: a 500
        self.assertRefused("请填写有效期至", number="渝执004", valid_until="")
        self.assertRefused("不是有效日期", number="渝执005", valid_until="2026-13-45")
        # editing keeps its own number
        credential = self.save(credential=credential, valid_until="2028-01-01")
        self.assertEqual(credential.valid_until, date(2028, 1, 1))
        with self.assertRaises(ApplicationError):
            self.save(actor=self.dave, number="渝执009")

    def test_the_page_shows_expiry_and_hides_other_units(self):
        self.save(number="渝执-过期", valid_until="2020-01-01")
        self.save(number="渝执-有效", user=self.alice.pk)
        client = self.login(self.alice)
        response = client.get("/inspections/credentials/")
        self.assertContains(response, "渝执-过期")
        self.assertContains(response, "已过期")
        self.assertContains(response, "有效")
        response = client.post(
            "/inspections/credentials/new/",
            {"user": self.colleague.pk, "number": "渝执-新", "valid_from": "2026-05-01", "valid_until": "2026-01-01"},
        )
        self.assertContains(response, "不能早于有效期起")
        self.assertFalse(InspectorCredential.objects.filter(number="渝执-新").exists())
        charlie = self.login(self.charlie)
        self.assertNotContains(charlie.get("/inspections/credentials/"), "渝执-过期")
        pk = InspectorCredential.objects.get(number="渝执-过期").pk
        self.assertEqual(charlie.get(f"/inspections/credentials/{pk}/edit/").status_code, 404)
        self.assertEqual(self.login(self.gina).get("/inspections/credentials/").status_code, 404)


class ConflictTests(CastTestCase):
    def test_conflicts_are_declared_refused_out_of_scope_and_removed(self):
        expert = Expert.objects.create(name="回避专家", region=self.county_a)
        conflict = conflict_add(
            actor=self.alice, data={"expert": expert.pk, "enterprise": self.enterprise_a.pk, "reason": "曾任职"}
        )
        conflict_add(
            actor=self.alice, data={"user": self.erin.pk, "enterprise": self.enterprise_a.pk, "reason": "亲属"}
        )
        for data, message in (
            (
                {"user": self.erin.pk, "enterprise": self.enterprise_b.pk, "reason": "x"},
                "所选企业不存在或不在您的管辖范围内",
            ),
            ({"user": self.erin.pk, "expert": expert.pk, "enterprise": self.enterprise_a.pk, "reason": "x"}, "二选一"),
            ({"expert": expert.pk, "enterprise": self.enterprise_a.pk, "reason": "再次"}, "的回避已登记"),
            ({"user": self.charlie.pk, "enterprise": self.enterprise_a.pk, "reason": "x"}, "所选人员不存在"),
            ({"user": "²", "enterprise": self.enterprise_a.pk, "reason": "x"}, "所选人员不存在"),  # a 500
            ({"expert": "²", "enterprise": self.enterprise_a.pk, "reason": "x"}, "所选专家不存在"),
            ({"user": self.erin.pk, "enterprise": self.enterprise_a_construction.pk, "reason": ""}, "请填写回避理由"),
        ):
            rows, audits = Conflict.objects.count(), AuditEvent.objects.count()
            with self.assertRaises(ApplicationError) as caught:
                conflict_add(actor=self.alice, data=data)
            self.assertIn(message, caught.exception.message)
            self.assertEqual((Conflict.objects.count(), AuditEvent.objects.count()), (rows, audits))
        client = self.login(self.alice)
        response = client.get("/inspections/conflicts/")
        self.assertContains(response, "回避专家")
        self.assertContains(response, "曾任职")
        # an expert no id column holds lists none (the lookup overflowed: a 500); "²" is no id, as if not given
        self.assertNotContains(client.get("/inspections/conflicts/", {"expert": "9" * 25}), "曾任职")
        self.assertContains(client.get("/inspections/conflicts/", {"user": "²"}), "曾任职")
        self.assertNotContains(self.login(self.charlie).get("/inspections/conflicts/"), "曾任职")
        self.assertEqual(
            self.login(self.charlie).post(f"/inspections/conflicts/{conflict.pk}/remove/").status_code, 404
        )
        with self.assertRaises(ScopeError):
            conflict_remove(actor=self.charlie, conflict=conflict)
        client = self.login(self.alice)
        response = client.post(
            "/inspections/conflicts/new/",
            {"user": "", "expert": expert.pk, "enterprise": self.enterprise_b.credit_code, "reason": "x"},
        )
        self.assertContains(response, "管辖范围内没有代码或名称")
        client.post(f"/inspections/conflicts/{conflict.pk}/remove/")
        self.assertFalse(Conflict.objects.filter(pk=conflict.pk).exists())
        self.assertTrue(AuditEvent.objects.filter(action="conflict.delete").exists())
        response = client.post(
            "/inspections/conflicts/new/",
            {"user": "", "expert": expert.pk, "enterprise": self.enterprise_a.name, "reason": "重新登记"},
        )
        self.assertRedirects(response, "/inspections/conflicts/")
        self.assertTrue(Conflict.objects.filter(expert=expert, reason="重新登记").exists())


class ExpertPoolReadersTests(CastTestCase):
    """The expert pool is for the departments that run inspections with experts: an enterprise or a grid worker
    neither sees it in the menu nor opens it."""

    def test_who_reads_the_pool(self):
        expert = expert_save(
            actor=self.alice, data={"name": "张化工", "phone": "13912345678", "specialties": ["hazchem"]}
        )
        for user in (self.alice, self.erin, self.dave):
            client = self.login(user)
            self.assertContains(client.get("/"), 'href="/inspections/experts/"', msg_prefix=user.username)
            self.assertEqual(client.get("/inspections/experts/").status_code, 200, user.username)
        for user in (self.emma, self.gina):
            client = self.login(user)
            self.assertNotContains(client.get("/"), 'href="/inspections/experts/"', msg_prefix=user.username)
            for url in ("/inspections/experts/", "/inspections/experts/export/"):
                self.assertEqual(client.get(url).status_code, 403, (user.username, url))
            self.assertEqual(client.get(f"/inspections/experts/{expert.pk}/").status_code, 404, user.username)
