"""等保 访问控制 on the enterprise registry: what the regulator registers is changed by the supervising
regulator only, and the change history is shown to the supervising side only."""

from zhiben.accounts.choices import Role
from zhiben.audit.models import AuditEvent
from zhiben.core.exceptions import ApplicationError
from zhiben.enterprises import selectors
from zhiben.enterprises.models import Enterprise
from zhiben.enterprises.services import REGULATOR_FIELDS, enterprise_update, may_register
from zhiben.regions.models import Industry, Unit
from zhiben.testing import CastTestCase, make_user

REGISTERED = {"status": "停产整顿", "industry": "machinery", "high_risk": True, "standard_grade": "二级"}


class RegulatorFieldTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        # a department of the other town that also supervises hazchem: it sees county A's hazchem
        # enterprises through its officer's jurisdiction, but does not supervise village A1a's
        unit = Unit.objects.create(name="青木关镇应急办", kind="department", region=cls.town_a2)
        unit.industries.set(Industry.objects.filter(code="hazchem"))
        cls.rita = make_user("rita", Role.REGULATOR, cls.county_a, unit=unit)

    def refused(self, actor, data):
        before = list(Enterprise.objects.filter(pk=self.enterprise_a.pk).values())
        with self.assertRaises(ApplicationError) as caught:
            enterprise_update(actor=actor, enterprise=self.enterprise_a, data=data)
        self.assertEqual(before, list(Enterprise.objects.filter(pk=self.enterprise_a.pk).values()))
        return caught.exception

    def test_a_grid_worker_cannot_change_what_the_regulator_registers(self):
        for field, value in REGISTERED.items():
            with self.subTest(field=field):
                exc = self.refused(self.gina, {field: value})
                self.assertEqual([e["field"] for e in exc.errors], [field])
                self.assertIn("只有监管该行业的部门或本辖区安委办管理员可以修改", exc.errors[0]["message"])
        enterprise_update(
            actor=self.gina, enterprise=self.enterprise_a, data={"address": "凤凰村1号", "high_risk": False}
        )
        self.assertEqual(Enterprise.objects.get(pk=self.enterprise_a.pk).address, "凤凰村1号")

    def test_a_department_not_supervising_it_cannot_either(self):
        self.assertFalse(may_register(self.rita, self.enterprise_a))
        exc = self.refused(self.rita, {"high_risk": True})
        self.assertEqual([e["field"] for e in exc.errors], ["high_risk"])

    def test_the_enterprise_itself_cannot(self):
        exc = self.refused(self.emma, {"status": "停产整顿"})
        self.assertIn("企业用户不能修改", exc.errors[0]["message"])

    def test_the_supervising_department_and_the_committee_may(self):
        for actor, data in (
            (self.erin, {"high_risk": True, "standard_grade": "二级"}),
            (self.alice, {"status": "停产整顿"}),
            (self.bob, {"directly_supervised": True}),
        ):
            with self.subTest(actor=actor.username):
                self.assertTrue(may_register(actor, self.enterprise_a))
                enterprise_update(actor=actor, enterprise=self.enterprise_a, data=data)
        enterprise = Enterprise.objects.get(pk=self.enterprise_a.pk)
        self.assertEqual(
            (enterprise.high_risk, enterprise.standard_grade, enterprise.status, enterprise.directly_supervised),
            (True, "2", "suspended", True),
        )

    def test_the_form_keeps_the_fields_read_only_and_the_api_refuses(self):
        self.login(self.gina)
        form = self.client.get(f"/enterprises/{self.enterprise_a.pk}/edit/").context["form"]
        self.assertTrue(all(form.fields[f].disabled for f in REGULATOR_FIELDS))
        self.assertFalse(form.fields["address"].disabled)
        data = {
            **{k: v for k, v in form.initial.items() if v is not None},
            "high_risk": "on",
            "status": "suspended",
            "address": "凤凰村2号",
        }
        data = {k: v for k, v in data.items() if v is not False}
        response = self.client.post(f"/enterprises/{self.enterprise_a.pk}/edit/", data)
        self.assertRedirects(response, f"/enterprises/{self.enterprise_a.pk}/")
        enterprise = Enterprise.objects.get(pk=self.enterprise_a.pk)
        self.assertEqual(
            (enterprise.address, enterprise.high_risk, enterprise.status), ("凤凰村2号", False, "operating")
        )
        response = self.client.patch(
            f"/api/v1/enterprises/{self.enterprise_a.pk}", {"high_risk": True}, content_type="application/json"
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Enterprise.objects.get(pk=self.enterprise_a.pk).high_risk)
        form = self.login(self.erin).get(f"/enterprises/{self.enterprise_a.pk}/edit/").context["form"]
        self.assertFalse(any(form.fields[f].disabled for f in REGULATOR_FIELDS))


class HistoryTests(CastTestCase):
    def setUp(self):
        enterprise_update(actor=self.alice, enterprise=self.enterprise_a, data={"principal": "王强"})
        self.url = f"/enterprises/{self.enterprise_a.pk}/"

    def test_enterprise_users_and_grid_workers_do_not_see_the_change_history(self):
        for user in (self.emma, self.gina):
            with self.subTest(user=user.username):
                response = self.login(user).get(self.url)
                self.assertEqual(response.status_code, 200)
                self.assertNotContains(response, "变更记录")
                self.assertNotContains(response, "主要负责人：（空） → 王强")
                self.assertNotContains(response, ">alice<")
                self.assertEqual(list(selectors.enterprise_history(user=user, enterprise=self.enterprise_a)), [])

    def test_regulators_see_it(self):
        for user in (self.alice, self.erin, self.dave):
            with self.subTest(user=user.username):
                response = self.login(user).get(self.url)
                self.assertContains(response, "变更记录")
                self.assertContains(response, "主要负责人：（空） → 王强")
        self.assertEqual(
            list(selectors.enterprise_history(user=self.alice, enterprise=self.enterprise_a)),
            list(AuditEvent.objects.filter(action="enterprise.update")),
        )
