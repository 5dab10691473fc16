"""Account management by the 系统管理员 (accounts without a role or a password; roles go through
grants and requests, see test_separation), the rights of the three administrators, and scope."""

from zhiben.accounts.choices import ADMIN_ROLES, ROLE_CAPABILITIES, SHARED_ADMIN_CAPABILITIES, RequestStatus, Role
from zhiben.accounts.models import PasswordLink, RoleRequest, User
from zhiben.accounts.services import user_create, user_grant, user_set_active, user_update
from zhiben.audit.models import AuditEvent
from zhiben.core.exceptions import ApplicationError
from zhiben.notifications.models import Notification
from zhiben.testing import PASSWORD, CastTestCase, make_user

NEW_PASSWORD = "Init-pass-2026"


def form_data(**overrides):
    data = {
        "username": "newbie",
        "name": "新人",
        "phone": "13900000000",
        "role": "",
        "region": "",
        "unit": "",
        "enterprise_code": "",
        "reason": "",
    }
    data.update(overrides)
    return data


def set_phone(user, phone):
    user.phone = phone
    user.save(update_fields=["phone", "phone_index"])


class UserListTests(CastTestCase):
    def usernames(self, response):
        return [u.username for u in response.context["page"]]

    def test_it_lists_own_jurisdiction(self):
        response = self.login(self.sam).get("/accounts/users/")
        self.assertEqual(set(self.usernames(response)), {"alice", "dave", "erin", "gina", "emma", "sam", "sid", "aud"})
        self.assertContains(response, "新建用户")

    def test_it_filters_by_role_region_text_and_state(self):
        self.login(self.sam)
        self.assertEqual(self.usernames(self.client.get("/accounts/users/?role=regulator")), ["erin"])
        self.assertEqual(self.usernames(self.client.get("/accounts/users/?region=500106105")), ["emma", "erin", "gina"])
        self.assertEqual(self.usernames(self.client.get("/accounts/users/?q=gin")), ["gina"])
        user_set_active(actor=self.sam, user=self.dave, active=False)
        self.assertEqual(self.usernames(self.client.get("/accounts/users/?active=0")), ["dave"])
        self.assertEqual(self.usernames(self.client.get("/accounts/users/?region=bad")), [])
        user_grant(actor=self.sam, user=self.gina, role="")
        self.assertEqual(self.usernames(self.client.get("/accounts/users/?role=none")), ["gina"])

    def test_it_exports_what_it_lists_for_the_account_review(self):
        """Same filters and scope as the list, phone numbers masked, the export audited."""
        from io import BytesIO

        from openpyxl import load_workbook

        set_phone(self.gina, "13812345678")
        response = self.login(self.sam).get("/accounts/users/export/?region=500106105")
        self.assertEqual(response.status_code, 200)
        rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
        self.assertEqual(rows[0][:3], ("用户名", "姓名", "角色"))
        self.assertEqual([r[0] for r in rows[1:]], ["emma", "erin", "gina"])
        gina = next(r for r in rows if r[0] == "gina")
        self.assertEqual((gina[6], gina[7]), ("138****5678", "启用"))
        self.assertNotIn("13812345678", str(rows))
        event = AuditEvent.objects.filter(action="user.export").latest("seq")
        self.assertEqual(event.data["filters"], {"region": "500106105"})
        rows = load_workbook(BytesIO(self.login(self.charlie).get("/accounts/users/export/").content)).active
        self.assertNotIn("gina", [r[0] for r in rows.iter_rows(values_only=True)])  # another county's admin
        self.assertEqual(self.login(self.gina).get("/accounts/users/export/").status_code, 403)

    def test_it_sorts(self):
        from datetime import timedelta

        from django.utils import timezone

        User.objects.filter(pk=self.gina.pk).update(last_login=timezone.now())
        User.objects.filter(pk=self.erin.pk).update(last_login=timezone.now() - timedelta(days=1))
        self.login(self.sam)
        User.objects.filter(pk=self.sam.pk).update(last_login=None)
        recent = self.usernames(self.client.get("/accounts/users/?sort=-last_login&region=500106105"))
        self.assertEqual(recent, ["gina", "erin", "emma"])  # never logged in last
        self.assertEqual(
            self.usernames(self.client.get("/accounts/users/?sort=last_login&region=500106105"))[0], "emma"
        )
        self.assertEqual(
            self.usernames(self.client.get("/accounts/users/?sort=role&region=500106105")), ["emma", "gina", "erin"]
        )
        self.assertEqual(  # an unknown order: by username
            self.usernames(self.client.get("/accounts/users/?sort=password&region=500106105")), ["emma", "erin", "gina"]
        )
        self.assertContains(self.client.get("/accounts/users/?role=regulator"), "?role=regulator&sort=-last_login")

    def test_it_paginates(self):
        for i in range(25):
            make_user(f"user{i:02d}", Role.LEADER, self.town_a2)
        self.login(self.sam)
        first = self.client.get("/accounts/users/?role=leader")
        self.assertEqual(len(first.context["page"]), 20)
        second = self.client.get("/accounts/users/?role=leader&page=2")
        self.assertEqual(len(second.context["page"]), 6)
        self.assertContains(first, "role=leader&page=2")

    def test_phone_numbers_are_masked(self):
        User.objects.filter(pk=self.dave.pk).update(phone="13812345678")
        response = self.login(self.sam).get("/accounts/users/")
        self.assertContains(response, "138****5678")
        self.assertNotContains(response, "13812345678")

    def test_it_hides_other_jurisdictions(self):
        self.login(self.charlie)
        self.assertNotIn("alice", self.usernames(self.client.get("/accounts/users/")))
        for path in ("", "grant/"):
            self.assertEqual(self.client.get(f"/accounts/users/{self.alice.pk}/{path}").status_code, 404)
        self.assertEqual(self.client.get(f"/accounts/users/{self.charlie.pk}/").status_code, 200)

    def test_without_the_right_every_id_gets_403(self):
        # the capability is checked before the account is looked up: no way to tell which ids exist
        missing = User.objects.order_by("-pk").first().pk + 100
        self.login(self.charlie)
        for pk in (self.alice.pk, self.charlie.pk, missing):
            self.assertEqual(self.client.get(f"/accounts/users/{pk}/edit/").status_code, 403)
            for path in ("active/", "unlock/", "reset-totp/", "reset-password/"):
                self.assertEqual(self.client.post(f"/accounts/users/{pk}/{path}").status_code, 403, path)
        self.login(self.aud)
        for pk in (self.dave.pk, missing):
            self.assertEqual(self.client.get(f"/accounts/users/{pk}/").status_code, 403)

    def test_a_sys_admin_of_another_county_gets_404(self):
        sam_b = make_user("sam_b", Role.SYS_ADMIN, self.county_b)
        self.login(sam_b)
        self.assertEqual(self.client.get(f"/accounts/users/{self.dave.pk}/edit/").status_code, 404)
        self.assertEqual(self.client.post(f"/accounts/users/{self.dave.pk}/active/", {"active": "0"}).status_code, 404)
        self.dave.refresh_from_db()
        self.assertTrue(self.dave.is_active)

    def test_anonymous_is_sent_to_login(self):
        response = self.client.get("/accounts/users/")
        self.assertRedirects(response, "/accounts/login/?next=/accounts/users/", fetch_redirect_response=False)


