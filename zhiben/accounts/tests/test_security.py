"""The 安全管理员's page: locked accounts, second factors, dormant accounts; unlock and resets."""

from datetime import timedelta

from django.contrib.auth import password_validation
from django.utils import timezone

from zhiben.accounts import totp
from zhiben.accounts.models import User
from zhiben.accounts.services import temporary_password
from zhiben.audit.models import AuditEvent
from zhiben.testing import PASSWORD, CastTestCase

SECURITY = "/accounts/security/"


class SecurityPageTests(CastTestCase):
    def lock(self, user):
        User.objects.filter(pk=user.pk).update(locked_until=timezone.now() + timedelta(minutes=20), failed_logins=0)

    def bind(self, user):
        User.objects.filter(pk=user.pk).update(totp_secret=totp.new_secret(), totp_confirmed=True)

    def test_it_lists_locked_accounts_and_second_factors(self):
        self.lock(self.dave)
        self.bind(self.alice)
        response = self.login(self.sid).get(SECURITY)
        overview = response.context["overview"]
        self.assertEqual([u.username for u in overview["locked"]], ["dave"])
        self.assertEqual([u.username for u in overview["totp_bound"]], ["alice"])
        self.assertEqual({u.username for u in overview["totp_missing"]}, {"sam", "sid", "aud"})
        self.assertContains(response, "重置动态口令")

    def test_it_lists_dormant_accounts(self):
        User.objects.filter(pk=self.gina.pk).update(last_login=timezone.now() - timedelta(days=120))
        User.objects.filter(pk=self.dave.pk).update(last_login=timezone.now() - timedelta(days=3))
        overview = self.login(self.sid).get(SECURITY).context["overview"]
        self.assertIn("gina", [u.username for u in overview["dormant"]])
        self.assertNotIn("dave", [u.username for u in overview["dormant"]])

    def test_unlock_from_the_page_returns_to_it(self):
        self.lock(self.dave)
        response = self.login(self.sid).post(f"/accounts/users/{self.dave.pk}/unlock/", {"next": SECURITY})
        self.assertRedirects(response, SECURITY, fetch_redirect_response=False)
        self.dave.refresh_from_db()
        self.assertFalse(self.dave.is_locked)
        event = AuditEvent.objects.get(action="user.unlock")
        self.assertEqual((event.actor_id, event.object_id), (self.sid.pk, str(self.dave.pk)))
        self.assertEqual(
            self.client.post(f"/accounts/users/{self.dave.pk}/unlock/", {"next": "https://evil.example/"})["Location"],
            f"/accounts/users/{self.dave.pk}/",
        )

    def test_reset_totp_makes_the_user_bind_again(self):
        self.bind(self.alice)
        response = self.login(self.sid).post(f"/accounts/users/{self.alice.pk}/reset-totp/")
        self.assertRedirects(response, f"/accounts/users/{self.alice.pk}/", fetch_redirect_response=False)
        self.alice.refresh_from_db()
        self.assertEqual((self.alice.totp_secret, self.alice.totp_confirmed), ("", False))
        self.assertTrue(AuditEvent.objects.filter(action="user.totp_reset", actor=self.sid).exists())
        self.client.logout()
        self.client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
        self.assertContains(self.client.get("/accounts/login/totp/"), "密钥")

    def test_reset_password_shows_a_temporary_password_once(self):
        self.lock(self.dave)
        response = self.login(self.sid).post(f"/accounts/users/{self.dave.pk}/reset-password/")
        password = response.context["password"]
        self.assertContains(response, password)
        self.dave.refresh_from_db()
        self.assertTrue(self.dave.check_password(password))
        self.assertTrue(self.dave.must_change_password)
        self.assertFalse(self.dave.is_locked)
        event = AuditEvent.objects.get(action="user.password_reset")
        self.assertNotIn(password, str(event.data))
        self.client.logout()
        self.client.post("/accounts/login/", {"username": "dave", "password": password})
        self.assertRedirects(self.client.get("/"), "/accounts/password/", fetch_redirect_response=False)

    def test_temporary_passwords_meet_the_policy(self):
        for _ in range(50):
            password_validation.validate_password(temporary_password(), self.dave)

    def test_the_security_admin_cannot_act_on_their_own_account(self):
        self.bind(self.sid)
        self.login(self.sid)
        self.assertEqual(self.client.post(f"/accounts/users/{self.sid.pk}/reset-totp/").status_code, 403)
        self.assertEqual(self.client.post(f"/accounts/users/{self.sid.pk}/reset-password/").status_code, 403)
        self.sid.refresh_from_db()
        self.assertTrue(self.sid.totp_confirmed)

    def test_the_user_page_offers_the_security_actions(self):
        self.lock(self.dave)
        response = self.login(self.sid).get(f"/accounts/users/{self.dave.pk}/")
        self.assertContains(response, "解锁")
        self.assertContains(response, "重置密码")
        self.assertNotContains(response, "停用账号")

    def test_only_the_security_admin_opens_the_page(self):
        for user in (self.sam, self.aud, self.alice, self.dave):
            self.assertEqual(self.login(user).get(SECURITY).status_code, 403, user.username)
        self.assertEqual(self.login(self.sam).post(f"/accounts/users/{self.dave.pk}/reset-totp/").status_code, 403)

    def test_it_hides_other_jurisdictions(self):
        self.lock(self.charlie)
        overview = self.login(self.sid).get(SECURITY).context["overview"]
        self.assertEqual(overview["locked"], [])
        self.assertEqual(self.client.post(f"/accounts/users/{self.charlie.pk}/unlock/").status_code, 404)
        self.charlie.refresh_from_db()
        self.assertTrue(self.charlie.is_locked)
        # and charlie (county B) gets 404 on county A's accounts
        self.login(self.charlie)
        for path in ("unlock/", "reset-totp/", "reset-password/"):
            self.assertEqual(self.client.post(f"/accounts/users/{self.dave.pk}/{path}").status_code, 404)
