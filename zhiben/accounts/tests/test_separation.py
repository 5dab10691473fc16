"""三员分立: no administrator grants a business role or another administrator role alone.

Business roles come from the 安委办管理员 of the jurisdiction (directly, or approving the 系统管理员's
request); administrator roles need a second, different administrator's approval."""

import contextlib

from zhiben.accounts.choices import RequestStatus, Role
from zhiben.accounts.models import RoleRequest, User
from zhiben.accounts.services import (
    api_token_create,
    role_request_decide,
    role_request_withdraw,
    user_create,
    user_grant,
    user_update,
)
from zhiben.audit.models import AuditEvent
from zhiben.core.exceptions import ApplicationError, ScopeError
from zhiben.notifications.models import Notification
from zhiben.testing import CastTestCase


def set_phone(user, phone):
    user.phone = phone
    user.save(update_fields=["phone", "phone_index"])


class SysAdminAloneTests(CastTestCase):
    """What the 系统管理员 could do alone before, and can no longer."""

    def test_the_sys_admin_cannot_make_anyone_a_committee_or_audit_admin_alone(self):
        for role in (Role.COMMITTEE_ADMIN, Role.AUDIT_ADMIN, Role.SEC_ADMIN, Role.GRID):
            with contextlib.suppress(ApplicationError):
                user_update(actor=self.sam, user=self.dave, data={"role": role})
            self.dave.refresh_from_db()
            self.assertEqual(self.dave.role, Role.LEADER, role)
        set_phone(self.dave, "13800000009")
        user, request = user_grant(actor=self.sam, user=self.dave, role=Role.COMMITTEE_ADMIN, region=self.county_a)
        self.assertEqual(user.role, Role.LEADER)
        self.assertEqual((request.role, request.status), (Role.COMMITTEE_ADMIN, RequestStatus.PENDING))
        self.dave.refresh_from_db()
        self.assertFalse(self.dave.can("user.grant"))

    def test_the_sys_admin_cannot_create_an_administrator_or_business_user_alone(self):
        for i, role in enumerate((Role.AUDIT_ADMIN, Role.COMMITTEE_ADMIN, Role.LEADER)):
            user = user_create(
                actor=self.sam, username=f"x{i}", phone=f"1390000000{i}", role=role, region=self.county_a
            )
            self.assertEqual(user.role, Role.NONE)
            self.assertEqual(user.capabilities, frozenset())
            self.assertFalse(user.has_usable_password())  # nor can the sys_admin log in as it
            self.assertEqual(RoleRequest.objects.get(user=user).role, role)

    def test_the_security_and_audit_admins_grant_nothing(self):
        for actor in (self.sid, self.aud):
            with self.assertRaises(ApplicationError) as caught:
                user_grant(actor=actor, user=self.dave, role=Role.GRID, region=self.village_a1)
            self.assertEqual(caught.exception.code, "forbidden")
        self.dave.refresh_from_db()
        self.assertEqual(self.dave.role, Role.LEADER)