class UserCreateTests(CastTestCase):
    def post(self, **overrides):
        return self.login(self.sam).post("/accounts/users/new/", form_data(**overrides))

    def test_it_creates_an_account_without_role_or_password_and_sends_the_owner_a_link(self):
        response = self.post(
            region=self.town_a1.code, role=Role.REGULATOR, unit=self.unit_emergency_a1.pk, phone="13900000000"
        )
        user = User.objects.get(username="newbie")
        self.assertRedirects(response, f"/accounts/users/{user.pk}/", fetch_redirect_response=False)
        # no rights and no password until the owner and a second person act
        self.assertEqual((user.role, user.region_id), (Role.NONE, self.town_a1.code))
        self.assertEqual(user.capabilities, frozenset())
        self.assertFalse(user.has_usable_password())
        self.assertTrue(user.must_change_password)
        request = RoleRequest.objects.get(user=user)
        self.assertEqual(
            (request.role, request.region_id, request.unit_id, request.status, request.requested_by_id),
            (Role.REGULATOR, self.town_a1.code, self.unit_emergency_a1.pk, RequestStatus.PENDING, self.sam.pk),
        )
        link = PasswordLink.objects.get(user=user)
        self.assertEqual((link.purpose, link.created_by_id), ("activate", self.sam.pk))
        sms = Notification.objects.get(channel="sms", to_address="13900000000")
        self.assertTrue(sms.url.startswith("/accounts/password/set/"))
        self.assertTrue(Notification.objects.filter(channel="inbox", recipient=user).exists())
        # the administrator's page shows the masked phone, never the link
        followed = self.client.get(response["Location"])
        self.assertContains(followed, "139****0000")
        self.assertNotContains(followed, sms.url)
        event = AuditEvent.objects.get(action="user.create")
        self.assertEqual(event.actor_id, self.sam.pk)
        self.assertEqual(event.data["after"]["role"], "")
        self.assertEqual(event.data["after"]["phone"], "139****0000")
        self.assertTrue(AuditEvent.objects.filter(action="role_request.create", actor=self.sam).exists())

    def test_the_owner_activates_the_account_through_the_link(self):
        self.post(region=self.county_a.code, phone="13900000000")
        url = Notification.objects.get(channel="sms", to_address="13900000000").url
        self.client.logout()
        response = self.client.post(url, {"password": NEW_PASSWORD, "password2": NEW_PASSWORD})
        self.assertRedirects(response, "/accounts/login/", fetch_redirect_response=False)
        self.client.post("/accounts/login/", {"username": "newbie", "password": NEW_PASSWORD})
        response = self.client.get("/")
        self.assertEqual(response.status_code, 200)  # signed in, with no rights until a role is granted
        self.assertEqual(self.client.get("/enterprises/").status_code, 403)
        self.assertEqual(self.client.get(url).status_code, 410)

    def test_the_form_takes_no_password(self):
        response = self.login(self.sam).get("/accounts/users/new/")
        self.assertNotIn("password", response.context["form"].fields)
        with self.assertRaises(ApplicationError) as caught:
            user_create(
                actor=self.sam,
                username="x0",
                password=NEW_PASSWORD,
                phone="13900000001",
                role=Role.LEADER,
                region=self.county_a,
            )
        self.assertIn("管理员不能为他人设置密码", caught.exception.message)
        self.assertFalse(User.objects.filter(username="x0").exists())

    def test_errors_are_shown_next_to_their_fields(self):
        response = self.post(username="dave", region=self.county_a.code)
        self.assertIn("用户名“dave”已存在。", response.context["form"].errors["username"])
        self.assertContains(response, 'class="fielderror"')
        response = self.post(role=Role.REGULATOR, region=self.town_a1.code)
        self.assertIn("unit", response.context["form"].errors)
        response = self.post(role=Role.LEADER)
        self.assertIn("请指定管辖区划。", response.context["form"].errors["region"])
        response = self.post(region=self.county_a.code, phone="")
        self.assertIn("phone", response.context["form"].errors)
        self.assertFalse(User.objects.filter(username="newbie").exists())

    def test_every_problem_is_shown_at_once(self):
        response = self.post(username="dave", role=Role.REGULATOR, region=self.town_a1.code, phone="")
        self.assertEqual(set(response.context["form"].errors), {"username", "unit", "phone"})

    def test_an_enterprise_user_takes_the_enterprise_region(self):
        self.post(role=Role.ENTERPRISE, enterprise_code=self.enterprise_a.credit_code.lower())
        user = User.objects.get(username="newbie")
        self.assertEqual((user.enterprise_id, user.region_id), (None, self.village_a1.code))
        request = RoleRequest.objects.get(user=user)
        self.assertEqual((request.enterprise_id, request.region_id), (self.enterprise_a.pk, self.village_a1.code))

    def test_it_cannot_assign_anything_outside_its_jurisdiction(self):
        response = self.post(region=self.county_b.code)
        self.assertIn("region", response.context["form"].errors)
        response = self.post(region=self.county_a.code, unit=self.unit_office_b.pk)
        self.assertIn("unit", response.context["form"].errors)
        response = self.post(role=Role.ENTERPRISE, enterprise_code=self.enterprise_b.credit_code)
        self.assertIn("enterprise_code", response.context["form"].errors)
        self.assertFalse(User.objects.filter(username="newbie").exists())
        # the service refuses as well, whatever the form offered
        with self.assertRaises(ApplicationError) as caught:
            user_create(actor=self.sam, username="x1", phone="13900000001", role=Role.LEADER, region=self.county_b)
        self.assertEqual(caught.exception.errors[0]["field"], "region")
        with self.assertRaises(ApplicationError) as caught:
            user_create(
                actor=self.sam, username="x2", phone="13900000001", role=Role.ENTERPRISE, enterprise=self.enterprise_b
            )
        self.assertIn("enterprise", {e["field"] for e in caught.exception.errors})
        with self.assertRaises(ApplicationError):
            user_create(actor=self.sam, username="x3", phone="13900000001", role=Role.SYS_ADMIN, region=self.city)
        self.assertFalse(RoleRequest.objects.exists())

    def test_a_unit_must_contain_the_users_region(self):
        response = self.post(role=Role.REGULATOR, region=self.county_a.code, unit=self.unit_emergency_a1.pk)
        self.assertIn("管辖区划须在所在单位“凤凰镇应急办”的区划之内。", response.context["form"].errors["unit"])

    def test_it_never_creates_a_superuser(self):
        self.post(region=self.county_a.code, is_superuser="on", is_staff="on", role=Role.SYS_ADMIN)
        user = User.objects.get(username="newbie")
        self.assertFalse(user.is_superuser or user.is_staff)
        self.assertEqual(user.role, Role.NONE)

    def test_one_person_holds_one_administrator_account_and_no_other(self):
        set_phone(self.sid, "13911112222")
        # an administrator's phone on another account, whatever its role, is refused
        for role in (Role.AUDIT_ADMIN, Role.SEC_ADMIN, Role.REGULATOR, ""):
            response = self.post(username="x", role=role, region=self.town_a1.code, phone="13911112222")
            self.assertTrue(
                any("管理员须由专人担任" in m for m in response.context["form"].errors["phone"]), role or "none"
            )
        # and the clash check no longer depends on the phone being typed: an administrator role needs one
        with self.assertRaises(ApplicationError) as caught:
            user_create(actor=None, username="x4", role=Role.AUDIT_ADMIN, region=self.county_a, phone="139 1111 2222")
        self.assertIn("管理员须由专人担任", caught.exception.message)
        self.assertFalse(User.objects.filter(username__in=["x", "x4"]).exists())
        # business accounts may share a phone with each other
        set_phone(self.dave, "13922223333")
        self.post(username="grid2", role=Role.GRID, region=self.village_a1.code, phone="13922223333")
        self.assertTrue(User.objects.filter(username="grid2").exists())

    def test_the_three_administrator_roles_have_disjoint_rights(self):
        # reading the account list and deciding each other's role requests are shared; every other right is not
        admin_caps = [ROLE_CAPABILITIES[role] - SHARED_ADMIN_CAPABILITIES for role in ADMIN_ROLES]
        for i, caps in enumerate(admin_caps):
            for other in admin_caps[i + 1 :]:
                self.assertFalse(caps & other)
            self.assertFalse({c for c in caps if c.startswith("enterprise.")})
            self.assertNotIn("user.grant", caps)
        self.assertTrue(
            self.sam.can("user.manage") and not self.sam.can("audit.view") and not self.sam.can("security.manage")
        )
        self.assertTrue(
            self.sid.can("security.manage") and not self.sid.can("user.manage") and not self.sid.can("audit.view")
        )
        self.assertTrue(
            self.aud.can("audit.view") and not self.aud.can("user.view") and not self.aud.can("security.manage")
        )
        self.assertTrue(self.alice.can("user.grant") and not self.alice.can("user.manage"))


