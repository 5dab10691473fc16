"""Bearer tokens for the API: valid, revoked, expired, unknown; only the hash is stored."""

import hashlib
from datetime import timedelta

from django.utils import timezone

from zhiben.accounts.models import ApiToken
from zhiben.accounts.services import api_token_create, api_token_revoke, user_set_active
from zhiben.audit.models import AuditEvent
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