class BusinessGrantTests(CastTestCase):
    def test_the_committee_admin_grants_a_business_role_in_their_jurisdiction(self):
        _, key = api_token_create(actor=self.dave, name="大屏")
        user, request = user_grant(actor=self.alice, user=self.dave, role=Role.GRID, region=self.village_a1)
        self.assertIsNone(request)
        self.dave.refresh_from_db()
        self.assertEqual((self.dave.role, self.dave.region_id), (Role.GRID, self.village_a1.code))
        event = AuditEvent.objects.get(action="user.grant")
        self.assertEqual(event.actor_id, self.alice.pk)
        self.assertEqual(event.data["changes"]["role"], [Role.LEADER, Role.GRID])
        self.assertEqual(event.data["tokens_revoked"], 1)
        self.assertTrue(Notification.objects.filter(recipient=self.dave, subject="账号角色已变更").exists())
        self.assertFalse(self.dave.api_tokens.filter(revoked_at__isnull=True).exists())

    def test_the_committee_admin_stays_in_their_lane(self):
        # no administrator roles
        with self.assertRaises(ApplicationError) as caught:
            user_grant(actor=self.alice, user=self.dave, role=Role.AUDIT_ADMIN, region=self.county_a)
        self.assertEqual(caught.exception.code, "forbidden")
        # no administrator accounts
        with self.assertRaises(ApplicationError) as caught:
            user_grant(actor=self.alice, user=self.aud, role=Role.LEADER, region=self.county_a)
        self.assertIn("管理员账号不能直接改为业务角色", caught.exception.message)
        with self.assertRaises(ApplicationError):
            user_grant(actor=self.alice, user=self.aud, role="", region=self.county_a)
        # not outside the jurisdiction, nor on accounts outside it
        with self.assertRaises(ApplicationError) as caught:
            user_grant(actor=self.alice, user=self.dave, role=Role.GRID, region=self.county_b)
        self.assertEqual(caught.exception.errors[0]["field"], "region")
        with self.assertRaises(ScopeError):
            user_grant(actor=self.alice, user=self.charlie, role=Role.GRID, region=self.county_b)
        # not to themselves
        with self.assertRaises(ApplicationError) as caught:
            user_grant(actor=self.alice, user=self.alice, role=Role.COMMITTEE_ADMIN, region=self.city)
        self.assertEqual(caught.exception.code, "forbidden")
        for user in (self.dave, self.aud, self.charlie, self.alice):
            before = user.role
            user.refresh_from_db()
            self.assertEqual(user.role, before)

    def test_the_sys_admins_request_is_approved_by_the_committee_admin(self):
        _, request = user_grant(
            actor=self.sam, user=self.dave, role=Role.REGULATOR, region=self.town_a1, unit=self.unit_emergency_a1
        )
        # those who may approve are told
        self.assertTrue(Notification.objects.filter(recipient=self.alice, object_id=str(request.pk)).exists())
        self.assertTrue(Notification.objects.filter(recipient=self.bob, object_id=str(request.pk)).exists())
        self.assertFalse(Notification.objects.filter(recipient=self.charlie, object_id=str(request.pk)).exists())
        role_request_decide(actor=self.alice, role_request=request, approve=True, note="已核实")
        self.dave.refresh_from_db()
        self.assertEqual((self.dave.role, self.dave.unit_id), (Role.REGULATOR, self.unit_emergency_a1.pk))
        request.refresh_from_db()
        self.assertEqual((request.status, request.decided_by_id), (RequestStatus.APPROVED, self.alice.pk))
        event = AuditEvent.objects.get(action="user.grant")
        self.assertEqual(
            (event.actor_id, event.data["request"], event.data["requested_by"]), (self.alice.pk, request.pk, "sam")
        )
        self.assertTrue(AuditEvent.objects.filter(action="role_request.approve", actor=self.alice).exists())
        self.assertTrue(Notification.objects.filter(recipient=self.sam, object_id=str(request.pk)).exists())
        with self.assertRaises(ApplicationError) as caught:  # decided once
            role_request_decide(actor=self.bob, role_request=request, approve=False)
        self.assertIn("已批准", caught.exception.message)

    def test_only_the_committee_admin_of_the_jurisdiction_decides_a_business_request(self):
        _, request = user_grant(actor=self.sam, user=self.dave, role=Role.GRID, region=self.village_a1)
        for actor, message in (
            (self.sam, "不能审批自己提出的申请"),
            (self.sid, "业务角色须由辖区安委办管理员审批"),
            (self.aud, "业务角色须由辖区安委办管理员审批"),
            (self.charlie, "不在您的管辖范围内"),
            (self.dave, "不能审批授予自己账号的角色"),
        ):
            with self.assertRaises(ApplicationError) as caught:
                role_request_decide(actor=actor, role_request=request, approve=True)
            self.assertIn(message, caught.exception.message, actor.username)
        self.dave.refresh_from_db()
        self.assertEqual(self.dave.role, Role.LEADER)
        role_request_decide(actor=self.alice, role_request=request, approve=False, note="非本单位人员")
        request.refresh_from_db()
        self.assertEqual((request.status, request.decision_note), (RequestStatus.REFUSED, "非本单位人员"))
        self.dave.refresh_from_db()
        self.assertEqual(self.dave.role, Role.LEADER)
        self.assertTrue(AuditEvent.objects.filter(action="role_request.refuse", actor=self.alice).exists())

    def test_one_pending_request_per_account_and_the_requester_withdraws(self):
        _, request = user_grant(actor=self.sam, user=self.dave, role=Role.GRID, region=self.village_a1)
        with self.assertRaises(ApplicationError) as caught:
            user_grant(actor=self.sam, user=self.dave, role=Role.EXPERT, region=self.county_a)
        self.assertIn("已有待审批的授权申请", caught.exception.message)
        with self.assertRaises(ApplicationError):
            role_request_withdraw(actor=self.alice, role_request=request)
        role_request_withdraw(actor=self.sam, role_request=request)
        request.refresh_from_db()
        self.assertEqual(request.status, RequestStatus.WITHDRAWN)
        user_grant(actor=self.sam, user=self.dave, role=Role.EXPERT, region=self.county_a)

    def test_withdrawing_a_role_is_immediate_and_revokes_tokens(self):
        api_token_create(actor=self.erin, name="对接")
        user, request = user_grant(actor=self.sam, user=self.erin, role="")
        self.assertIsNone(request)
        self.erin.refresh_from_db()
        self.assertEqual((self.erin.role, self.erin.region_id), (Role.NONE, self.town_a1.code))
        self.assertEqual(self.erin.capabilities, frozenset())
        self.assertFalse(self.erin.api_tokens.filter(revoked_at__isnull=True).exists())
        self.assertTrue(AuditEvent.objects.filter(action="user.revoke_role", actor=self.sam).exists())