class SeparationOfDutiesTests(CastTestCase):
    def test_sys_admin_cannot_read_the_audit_log_or_manage_security(self):
        self.login(self.sam)
        self.assertEqual(self.client.get("/audit/").status_code, 403)
        self.assertEqual(self.client.get("/accounts/security/").status_code, 403)
        self.assertEqual(self.client.post(f"/accounts/users/{self.dave.pk}/unlock/").status_code, 403)
        self.assertEqual(self.client.post(f"/accounts/users/{self.dave.pk}/reset-password/").status_code, 403)

    def test_auditor_cannot_manage_users(self):
        self.login(self.aud)
        self.assertEqual(self.client.get("/accounts/users/").status_code, 403)
        self.assertEqual(self.client.get("/accounts/users/new/").status_code, 403)
        self.assertEqual(
            self.client.post("/accounts/users/new/", form_data(region=self.county_a.code)).status_code, 403
        )
        self.assertEqual(self.client.get(f"/accounts/users/{self.dave.pk}/edit/").status_code, 403)
        self.assertEqual(self.client.get(f"/accounts/users/{self.dave.pk}/grant/").status_code, 403)
        with self.assertRaises(ApplicationError):
            user_create(actor=self.aud, username="x", phone="13900000001", role=Role.LEADER, region=self.county_a)
        self.assertFalse(User.objects.filter(username="newbie").exists())

    def test_security_admin_cannot_create_or_edit_users(self):
        self.login(self.sid)
        self.assertEqual(self.client.get("/accounts/users/").status_code, 200)
        self.assertNotContains(self.client.get("/accounts/users/"), "新建用户")
        self.assertEqual(self.client.get("/accounts/users/new/").status_code, 403)
        self.assertEqual(
            self.client.post("/accounts/users/new/", form_data(region=self.county_a.code)).status_code, 403
        )
        self.assertEqual(
            self.client.post(f"/accounts/users/{self.dave.pk}/edit/", form_data(region=self.county_a.code)).status_code,
            403,
        )
        self.assertEqual(self.client.post(f"/accounts/users/{self.dave.pk}/active/", {"active": "0"}).status_code, 403)
        self.assertFalse(User.objects.filter(username="newbie").exists())
        self.assertEqual(self.client.get(f"/accounts/users/{self.dave.pk}/grant/").status_code, 403)
        with self.assertRaises(ApplicationError):
            user_create(actor=self.sid, username="x", phone="13900000001", role=Role.LEADER, region=self.county_a)

    def test_committee_admin_reads_users_and_grants_roles_but_cannot_manage_accounts(self):
        self.login(self.alice)
        self.assertEqual(self.client.get("/accounts/users/").status_code, 200)
        self.assertContains(self.client.get(f"/accounts/users/{self.dave.pk}/"), "授权")
        self.assertEqual(self.client.get(f"/accounts/users/{self.dave.pk}/grant/").status_code, 200)
        self.assertEqual(self.client.get("/accounts/users/new/").status_code, 403)
        self.assertEqual(self.client.get(f"/accounts/users/{self.dave.pk}/edit/").status_code, 403)


