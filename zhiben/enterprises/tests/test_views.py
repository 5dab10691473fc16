from zhiben.testing import CastTestCase


class EnterpriseScopeViewTests(CastTestCase):
    def test_it_lists_own_jurisdiction(self):
        response = self.login(self.alice).get("/enterprises/")
        self.assertContains(response, "凤凰化工有限公司")
        self.assertNotContains(response, "西彭化工有限公司")

    def test_it_hides_other_jurisdictions(self):
        self.login(self.charlie)
        self.assertEqual(self.client.get(f"/enterprises/{self.enterprise_a.pk}/").status_code, 404)
        self.assertEqual(self.client.get(f"/api/v1/enterprises/{self.enterprise_a.pk}").status_code, 404)
        self.assertEqual(self.client.get(f"/enterprises/{self.enterprise_b.pk}/").status_code, 200)

    def test_audit_admin_cannot_read_enterprises(self):
        self.assertEqual(self.login(self.aud).get("/enterprises/").status_code, 403)

    def test_anonymous_is_sent_to_login(self):
        response = self.client.get("/enterprises/")
        self.assertEqual(response.status_code, 302)
        self.assertIn("/accounts/login/", response["Location"])
        self.assertEqual(self.client.get("/api/v1/enterprises/").status_code, 401)