class AdministratorGrantTests(CastTestCase):
    def setUp(self):
        set_phone(self.sam, "13700000001")
        set_phone(self.sid, "13700000002")
        set_phone(self.aud, "13700000003")

    def new_admin_request(self, role=Role.SEC_ADMIN):
        user = user_create(
            actor=self.sam, username="sid2", name="新安全员", phone="13700000009", role=role, region=self.county_a
        )
        return user, RoleRequest.objects.get(user=user)

    def test_another_administrator_approves_an_administrator_role(self):
        user, request = self.new_admin_request()
        # the other administrators are told, not the requester
        told = set(
            Notification.objects.filter(object_id=str(request.pk), channel="inbox").values_list(
                "recipient__username", flat=True
            )
        )
        self.assertEqual(told, {"sid", "aud"})
        with self.assertRaises(ApplicationError) as caught:
            role_request_decide(actor=self.sam, role_request=request, approve=True)
        self.assertIn("不能审批自己提出的申请", caught.exception.message)
        with self.assertRaises(ApplicationError) as caught:
            role_request_decide(actor=self.alice, role_request=request, approve=True)
        self.assertIn("另一名管理员", caught.exception.message)
        role_request_decide(actor=self.aud, role_request=request, approve=True)
        user.refresh_from_db()
        self.assertEqual(user.role, Role.SEC_ADMIN)
        self.assertTrue(user.can("security.manage"))

    def test_nobody_approves_a_role_for_themselves(self):
        _, request = user_grant(actor=self.sam, user=self.aud, role=Role.SYS_ADMIN, region=self.county_a)
        with self.assertRaises(ApplicationError) as caught:
            role_request_decide(actor=self.aud, role_request=request, approve=True)
        self.assertIn("不能审批授予自己账号的角色", caught.exception.message)
        role_request_decide(actor=self.sid, role_request=request, approve=True)
        self.aud.refresh_from_db()
        self.assertEqual(self.aud.role, Role.SYS_ADMIN)
        self.assertFalse(self.aud.can("audit.view"))

    def test_an_administrator_role_needs_the_owners_own_phone(self):
        with self.assertRaises(ApplicationError) as caught:
            user_grant(actor=self.sam, user=self.dave, role=Role.AUDIT_ADMIN, region=self.county_a)
        self.assertIn("须登记本人手机号", caught.exception.message)
        set_phone(self.dave, "13700000002")  # sid's number
        with self.assertRaises(ApplicationError) as caught:
            user_grant(actor=self.sam, user=self.dave, role=Role.AUDIT_ADMIN, region=self.county_a)
        self.assertIn("管理员须由专人担任", caught.exception.message)

    def test_the_phone_check_runs_again_at_approval(self):
        user, request = self.new_admin_request(Role.AUDIT_ADMIN)
        User.objects.filter(pk=self.dave.pk).update(phone_index=user.phone_index)  # dave now shares the number
        with self.assertRaises(ApplicationError) as caught:
            role_request_decide(actor=self.sid, role_request=request, approve=True)
        self.assertIn("phone", {e["field"] for e in caught.exception.errors})
        user.refresh_from_db()
        self.assertEqual(user.role, Role.NONE)