class UserEditTests(CastTestCase):
    def edit(self, target, **data):
        return self.login(self.sam).post(f"/accounts/users/{target.pk}/edit/", {"name": target.name, **data})

    def test_it_changes_name_and_phone_with_an_audited_diff_and_tells_the_owner(self):
        set_phone(self.dave, "13800000001")
        response = self.edit(self.dave, name="戴维", phone="13800000002")
        self.assertRedirects(response, f"/accounts/users/{self.dave.pk}/", fetch_redirect_response=False)
        self.dave.refresh_from_db()
        self.assertEqual((self.dave.name, self.dave.phone), ("戴维", "13800000002"))
        event = AuditEvent.objects.get(action="user.update")
        self.assertEqual(event.data["changes"]["name"], ["dave", "戴维"])
        self.assertEqual(event.data["changes"]["phone"], ["138****0001", "138****0002"])
        # the old number is told of the change
        self.assertTrue(Notification.objects.filter(channel="sms", to_address="13800000001").exists())
        self.assertTrue(Notification.objects.filter(channel="inbox", recipient=self.dave).exists())

    def test_the_form_never_shows_the_whole_phone_and_an_empty_field_keeps_it(self):
        set_phone(self.dave, "13800000001")
        response = self.login(self.sam).get(f"/accounts/users/{self.dave.pk}/edit/")
        self.assertNotContains(response, "13800000001")
        self.assertContains(response, "138****0001")
        self.assertEqual(set(response.context["form"].fields), {"name", "phone"})
        self.edit(self.dave, name="戴维", phone="")
        self.dave.refresh_from_db()
        self.assertEqual((self.dave.name, self.dave.phone), ("戴维", "13800000001"))

    def test_the_edit_service_refuses_role_and_jurisdiction(self):
        with self.assertRaises(ApplicationError) as caught:
            user_update(actor=self.sam, user=self.dave, data={"role": Role.GRID, "region": self.village_a1})
        self.assertIn("属于授权", caught.exception.message)
        self.dave.refresh_from_db()
        self.assertEqual((self.dave.role, self.dave.region_id), (Role.LEADER, self.county_a.code))

    def test_nobody_grants_themselves_a_role_or_deactivates_themselves(self):
        response = self.login(self.sam).post(
            f"/accounts/users/{self.sam.pk}/grant/", {"role": Role.AUDIT_ADMIN, "region": self.county_a.code}
        )
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.client.post(f"/accounts/users/{self.sam.pk}/active/", {"active": "0"}).status_code, 403)
        self.sam.refresh_from_db()
        self.assertEqual((self.sam.role, self.sam.is_active), (Role.SYS_ADMIN, True))
        self.assertFalse(RoleRequest.objects.exists())
        self.assertRedirects(
            self.edit(self.sam, name="山姆", phone="13700000000"),
            f"/accounts/users/{self.sam.pk}/",
            fetch_redirect_response=False,
        )

    def test_superusers_are_out_of_reach(self):
        root = make_user("root", Role.SYS_ADMIN, self.county_a, is_superuser=True)
        self.assertEqual(self.edit(root, name="x").status_code, 403)
        self.assertEqual(self.client.post(f"/accounts/users/{root.pk}/active/", {"active": "0"}).status_code, 403)
        with self.assertRaises(ApplicationError):
            user_grant(actor=self.alice, user=root, role=Role.LEADER, region=self.county_a)
        root.refresh_from_db()
        self.assertTrue(root.is_active)

    def test_deactivation_blocks_login_and_is_reversible(self):
        response = self.login(self.sam).post(f"/accounts/users/{self.dave.pk}/active/", {"active": "0"})
        self.assertRedirects(response, f"/accounts/users/{self.dave.pk}/", fetch_redirect_response=False)
        self.dave.refresh_from_db()
        self.assertFalse(self.dave.is_active)
        self.assertTrue(AuditEvent.objects.filter(action="user.deactivate", actor=self.sam).exists())
        self.client.logout()
        response = self.client.post("/accounts/login/", {"username": "dave", "password": PASSWORD})
        self.assertEqual(response.status_code, 200)
        self.assertIsNone(self.client.session.get("_auth_user_id"))
        self.login(self.sam).post(f"/accounts/users/{self.dave.pk}/active/", {"active": "1"})
        self.dave.refresh_from_db()
        self.assertTrue(self.dave.is_active)
        self.assertTrue(AuditEvent.objects.filter(action="user.activate").exists())

    def test_a_deactivated_users_session_ends(self):
        self.login(self.dave)
        user_set_active(actor=self.sam, user=self.dave, active=False)
        self.assertEqual(self.client.get("/").status_code, 302)
