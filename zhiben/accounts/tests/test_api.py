"""The account endpoints (/api/v1/users/): the same 三员分立 rules as the pages, the capability checked
before any lookup (403 for every id without the right), masked phones, exact phone search."""

import json

from zhiben.accounts.choices import RequestStatus, Role
from zhiben.accounts.models import PasswordLink, RoleRequest, User
from zhiben.accounts.services import api_token_create
from zhiben.testing import CastTestCase

API = "/api/v1/users/"


def set_phone(user, phone):
    user.phone = phone
    user.save(update_fields=["phone", "phone_index"])


class AccountApiTests(CastTestCase):
    def call(self, user, method, path, data=None):
        _, key = api_token_create(actor=user, name="测试")
        kwargs = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
        if data is not None:
            kwargs.update(data=json.dumps(data), content_type="application/json")
        return getattr(self.client, method)(path, **kwargs)

    def test_the_list_is_scoped_and_phones_are_masked(self):
        set_phone(self.dave, "13812345678")
        response = self.call(self.sam, "get", API)
        self.assertEqual(response.status_code, 200)
        items = {item["username"]: item for item in response.json()["items"]}
        self.assertNotIn("charlie", items)
        self.assertEqual(items["dave"]["phone"], "138****5678")
        self.assertNotIn("13812345678", response.content.decode())

    def test_phone_search_matches_whole_numbers_only(self):
        set_phone(self.dave, "13812345678")
        found = self.call(self.sam, "get", f"{API}?phone=138-1234-5678").json()["items"]
        self.assertEqual([u["username"] for u in found], ["dave"])
        for partial in ("1381234567", "5678", "138"):
            self.assertEqual(self.call(self.sam, "get", f"{API}?phone={partial}").json()["items"], [], partial)
            self.assertEqual(self.call(self.sam, "get", f"{API}?q={partial}").json()["items"], [], partial)

    def test_the_capability_comes_before_the_lookup(self):
        missing = User.objects.order_by("-pk").first().pk + 100
        checks = [
            (self.aud, "get", "{pk}", None),
            (self.charlie, "patch", "{pk}", {"name": "x"}),
            (self.charlie, "post", "{pk}/active", {"active": False}),
            (self.alice, "post", "{pk}/unlock", None),
            (self.sam, "post", "{pk}/reset-password", None),
            (self.sam, "post", "{pk}/reset-totp", None),
            (self.sid, "post", "{pk}/grant", {"role": Role.GRID}),
            (self.dave, "post", "role-requests/{pk}/approve", {}),
            (self.sid, "post", "role-requests/{pk}/withdraw", None),
        ]
        for user, method, path, data in checks:
            for pk in (self.dave.pk, self.charlie.pk, missing):
                response = self.call(user, method, API + path.format(pk=pk), data)
                self.assertEqual(response.status_code, 403, (user.username, path, pk))
        # with the right, outside the jurisdiction is 404
        self.assertEqual(self.call(self.sam, "get", f"{API}{self.charlie.pk}").status_code, 404)
        self.assertEqual(self.call(self.sam, "get", f"{API}{missing}").status_code, 404)

    def test_creating_through_the_api_gives_no_role_and_no_password(self):
        response = self.call(
            self.sam,
            "post",
            API,
            {"username": "newbie", "phone": "13900000000", "region": "500106", "role": Role.COMMITTEE_ADMIN},
        )
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertEqual((body["granted"], body["user"]["role"]), (False, ""))
        self.assertEqual((body["request"]["role"], body["request"]["status"]), (Role.COMMITTEE_ADMIN, "pending"))
        self.assertNotIn("password", json.dumps(body))
        user = User.objects.get(username="newbie")
        self.assertFalse(user.has_usable_password())
        self.assertTrue(PasswordLink.objects.filter(user=user).exists())
        response = self.call(self.sam, "post", API, {"username": "x", "phone": "13900000001", "region": "500107"})
        self.assertEqual(response.status_code, 400)
        self.assertIn("不在您的管辖范围内", response.json()["detail"])

    def test_grants_and_approvals_through_the_api(self):
        response = self.call(
            self.sam, "post", f"{API}{self.dave.pk}/grant", {"role": Role.GRID, "region": "500106105002"}
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertFalse(response.json()["granted"])
        pk = response.json()["request"]["id"]
        self.assertEqual(self.call(self.sam, "post", f"{API}role-requests/{pk}/approve", {}).status_code, 403)
        listed = self.call(self.alice, "get", f"{API}role-requests").json()
        self.assertEqual([r["id"] for r in listed], [pk])
        response = self.call(self.alice, "post", f"{API}role-requests/{pk}/approve", {"note": "同意"})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["status"], RequestStatus.APPROVED)
        self.dave.refresh_from_db()
        self.assertEqual(self.dave.role, Role.GRID)
        # the 安委办 grants at once, business roles only
        response = self.call(
            self.alice, "post", f"{API}{self.gina.pk}/grant", {"role": Role.EXPERT, "region": "500106"}
        )
        self.assertEqual(response.json()["granted"], True)
        response = self.call(
            self.alice, "post", f"{API}{self.gina.pk}/grant", {"role": Role.SEC_ADMIN, "region": "500106"}
        )
        self.assertEqual(response.status_code, 403)
        self.assertFalse(RoleRequest.objects.filter(user=self.gina).exists())

    def test_patch_changes_name_and_phone_only(self):
        response = self.call(self.sam, "patch", f"{API}{self.dave.pk}", {"name": "戴维", "phone": "13700000000"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual((response.json()["name"], response.json()["phone"]), ("戴维", "137****0000"))

    def test_a_reset_returns_no_password(self):
        set_phone(self.dave, "13812345678")
        response = self.call(self.sid, "post", f"{API}{self.dave.pk}/reset-password")
        self.assertEqual(response.status_code, 200)
        self.assertIn("138****5678", response.json()["detail"])
        self.assertEqual(set(response.json()), {"detail", "expires_at"})


class RegionApiCapabilityTests(CastTestCase):
    def test_the_capability_comes_before_the_lookup(self):
        _, key = api_token_create(actor=self.aud, name="审计")
        headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
        for path in (
            f"/api/v1/regions/{self.county_a.code}",
            f"/api/v1/regions/{self.county_b.code}",
            "/api/v1/regions/999999",
            f"/api/v1/units/{self.unit_office_a.pk}",
            f"/api/v1/units/{self.unit_office_b.pk}",
            "/api/v1/units/99999",
        ):
            self.assertEqual(self.client.get(path, **headers).status_code, 403, path)
