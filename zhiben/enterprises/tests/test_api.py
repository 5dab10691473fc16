from zhiben.accounts.services import api_token_create
from zhiben.audit.models import AuditEvent
from zhiben.enterprises.models import Enterprise
from zhiben.testing import CastTestCase

from .utils import code

URL = "/api/v1/enterprises/"


class EnterpriseApiTests(CastTestCase):
    def as_user(self, user):
        self.login(user)
        return self

    def post(self, data):
        return self.client.post(URL, data, content_type="application/json")

    def patch(self, enterprise, data):
        return self.client.patch(f"{URL}{enterprise.pk}", data, content_type="application/json")

    def payload(self, n=700, **extra):
        return {
            "credit_code": code(n),
            "name": f"接口企业{n}",
            "region": self.village_a1.code,
            "industry": "hazchem",
            **extra,
        }

    def test_it_lists_with_the_page_filters(self):
        self.login(self.alice)
        body = self.client.get(URL).json()
        self.assertEqual({e["name"] for e in body["items"]}, {"凤凰化工有限公司", "凤凰建设有限公司"})
        body = self.client.get(URL, {"industry": "construction"}).json()
        self.assertEqual([e["name"] for e in body["items"]], ["凤凰建设有限公司"])
        body = self.client.get(URL, {"sort": "-name"}).json()
        self.assertEqual([e["name"] for e in body["items"]], ["凤凰建设有限公司", "凤凰化工有限公司"])

    def test_detail_has_every_field(self):
        body = self.login(self.alice).get(f"{URL}{self.enterprise_a.pk}").json()
        self.assertEqual(
            (body["credit_code"], body["industry"], body["industry_name"], body["region_name"]),
            (self.enterprise_a.credit_code, "hazchem", "危险化学品", "凤凰村"),
        )
        self.assertIn("safety_manager_phone", body)

    def test_it_creates_through_the_service(self):
        response = self.as_user(self.alice).post(
            self.payload(scale="小型", employees=30, high_risk=True, longitude="106.35")
        )
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertEqual(
            (body["scale"], body["employees"], body["high_risk"], body["longitude"]), ("small", 30, True, "106.350000")
        )
        self.assertTrue(AuditEvent.objects.filter(action="enterprise.create", object_id=str(body["id"])).exists())

    def test_validation_errors_are_400_with_fields(self):
        response = self.as_user(self.alice).post(self.payload(credit_code="91512081MA62K0260F", principal_phone="x"))
        self.assertEqual(response.status_code, 400)
        self.assertEqual({e["field"] for e in response.json()["errors"]}, {"credit_code", "principal_phone"})
        self.assertEqual(self.post({"name": "缺字段"}).status_code, 400)
        self.assertFalse(Enterprise.objects.filter(name__startswith="接口企业").exists())

    def test_scope_and_role_are_enforced_on_create(self):
        response = self.as_user(self.charlie).post(self.payload())
        self.assertEqual(response.status_code, 400)
        self.assertEqual(
            response.json()["errors"], [{"field": "region", "message": "区划 500106105002 不在您的管辖范围内。"}]
        )
        self.assertEqual(self.as_user(self.erin).post(self.payload(industry="construction")).status_code, 400)
        self.assertEqual(self.as_user(self.emma).post(self.payload()).status_code, 403)
        self.assertEqual(self.as_user(self.dave).post(self.payload()).status_code, 403)
        self.assertFalse(Enterprise.objects.filter(name__startswith="接口企业").exists())

    def test_it_patches_only_the_given_fields(self):
        response = self.as_user(self.alice).patch(self.enterprise_a, {"principal": "王强", "status": "停产整顿"})
        self.assertEqual(response.status_code, 200, response.content)
        self.enterprise_a.refresh_from_db()
        self.assertEqual(
            (self.enterprise_a.principal, self.enterprise_a.status, self.enterprise_a.name),
            ("王强", "suspended", "凤凰化工有限公司"),
        )
        event = AuditEvent.objects.get(action="enterprise.update")
        self.assertEqual(set(event.data["changes"]), {"principal", "status"})

    def test_patch_refuses_out_of_scope_moves_and_duplicates(self):
        self.login(self.alice)
        self.assertEqual(self.patch(self.enterprise_a, {"region": self.village_b1.code}).status_code, 400)
        self.assertEqual(
            self.patch(self.enterprise_a, {"credit_code": self.enterprise_a_construction.credit_code}).status_code, 400
        )
        self.assertEqual(Enterprise.objects.get(pk=self.enterprise_a.pk).region_id, self.village_a1.code)

    def test_enterprise_user_patches_only_her_own(self):
        self.login(self.emma)
        self.assertEqual(self.patch(self.enterprise_a, {"safety_manager": "刘敏"}).status_code, 200)
        self.assertEqual(self.patch(self.enterprise_a_construction, {"safety_manager": "刘敏"}).status_code, 404)
        self.assertEqual(self.as_user(self.dave).patch(self.enterprise_a, {"name": "改名"}).status_code, 403)

    def test_it_hides_other_jurisdictions(self):
        self.login(self.charlie)
        self.assertEqual(self.client.get(f"{URL}{self.enterprise_a.pk}").status_code, 404)
        self.assertEqual(self.patch(self.enterprise_a, {"name": "改名"}).status_code, 404)
        self.assertNotIn(self.enterprise_a.pk, [e["id"] for e in self.client.get(URL).json()["items"]])
        self.assertEqual(Enterprise.objects.get(pk=self.enterprise_a.pk).name, "凤凰化工有限公司")

    def test_integrations_write_with_a_bearer_token(self):
        _, key = api_token_create(actor=self.alice, name="对接")
        response = self.client.post(
            URL, self.payload(701), content_type="application/json", headers={"Authorization": f"Bearer {key}"}
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(Enterprise.objects.get(credit_code=code(701)).created_by, self.alice)
