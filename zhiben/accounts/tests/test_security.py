"""The 安全管理员's page: locked accounts, second factors, dormant accounts; unlock and resets.

A reset never shows the administrator a usable password: the owner gets a one-time link."""

import hashlib
from datetime import timedelta

from django.contrib.auth import password_validation
from django.utils import timezone

from zhiben.accounts import totp
from zhiben.accounts.models import ApiToken, PasswordLink, User
from zhiben.accounts.services import api_token_create, temporary_password, user_reset_password
from zhiben.audit.models import AuditEvent
from zhiben.core.exceptions import ApplicationError
from zhiben.notifications.models import Notification
from zhiben.testing import PASSWORD, CastTestCase

NEW = "Own-pass-2027"


def set_phone(user, phone):
    user.phone = phone
    user.save(update_fields=["phone", "phone_index"])


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

    def reset(self, user):
        set_phone(user, "13812345678")
        return self.login(self.sid).post(f"/accounts/users/{user.pk}/reset-password/", follow=True)

    def link_sent_to(self, phone):
        return Notification.objects.get(channel="sms", to_address=phone).url

    def test_a_reset_shows_no_password_and_sends_the_owner_a_one_time_link(self):
        self.lock(self.dave)
        api_token_create(actor=self.dave, name="报表")
        response = self.reset(self.dave)
        self.assertRedirects(response, f"/accounts/users/{self.dave.pk}/")
        self.assertIsNone(response.context.get("password"))
        self.assertContains(response, "138****5678")
        url = self.link_sent_to("13812345678")
        self.assertNotContains(response, url)
        self.assertTrue(Notification.objects.filter(channel="inbox", recipient=self.dave, url=url).exists())
        self.dave.refresh_from_db()
        self.assertFalse(self.dave.has_usable_password())  # the old password no longer works
        self.assertTrue(self.dave.must_change_password)
        self.assertFalse(self.dave.is_locked)
        self.assertFalse(ApiToken.objects.filter(user=self.dave, revoked_at__isnull=True).exists())
        event = AuditEvent.objects.get(action="user.password_reset")
        self.assertEqual(
            (event.actor_id, event.data["tokens_revoked"], event.data["sent_to"]), (self.sid.pk, 1, "138****5678")
        )
        key = url.rstrip("/").rsplit("/", 1)[1]
        self.assertNotIn(key, str(event.data))
        # only the key's hash is stored
        link = PasswordLink.objects.get(user=self.dave)
        self.assertEqual(link.key_hash, hashlib.sha256(key.encode()).hexdigest())
        self.assertFalse(PasswordLink.objects.filter(key_hash=key).exists())
        self.assertLess(abs((link.expires_at - timezone.now() - timedelta(hours=24)).total_seconds()), 60)

    def test_the_owner_sets_a_new_password_through_the_link_once(self):
        self.reset(self.dave)
        url = self.link_sent_to("13812345678")
        self.client.logout()
        self.assertContains(self.client.get(url), "设置密码")
        response = self.client.post(url, {"password": "abc", "password2": "abc"})
        self.assertIn("password", response.context["form"].errors)
        response = self.client.post(url, {"password": NEW, "password2": NEW})
        self.assertRedirects(response, "/accounts/login/", fetch_redirect_response=False)
        self.dave.refresh_from_db()
        self.assertTrue(self.dave.check_password(NEW))
        self.assertFalse(self.dave.must_change_password)
        self.assertTrue(AuditEvent.objects.filter(action="auth.password_set", actor=self.dave).exists())
        # single use
        self.assertEqual(self.client.get(url).status_code, 410)
        self.assertEqual(
            self.client.post(url, {"password": "Other-pass-2027", "password2": "Other-pass-2027"}).status_code, 410
        )
        self.dave.refresh_from_db()
        self.assertTrue(self.dave.check_password(NEW))
        self.client.post("/accounts/login/", {"username": "dave", "password": NEW})
        self.assertEqual(self.client.get("/").status_code, 200)

    def test_the_link_expires_and_a_new_reset_kills_the_old_link(self):
        self.reset(self.dave)
        first = self.link_sent_to("13812345678")
        Notification.objects.all().delete()
        self.reset(self.dave)
        second = self.link_sent_to("13812345678")
        self.client.logout()
        self.assertEqual(self.client.get(first).status_code, 410)
        self.assertEqual(self.client.get(second).status_code, 200)
        PasswordLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
        self.assertEqual(self.client.get(second).status_code, 410)
        self.assertContains(self.client.get("/accounts/password/set/not-a-key/"), "链接无效", status_code=410)

    def test_a_reset_needs_the_owners_phone(self):
        response = self.login(self.sid).post(f"/accounts/users/{self.dave.pk}/reset-password/", follow=True)
        self.assertContains(response, "未登记手机号")
        self.dave.refresh_from_db()
        self.assertTrue(self.dave.check_password(PASSWORD))
        with self.assertRaises(ApplicationError):
            user_reset_password(actor=self.sid, user=self.dave)
        self.assertFalse(PasswordLink.objects.exists())

    def test_reset_totp_revokes_tokens_and_tells_the_owner(self):
        self.bind(self.alice)
        set_phone(self.alice, "13812345670")
        api_token_create(actor=self.alice, name="对接")
        self.login(self.sid).post(f"/accounts/users/{self.alice.pk}/reset-totp/")
        self.assertFalse(ApiToken.objects.filter(user=self.alice, revoked_at__isnull=True).exists())
        self.assertEqual(AuditEvent.objects.get(action="user.totp_reset").data["tokens_revoked"], 1)
        self.assertTrue(Notification.objects.filter(channel="sms", to_address="13812345670").exists())
        self.assertTrue(Notification.objects.filter(channel="inbox", recipient=self.alice).exists())

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
        for path in ("unlock/", "reset-totp/", "reset-password/"):
            self.assertEqual(self.client.post(f"/accounts/users/{self.charlie.pk}/{path}").status_code, 404)
        self.charlie.refresh_from_db()
        self.assertTrue(self.charlie.is_locked)
        # and charlie (county B, no security rights) gets 403 on county A's accounts: the right comes first
        self.login(self.charlie)
        for path in ("unlock/", "reset-totp/", "reset-password/"):
            self.assertEqual(self.client.post(f"/accounts/users/{self.dave.pk}/{path}").status_code, 403)