class RoleRequestPageTests(CastTestCase):
    def test_the_committee_admin_approves_on_the_page(self):
        _, request = user_grant(actor=self.sam, user=self.dave, role=Role.GRID, region=self.village_a1)
        response = self.login(self.alice).get("/accounts/requests/")
        self.assertEqual([r.pk for r in response.context["requests"]["to_decide"]], [request.pk])
        self.assertContains(response, f"/accounts/requests/{request.pk}/approve/")
        response = self.client.post(f"/accounts/requests/{request.pk}/approve/", {"note": "同意"})
        self.assertRedirects(response, "/accounts/requests/", fetch_redirect_response=False)
        self.dave.refresh_from_db()
        self.assertEqual(self.dave.role, Role.GRID)

    def test_the_requester_sees_it_as_theirs_and_cannot_approve_it(self):
        _, request = user_grant(actor=self.sam, user=self.dave, role=Role.GRID, region=self.village_a1)
        response = self.login(self.sam).get("/accounts/requests/")
        self.assertEqual(response.context["requests"]["to_decide"], [])
        self.assertEqual([r.pk for r in response.context["requests"]["mine"]], [request.pk])
        response = self.client.post(f"/accounts/requests/{request.pk}/approve/", follow=True)
        self.assertEqual(response.status_code, 403)
        self.dave.refresh_from_db()
        self.assertEqual(self.dave.role, Role.LEADER)

    def test_the_grant_page_asks_for_the_sys_admin_and_grants_for_the_committee_admin(self):
        data = {
            "role": Role.GRID,
            "region": self.village_a1.code,
            "unit": "",
            "enterprise_code": "",
            "reason": "新任网格员",
        }
        response = self.login(self.sam).post(f"/accounts/users/{self.dave.pk}/grant/", data, follow=True)
        self.assertContains(response, "申请已提交，待辖区安委办管理员审批")
        self.dave.refresh_from_db()
        self.assertEqual(self.dave.role, Role.LEADER)
        self.assertContains(response, "待审批：网格员")
        RoleRequest.objects.all().delete()
        response = self.login(self.alice).post(f"/accounts/users/{self.dave.pk}/grant/", data, follow=True)
        self.assertContains(response, "已授予")
        self.dave.refresh_from_db()
        self.assertEqual(self.dave.role, Role.GRID)

    def test_the_committee_admins_grant_form_offers_no_administrator_role(self):
        form = self.login(self.alice).get(f"/accounts/users/{self.dave.pk}/grant/").context["form"]
        self.assertNotIn(Role.SYS_ADMIN, dict(form.fields["role"].choices))
        self.assertEqual(self.client.get(f"/accounts/users/{self.aud.pk}/").context["can_grant"], False)

    def test_the_pending_count_is_on_the_home_page_of_those_who_decide(self):
        set_phone(self.sam, "13700000001")
        user_create(actor=self.sam, username="sid2", phone="13700000009", role=Role.SEC_ADMIN, region=self.county_a)
        for user, expected in ((self.aud, 1), (self.sid, 1), (self.sam, 0), (self.alice, 0)):
            cards = {c["label"]: c["value"] for c in self.login(user).get("/").context["summary"]["cards"]}
            self.assertEqual(cards["待我审批的授权申请"], expected, user.username)

    def test_it_hides_other_jurisdictions(self):
        _, request = user_grant(actor=self.sam, user=self.dave, role=Role.GRID, region=self.village_a1)
        response = self.login(self.charlie).get("/accounts/requests/")
        self.assertEqual(response.context["requests"]["to_decide"], [])
        self.assertNotContains(response, "dave")
        self.assertEqual(self.client.post(f"/accounts/requests/{request.pk}/approve/").status_code, 404)
        self.assertEqual(self.login(self.dave).get("/accounts/requests/").status_code, 403)
