"""The login flow through the pages: failures, lockout, password rules, idle timeout, TOTP, audit."""

import time
from datetime import timedelta
from unittest import mock

from django.conf import settings
from django.contrib.auth.hashers import get_hasher
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from zhiben.accounts import totp
from zhiben.accounts.passwords import ComplexityValidator
from zhiben.accounts.services import bad_credentials_message
from zhiben.accounts.views import PENDING_AT, PENDING_SECONDS
from zhiben.audit.models import AuditEvent
from zhiben.testing import PASSWORD, CastTestCase

LOGIN = "/accounts/login/"
TOTP = "/accounts/login/totp/"


def wrong_code(secret):
    """A six-digit code that is valid at no step near now."""
    step = totp.current_step()
    valid = {totp.code_at(secret, s) for s in range(step - 3, step + 4)}
    return next(c for c in ("000000", "111111", "123456", "654321", "999999") if c not in valid)


class LoginCase(CastTestCase):
    def post_login(self, username, password=PASSWORD, **extra):
        return self.client.post(LOGIN, {"username": username, "password": password, **extra})

    def logged_in_as(self):
        return self.client.session.get("_auth_user_id")

    def events(self, action, user=None):
        qs = AuditEvent.objects.filter(action=action)
        return qs.filter(actor=user) if user is not None else qs


class PasswordLoginTests(LoginCase):
    def test_it_logs_in_a_role_without_totp_with_the_password_only(self):
        for user in (self.dave, self.erin, self.gina, self.emma):
            self.client.logout()
            response = self.post_login(user.username)
            self.assertRedirects(response, "/", fetch_redirect_response=False)
            self.assertEqual(self.logged_in_as(), str(user.pk))
        event = self.events("auth.login", self.dave).get()
        self.assertEqual(event.data, {"method": "password"})
        self.assertEqual(event.region_code, self.county_a.code)

    def test_it_honours_a_safe_next_url_only(self):
        response = self.client.post(
            f"{LOGIN}?next=/regions/", {"username": "dave", "password": PASSWORD, "next": "/regions/"}
        )
        self.assertRedirects(response, "/regions/", fetch_redirect_response=False)
        self.client.logout()
        response = self.post_login("dave", next="https://evil.example/")
        self.assertRedirects(response, "/", fetch_redirect_response=False)

    def test_wrong_password_is_refused_counted_and_audited(self):
        response = self.post_login("erin", "Wrong-pass-1")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, bad_credentials_message())
        self.assertIsNone(self.logged_in_as())
        self.erin.refresh_from_db()
        self.assertEqual(self.erin.failed_logins, 1)
        event = self.events("auth.login_failed", self.erin).get()
        self.assertFalse(event.success)
        self.assertEqual(event.data["failures"], 1)

    def test_unknown_user_gets_the_same_message_and_a_system_event(self):
        response = self.post_login("nobody", "Wrong-pass-1")
        known = self.post_login("erin", "Wrong-pass-1")
        self.assertEqual(response.context["form"].non_field_errors(), known.context["form"].non_field_errors())
        self.assertContains(response, bad_credentials_message())
        event = self.events("auth.login_failed").filter(actor=None).get()
        self.assertEqual((event.actor_id, event.object_repr, event.region_code), (None, "nobody", ""))

    def test_unknown_user_costs_a_password_hash_like_a_wrong_password(self):
        hasher = type(get_hasher())

        def hashes(username):
            with mock.patch.object(hasher, "encode", autospec=True, side_effect=hasher.encode) as encode:
                self.post_login(username, "Wrong-pass-1")
            return encode.call_count

        wrong_password = hashes("erin")
        self.assertGreaterEqual(wrong_password, 1)
        self.assertEqual(hashes("nobody"), wrong_password)

    def test_a_successful_login_resets_the_counter(self):
        self.post_login("erin", "Wrong-pass-1")
        self.post_login("erin", "Wrong-pass-2")
        self.post_login("erin")
        self.erin.refresh_from_db()
        self.assertEqual(self.erin.failed_logins, 0)

    def test_it_locks_the_account_after_the_maximum_failures(self):
        limit = settings.LOGIN_MAX_FAILURES
        for _ in range(limit - 1):
            self.post_login("dave", "Wrong-pass-1")
        response = self.post_login("dave", "Wrong-pass-1")
        self.assertContains(response, f"连续 {limit} 次登录失败，账号已锁定 {settings.LOGIN_LOCKOUT_MINUTES} 分钟")
        self.dave.refresh_from_db()
        self.assertTrue(self.dave.is_locked)
        expected = timezone.now() + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
        self.assertLess(abs((self.dave.locked_until - expected).total_seconds()), 60)
        self.assertEqual(self.events("auth.login_failed", self.dave).count(), limit)

        # the right password is refused while locked, without a hint that it was right
        response = self.post_login("dave")
        self.assertContains(response, "账号因连续登录失败已被锁定")
        self.assertIsNone(self.logged_in_as())
        self.assertTrue(self.events("auth.login_refused_locked", self.dave).exists())

    def test_the_lock_ends_by_itself(self):
        self.dave.locked_until = timezone.now() - timedelta(seconds=1)
        self.dave.save()
        self.assertRedirects(self.post_login("dave"), "/", fetch_redirect_response=False)

    def test_the_security_admin_unlocks_and_the_user_logs_in(self):
        for _ in range(settings.LOGIN_MAX_FAILURES):
            self.post_login("dave", "Wrong-pass-1")
        self.client.force_login(self.sid)
        response = self.client.post(f"/accounts/users/{self.dave.pk}/unlock/")
        self.assertEqual(response.status_code, 302)
        self.dave.refresh_from_db()
        self.assertFalse(self.dave.is_locked)
        self.assertEqual(self.events("user.unlock", self.sid).get().object_id, str(self.dave.pk))
        self.client.logout()
        self.assertRedirects(self.post_login("dave"), "/", fetch_redirect_response=False)

    def test_logout_is_audited(self):
        self.post_login("dave")
        response = self.client.post("/accounts/logout/")
        self.assertRedirects(response, LOGIN, fetch_redirect_response=False)
        self.assertIsNone(self.logged_in_as())
        self.assertTrue(self.events("auth.logout", self.dave).exists())

    def test_logout_needs_post(self):
        self.post_login("dave")
        self.assertEqual(self.client.get("/accounts/logout/").status_code, 405)
        self.assertEqual(self.logged_in_as(), str(self.dave.pk))


