"""Issue 25: the header offered 接口令牌 (and through it the Swagger page /api/v1/docs) to every role; it belongs to
integrators and administrators (安委办管理员, 系统管理员). The tokens page itself stays reachable by its address."""

from zhiben.testing import CastTestCase

LINK = 'href="/accounts/tokens/">接口令牌</a>'


class ApiDocsMenuTests(CastTestCase):
    def test_only_administrators_see_the_api_entry_in_the_header(self):
        self.assertContains(self.login(self.alice).get("/"), LINK)
        for user in (self.emma, self.erin, self.gina):
            with self.subTest(user=user.username):
                self.assertNotContains(self.login(user).get("/"), LINK)
        self.assertEqual(self.login(self.emma).get("/accounts/tokens/").status_code, 200)
