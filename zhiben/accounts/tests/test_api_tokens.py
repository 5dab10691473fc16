"""Bearer tokens for the API: valid, revoked, expired, unknown; only the hash is stored."""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from zhiben.accounts.choices import Role
from zhiben.accounts.models import ApiToken, User
from zhiben.accounts.services import (
    api_token_create,
    api_token_revoke,
    role_request_decide,
    user_grant,
    user_reset_password,
    user_reset_totp,
    user_set_active,
)
from zhiben.audit.models import AuditEvent
from zhiben.core.exceptions import ApplicationError
from zhiben.testing import CastTestCase

API = "/api/v1/enterprises/"


class ApiTokenTests(CastTestCase):
    def get(self, path, key):
        return self.client.get(path, HTTP_AUTHORIZATION=f"Bearer {key}")

    def test_a_valid_token_works_and_is_scoped(self):
        token, key = api_token_create(actor=self.alice, name="集成测试")
        response = self.get(API, key)
        self.assertEqual(response.status_code, 200)
        names = {item["name"] for item in response.json()["items"]}
        self.assertEqual(names, {"凤凰化工有限公司", "凤凰建设有限公司"})
        token.refresh_from_db()
        self.assertIsNotNone(token.last_used_at)

    def test_it_hides_other_jurisdictions(self):
        _, key = api_token_create(actor=self.charlie, name="九龙坡集成")
        self.assertEqual(self.get(f"{API}{self.enterprise_a.pk}", key).status_code, 404)
        self.assertEqual(self.get(f"{API}{self.enterprise_b.pk}", key).status_code, 200)

    def test_revoked_expired_unknown_and_malformed_tokens_get_401(self):
        revoked, revoked_key = api_token_create(actor=self.alice, name="吊销")
        api_token_revoke(actor=self.alice, token=revoked)
        expired, expired_key = api_token_create(actor=self.alice, name="过期")
        ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
        for key in (revoked_key, expired_key, "zb_" + "x" * 43, "not-a-token", ""):
            self.assertEqual(self.get(API, key).status_code, 401, key)
        self.assertEqual(self.client.get(API).status_code, 401)

    def test_a_deactivated_users_token_stops_working(self):
        token, key = api_token_create(actor=self.dave, name="领导大屏")
        self.assertEqual(self.get(API, key).status_code, 200)
        user_set_active(actor=self.sam, user=self.dave, active=False)
        self.assertEqual(self.get(API, key).status_code, 401)
        token.refresh_from_db()
        self.assertIsNotNone(token.revoked_at)

    def live(self, user):
        return ApiToken.objects.filter(user=user, revoked_at__isnull=True).count()

    def test_a_password_reset_revokes_the_tokens(self):
        _, key = api_token_create(actor=self.dave, name="大屏")
        self.dave.phone = "13812345678"
        self.dave.save(update_fields=["phone", "phone_index"])
        user_reset_password(actor=self.sid, user=self.dave)
        self.assertEqual(self.get(API, key).status_code, 401)
        self.assertEqual(self.live(self.dave), 0)

    def test_a_totp_reset_revokes_the_tokens(self):
        _, key = api_token_create(actor=self.alice, name="对接")
        user_reset_totp(actor=self.sid, user=self.alice)
        self.assertEqual(self.get(API, key).status_code, 401)

    def test_a_role_change_revokes_the_tokens(self):
        _, key = api_token_create(actor=self.dave, name="大屏")
        _, request = user_grant(actor=self.sam, user=self.dave, role=Role.GRID, region=self.village_a1)
        self.assertEqual(self.get(API, key).status_code, 200)  # a request alone changes nothing
        role_request_decide(actor=self.alice, role_request=request, approve=True)
        self.assertEqual(self.get(API, key).status_code, 401)
        _, key = api_token_create(actor=self.gina, name="巡查")
        user_grant(actor=self.alice, user=self.gina, role=Role.EXPERT, region=self.county_a)
        self.assertEqual(self.get(API, key).status_code, 401)

    def test_a_lockout_revokes_the_tokens_and_a_locked_users_token_is_refused(self):
        _, key = api_token_create(actor=self.dave, name="大屏")
        for _ in range(settings.LOGIN_MAX_FAILURES):
            self.client.post("/accounts/login/", {"username": "dave", "password": "Wrong-pass-1"})
        self.assertEqual(self.get(API, key).status_code, 401)
        self.assertEqual(self.live(self.dave), 0)
        # a token of an account locked some other way is refused too
        _, key = api_token_create(actor=self.alice, name="对接")
        User.objects.filter(pk=self.alice.pk).update(locked_until=timezone.now() + timedelta(minutes=5))
        self.assertEqual(self.get(API, key).status_code, 401)
        User.objects.filter(pk=self.alice.pk).update(locked_until=None)
        self.assertEqual(self.get(API, key).status_code, 200)

    def test_an_inactive_users_live_token_is_refused(self):
        _, key = api_token_create(actor=self.dave, name="大屏")
        User.objects.filter(pk=self.dave.pk).update(is_active=False)  # not through the service: token still live
        self.assertEqual(self.get(API, key).status_code, 401)

    def test_a_token_lasts_a_year_at_most(self):
        token, _ = api_token_create(actor=self.alice, name="默认")
        self.assertLess(abs((token.expires_at - timezone.now() - timedelta(days=365)).total_seconds()), 60)
        for days in (366, 3650, 0):
            with self.assertRaises(ApplicationError):
                api_token_create(actor=self.alice, name="十年", days=days)
        # a ten-year token made before the limit stops after a year
        old, key = api_token_create(actor=self.alice, name="旧令牌")
        ApiToken.objects.filter(pk=old.pk).update(
            created_at=timezone.now() - timedelta(days=366), expires_at=timezone.now() + timedelta(days=3000)
        )
        self.assertEqual(self.get(API, key).status_code, 401)
        ApiToken.objects.filter(pk=old.pk).update(expires_at=None)
        self.assertEqual(self.get(API, key).status_code, 401)
        self.login(self.alice)
        self.assertIn(
            "days", self.client.post("/accounts/tokens/", {"name": "十年", "days": 3650}).context["form"].errors
        )

    def test_a_token_of_a_user_who_must_change_the_password_gets_403(self):
        _, key = api_token_create(actor=self.dave, name="大屏")
        User.objects.filter(pk=self.dave.pk).update(must_change_password=True)
        response = self.get(API, key)
        self.assertEqual(response.status_code, 403)
        self.assertIn("须先修改密码", response.json()["detail"])

    def test_only_the_hash_is_stored(self):
        token, key = api_token_create(actor=self.alice, name="摘要")
        self.assertTrue(key.startswith("zb_") and len(key) > 40)
        self.assertEqual(token.key_hash, hashlib.sha256(key.encode()).hexdigest())
        row = ApiToken.objects.filter(pk=token.pk).values().get()
        self.assertFalse(any(key == value or (isinstance(value, str) and key in value) for value in row.values()))
        self.assertEqual(row["prefix"], key[:10])
        event = AuditEvent.objects.get(action="api_token.create")
        self.assertNotIn(key, str(event.data))

    def test_the_token_page_shows_the_key_once(self):
        self.login(self.dave)
        response = self.client.post("/accounts/tokens/", {"name": "报表", "days": 30})
        key = response.context["new_key"]
        self.assertContains(response, key)
        self.assertNotContains(self.client.get("/accounts/tokens/"), key)
        token = ApiToken.objects.get(user=self.dave)
        self.assertEqual(token.key_hash, ApiToken.hash_key(key))
        self.assertLess(abs((token.expires_at - timezone.now() - timedelta(days=30)).total_seconds()), 60)

    def test_the_token_form_shows_errors_next_to_fields(self):
        self.login(self.dave)
        response = self.client.post("/accounts/tokens/", {"name": "", "days": 0})
        self.assertIn("name", response.context["form"].errors)
        self.assertIn("days", response.context["form"].errors)
        self.assertFalse(ApiToken.objects.exists())

    def test_a_user_revokes_only_their_own_tokens(self):
        token, key = api_token_create(actor=self.alice, name="自己的")
        self.login(self.charlie)
        self.assertEqual(self.client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code, 404)
        self.login(self.alice)
        self.assertRedirects(
            self.client.post(f"/accounts/tokens/{token.pk}/revoke/"), "/accounts/tokens/", fetch_redirect_response=False
        )
        token.refresh_from_db()
        self.assertIsNotNone(token.revoked_at)
        self.assertTrue(AuditEvent.objects.filter(action="api_token.revoke", actor=self.alice).exists())