class PasswordPolicyTests(LoginCase):
    def test_complexity_needs_three_character_classes(self):
        validator = ComplexityValidator(min_classes=3)
        for weak in ("abcdefgh", "abcd1234", "ABCD!@#$"):
            with self.assertRaises(ValidationError):
                validator.validate(weak)
        for strong in ("Abcdefg1", "abcd-1234", "ABCD!x#$"):
            validator.validate(strong)

    def test_password_page_shows_rule_errors_next_to_the_field(self):
        self.client.force_login(self.dave)
        response = self.client.post(
            "/accounts/password/", {"old_password": PASSWORD, "new_password": "abcdefgh1", "new_password2": "abcdefgh1"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn(
            "密码须至少包含小写字母、大写字母、数字、特殊字符中的3类。", response.context["form"].errors["new_password"]
        )
        self.assertContains(response, 'class="fielderror"')
        response = self.client.post(
            "/accounts/password/",
            {"old_password": "Wrong-pass-1", "new_password": "Good-pass-2027", "new_password2": "Good-pass-2027"},
        )
        self.assertIn("原密码错误。", response.context["form"].errors["old_password"])
        response = self.client.post(
            "/accounts/password/",
            {"old_password": PASSWORD, "new_password": "Good-pass-2027", "new_password2": "Other-pass-2027"},
        )
        self.assertIn("两次输入的新密码不一致。", response.context["form"].errors["new_password2"])
        self.dave.refresh_from_db()
        self.assertTrue(self.dave.check_password(PASSWORD))

    def test_an_expired_password_sends_the_user_to_the_password_page(self):
        self.dave.password_changed_at = timezone.now() - timedelta(days=settings.PASSWORD_MAX_AGE_DAYS + 1)
        self.dave.save()
        self.post_login("dave")
        response = self.client.get("/enterprises/")
        self.assertRedirects(response, "/accounts/password/", fetch_redirect_response=False)
        self.assertContains(self.client.get("/accounts/password/"), "您的密码已过期")

    def test_a_password_just_inside_the_limit_is_fine(self):
        self.dave.password_changed_at = timezone.now() - timedelta(days=settings.PASSWORD_MAX_AGE_DAYS - 1)
        self.dave.save()
        self.post_login("dave")
        self.assertEqual(self.client.get("/enterprises/").status_code, 200)

    def test_a_forced_change_is_required_until_done(self):
        self.dave.must_change_password = True
        self.dave.save()
        self.post_login("dave")
        self.assertRedirects(self.client.get("/"), "/accounts/password/", fetch_redirect_response=False)
        response = self.client.post(
            "/accounts/password/",
            {"old_password": PASSWORD, "new_password": "Good-pass-2027", "new_password2": "Good-pass-2027"},
        )
        self.assertRedirects(response, "/", fetch_redirect_response=False)
        self.assertEqual(self.client.get("/").status_code, 200)
        self.dave.refresh_from_db()
        self.assertFalse(self.dave.must_change_password)
        self.assertTrue(self.dave.check_password("Good-pass-2027"))
        self.assertTrue(self.events("auth.password_changed", self.dave).exists())

    def test_the_api_refuses_a_session_that_must_change_its_password(self):
        self.dave.must_change_password = True
        self.dave.save()
        self.client.force_login(self.dave)
        response = self.client.get("/api/v1/enterprises/")
        self.assertEqual(response.status_code, 403)
        self.assertEqual(response.json()["code"], "password_change_required")
        self.assertIn("须先修改密码", response.json()["detail"])
        self.client.post(
            "/accounts/password/",
            {"old_password": PASSWORD, "new_password": "Good-pass-2027", "new_password2": "Good-pass-2027"},
        )
        self.assertEqual(self.client.get("/api/v1/enterprises/").status_code, 200)

    def test_the_new_password_must_differ_from_the_old(self):
        self.client.force_login(self.dave)
        response = self.client.post(
            "/accounts/password/", {"old_password": PASSWORD, "new_password": PASSWORD, "new_password2": PASSWORD}
        )
        self.assertIn("新密码不能与原密码相同。", response.context["form"].errors["new_password"])


class IdleTimeoutTests(LoginCase):
    def test_an_idle_session_is_logged_out_and_audited(self):
        self.post_login("dave")
        self.assertEqual(self.client.get("/").status_code, 200)
        session = self.client.session
        session["last_seen"] = int(time.time()) - settings.SESSION_IDLE_TIMEOUT - 5
        session.save()
        response = self.client.get("/enterprises/")
        self.assertRedirects(response, f"{LOGIN}?next=/enterprises/", fetch_redirect_response=False)
        self.assertIsNone(self.logged_in_as())
        self.assertTrue(self.events("auth.logout", self.dave).exists())
        self.assertContains(self.client.get(LOGIN), "长时间未操作，已自动退出")

    def test_an_active_session_stays(self):
        self.post_login("dave")
        session = self.client.session
        session["last_seen"] = int(time.time()) - settings.SESSION_IDLE_TIMEOUT + 60
        session.save()
        self.assertEqual(self.client.get("/enterprises/").status_code, 200)


class TotpTests(LoginCase):
    def secret_of(self, user):
        user.refresh_from_db()
        return user.totp_secret

    def code(self, user):
        return totp.code_at(self.secret_of(user), totp.current_step())

    def test_privileged_roles_need_the_second_factor(self):
        for user in (self.alice, self.sam, self.sid, self.aud):
            self.client.logout()
            response = self.post_login(user.username)
            self.assertRedirects(response, TOTP, fetch_redirect_response=False)
            self.assertIsNone(self.logged_in_as())
            self.assertRedirects(self.client.get("/"), "/accounts/login/?next=/", fetch_redirect_response=False)

    def test_first_login_binds_the_authenticator(self):
        self.post_login("alice")
        response = self.client.get(TOTP)
        secret = self.secret_of(self.alice)
        self.assertTrue(secret)
        self.assertContains(response, secret)
        self.assertContains(response, "otpauth://totp/")
        # issue 25: a QR code of the link for the authenticator's camera, drawn in the page
        import segno

        self.assertContains(response, "<svg")
        self.assertIn(
            segno.make(response.context["uri"], error="m").svg_inline(scale=5, border=2, title="动态口令绑定二维码"),
            response.content.decode(),
        )
        response = self.client.post(TOTP, {"code": totp.code_at(secret, totp.current_step())})
        self.assertRedirects(response, "/", fetch_redirect_response=False)
        self.assertEqual(self.logged_in_as(), str(self.alice.pk))
        self.alice.refresh_from_db()
        self.assertTrue(self.alice.totp_confirmed)
        self.assertTrue(self.events("auth.totp_bound", self.alice).exists())
        self.assertEqual(self.events("auth.login", self.alice).get().data, {"method": "password+totp"})

    def test_a_wrong_code_is_refused_next_to_the_field(self):
        self.post_login("alice")
        self.client.get(TOTP)
        response = self.client.post(TOTP, {"code": wrong_code(self.secret_of(self.alice))})
        self.assertEqual(response.status_code, 200)
        self.assertIn(
            "动态口令错误或已使用，请输入认证器上当前显示的6位数字。", response.context["form"].errors["code"]
        )
        self.assertIsNone(self.logged_in_as())
        self.alice.refresh_from_db()
        self.assertFalse(self.alice.totp_confirmed)
        self.assertEqual(self.alice.failed_logins, 1)
        self.assertTrue(self.events("auth.totp_failed", self.alice).exists())

    def test_a_replayed_code_is_refused(self):
        self.post_login("alice")
        self.client.get(TOTP)
        code = self.code(self.alice)
        self.client.post(TOTP, {"code": code})
        self.client.post("/accounts/logout/")
        self.post_login("alice")
        response = self.client.get(TOTP)
        self.assertNotContains(response, self.secret_of(self.alice))  # bound: the secret is never shown again
        response = self.client.post(TOTP, {"code": code})
        self.assertIn(
            "动态口令错误或已使用，请输入认证器上当前显示的6位数字。", response.context["form"].errors["code"]
        )
        self.assertIsNone(self.logged_in_as())
        # digits str.isdigit() takes and hmac.compare_digest refuses (not ASCII) were a 500
        for code in ("²²²²²²", "١٢٣٤٥٦"):
            self.assertIsNone(totp.verify(self.alice.totp_secret, code))
            self.assertEqual(self.client.post(TOTP, {"code": code}).status_code, 200)
        self.assertIsNone(self.logged_in_as())
        # the next time step's code is accepted
        self.alice.refresh_from_db()
        response = self.client.post(TOTP, {"code": totp.code_at(self.alice.totp_secret, self.alice.totp_last_step + 1)})
        self.assertRedirects(response, "/", fetch_redirect_response=False)

    def test_guessing_codes_locks_the_account(self):
        self.post_login("sam")
        self.client.get(TOTP)
        bad = wrong_code(self.secret_of(self.sam))
        for _ in range(settings.LOGIN_MAX_FAILURES - 1):
            self.client.post(TOTP, {"code": bad})
        response = self.client.post(TOTP, {"code": bad})
        self.assertRedirects(response, LOGIN, fetch_redirect_response=False)
        self.sam.refresh_from_db()
        self.assertTrue(self.sam.is_locked)
        self.assertRedirects(self.client.get(TOTP), LOGIN, fetch_redirect_response=False)
        self.assertContains(self.post_login("sam"), "账号因连续登录失败已被锁定")

    def test_the_second_step_expires(self):
        self.post_login("aud")
        session = self.client.session
        session[PENDING_AT] = int(time.time()) - PENDING_SECONDS - 1
        session.save()
        response = self.client.post(TOTP, {"code": "123456"})
        self.assertRedirects(response, LOGIN, fetch_redirect_response=False)
        self.assertIsNone(self.logged_in_as())

    def test_the_totp_page_without_a_password_step_goes_to_login(self):
        self.assertRedirects(self.client.get(TOTP), LOGIN, fetch_redirect_response=False)


class SignedInUserReadTests(LoginCase):
    def test_each_request_reads_the_user_with_the_region_its_header_names(self):
        self.client.force_login(self.alice)
        self.client.get("/")  # the first request after signing in also saves the session
        with CaptureQueriesContext(connection) as ctx:
            response = self.client.get(reverse("accounts:password_change"))
        self.assertContains(response, "沙坪坝区")  # the header: name · role · region
        user_reads = [q["sql"] for q in ctx.captured_queries if 'FROM "accounts_user"' in q["sql"]]
        self.assertEqual(len(user_reads), 1)
        self.assertIn('"regions_region"', user_reads[0])
        self.assertFalse([q for q in ctx.captured_queries if q["sql"].startswith('SELECT "regions_region"')])

    def test_a_deactivated_user_is_signed_out_on_the_next_request(self):
        self.client.force_login(self.gina)
        self.assertEqual(self.client.get(reverse("accounts:password_change")).status_code, 200)
        type(self.gina).objects.filter(pk=self.gina.pk).update(is_active=False)
        response = self.client.get(reverse("accounts:password_change"))
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("accounts:login"), response["Location"])
