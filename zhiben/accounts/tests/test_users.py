"""User management by the 系统管理员, the separation of the three administrators, and scope."""

from zhiben.accounts.choices import ADMIN_ROLES, ROLE_CAPABILITIES, Role
from zhiben.accounts.models import User
from zhiben.accounts.services import user_create, user_set_active, user_update
from zhiben.audit.models import AuditEvent
from zhiben.core.exceptions import ApplicationError
from zhiben.testing import PASSWORD, CastTestCase, make_user

NEW_PASSWORD = "Init-pass-2026"


def form_data(**overrides):
    data = {
        "username": "newbie",
        "name": "新人",
        "phone": "",
        "role": Role.LEADER,
        "region": "",
        "unit": "",
        "enterprise_code": "",
        "password": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    data.update(overrides)
    return data


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
        for path in ("", "edit/"):
            self.assertEqual(self.client.get(f"/accounts/users/{self.alice.pk}/{path}").status_code, 404)
        for path in ("active/", "unlock/", "reset-totp/", "reset-password/"):
            self.assertEqual(self.client.post(f"/accounts/users/{self.alice.pk}/{path}").status_code, 404)
        self.assertEqual(self.client.get(f"/accounts/users/{self.charlie.pk}/").status_code, 200)

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

    def test_it_creates_a_user_who_must_change_the_password(self):
        response = self.post(
            region=self.town_a1.code, role=Role.REGULATOR, unit=self.unit_emergency_a1.pk, phone="13900000000"
        )
        user = User.objects.get(username="newbie")
        self.assertRedirects(response, f"/accounts/users/{user.pk}/", fetch_redirect_response=False)
        self.assertEqual(
            (user.role, user.region_id, user.unit_id), (Role.REGULATOR, self.town_a1.code, self.unit_emergency_a1.pk)
        )
        self.assertTrue(user.must_change_password)
        self.assertTrue(user.check_password(NEW_PASSWORD))
        event = AuditEvent.objects.get(action="user.create")
        self.assertEqual(event.actor_id, self.sam.pk)
        self.assertEqual(event.data["after"]["role"], Role.REGULATOR)
        self.assertEqual(event.data["after"]["phone"], "139****0000")

    def test_errors_are_shown_next_to_their_fields(self):
        response = self.post(username="dave", region=self.county_a.code, password="abcdefgh", password2="abcdefgh")
        errors = response.context["form"].errors
        self.assertIn("用户名“dave”已存在。", errors["username"])
        self.assertTrue(any("3类" in m for m in errors["password"]))
        self.assertContains(response, 'class="fielderror"')
        response = self.post(region=self.county_a.code, password2="Other-pass-2026")
        self.assertIn("两次输入的密码不一致。", response.context["form"].errors["password2"])
        response = self.post(role=Role.REGULATOR, region=self.town_a1.code)
        self.assertIn("unit", response.context["form"].errors)
        response = self.post(role=Role.LEADER)
        self.assertIn("请指定管辖区划。", response.context["form"].errors["region"])
        self.assertFalse(User.objects.filter(username="newbie").exists())

    def test_every_problem_is_shown_at_once(self):
        response = self.post(
            username="dave", role=Role.REGULATOR, region=self.town_a1.code, password="abc", password2="abd"
        )
        self.assertEqual(set(response.context["form"].errors), {"username", "unit", "password", "password2"})

    def test_an_enterprise_user_takes_the_enterprise_region(self):
        self.post(role=Role.ENTERPRISE, enterprise_code=self.enterprise_a.credit_code.lower())
        user = User.objects.get(username="newbie")
        self.assertEqual((user.enterprise_id, user.region_id), (self.enterprise_a.pk, self.village_a1.code))

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
            user_create(actor=self.sam, username="x1", password=NEW_PASSWORD, role=Role.LEADER, region=self.county_b)
        self.assertEqual(caught.exception.errors[0]["field"], "region")
        with self.assertRaises(ApplicationError) as caught:
            user_create(
                actor=self.sam, username="x2", password=NEW_PASSWORD, role=Role.ENTERPRISE, enterprise=self.enterprise_b
            )
        self.assertIn("enterprise", {e["field"] for e in caught.exception.errors})
        with self.assertRaises(ApplicationError):
            user_create(actor=self.sam, username="x3", password=NEW_PASSWORD, role=Role.SYS_ADMIN, region=self.city)

    def test_a_unit_must_contain_the_users_region(self):
        response = self.post(role=Role.REGULATOR, region=self.county_a.code, unit=self.unit_emergency_a1.pk)
        self.assertIn("管辖区划须在所在单位“凤凰镇应急办”的区划之内。", response.context["form"].errors["unit"])

    def test_it_never_creates_a_superuser(self):
        self.post(region=self.county_a.code, is_superuser="on", is_staff="on")
        user = User.objects.get(username="newbie")
        self.assertFalse(user.is_superuser or user.is_staff)

    def test_one_person_holds_one_administrator_role(self):
        self.post(username="sec2", role=Role.SEC_ADMIN, region=self.county_a.code, phone="13911112222")
        response = self.post(username="aud2", role=Role.AUDIT_ADMIN, region=self.county_a.code, phone="13911112222")
        self.assertTrue(any("三员须由不同人员担任" in m for m in response.context["form"].errors["phone"]))
        self.assertFalse(User.objects.filter(username="aud2").exists())
        self.post(username="sec3", role=Role.SEC_ADMIN, region=self.county_a.code, phone="13911112222")
        self.assertTrue(User.objects.filter(username="sec3").exists())  # the same role twice is not a separation issue

    def test_the_three_administrator_roles_have_disjoint_rights(self):
        # reading the account list is shared by the system and security administrators; every right to act is not
        admin_caps = [ROLE_CAPABILITIES[role] - {"user.view"} for role in ADMIN_ROLES]
        for i, caps in enumerate(admin_caps):
            for other in admin_caps[i + 1 :]:
                self.assertFalse(caps & other)
            self.assertFalse({c for c in caps if c.startswith("enterprise.")})
        self.assertTrue(
            self.sam.can("user.manage") and not self.sam.can("audit.view") and not self.sam.can("security.manage")
        )
        self.assertTrue(
            self.sid.can("security.manage") and not self.sid.can("user.manage") and not self.sid.can("audit.view")
        )
        self.assertTrue(
            self.aud.can("audit.view") and not self.aud.can("user.view") and not self.aud.can("security.manage")
        )


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
        with self.assertRaises(ApplicationError):
            user_create(actor=self.aud, username="x", password=NEW_PASSWORD, role=Role.LEADER, region=self.county_a)
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
        with self.assertRaises(ApplicationError):
            user_create(actor=self.sid, username="x", password=NEW_PASSWORD, role=Role.LEADER, region=self.county_a)

    def test_committee_admin_reads_users_but_cannot_manage_them(self):
        self.login(self.alice)
        self.assertEqual(self.client.get("/accounts/users/").status_code, 200)
        self.assertEqual(self.client.get(f"/accounts/users/{self.dave.pk}/").status_code, 200)
        self.assertEqual(self.client.get("/accounts/users/new/").status_code, 403)
        self.assertEqual(self.client.get(f"/accounts/users/{self.dave.pk}/edit/").status_code, 403)


class UserEditTests(CastTestCase):
    def edit(self, target, **overrides):
        data = {
            "name": target.name,
            "phone": target.phone,
            "role": target.role,
            "region": target.region_id or "",
            "unit": target.unit_id or "",
            "enterprise_code": target.enterprise.credit_code if target.enterprise_id else "",
        }
        data.update(overrides)
        return self.login(self.sam).post(f"/accounts/users/{target.pk}/edit/", data)

    def test_it_changes_role_and_region_with_an_audited_diff(self):
        response = self.edit(self.dave, role=Role.GRID, region=self.village_a1.code, name="戴维")
        self.assertRedirects(response, f"/accounts/users/{self.dave.pk}/", fetch_redirect_response=False)
        self.dave.refresh_from_db()
        self.assertEqual(
            (self.dave.role, self.dave.region_id, self.dave.name), (Role.GRID, self.village_a1.code, "戴维")
        )
        event = AuditEvent.objects.get(action="user.update")
        self.assertEqual(event.data["changes"]["role"], [Role.LEADER, Role.GRID])
        self.assertEqual(event.data["changes"]["region"], [self.county_a.code, self.village_a1.code])

    def test_the_form_starts_with_the_current_values(self):
        response = self.login(self.sam).get(f"/accounts/users/{self.erin.pk}/edit/")
        self.assertEqual(response.context["form"]["role"].value(), Role.REGULATOR)
        self.assertEqual(response.context["form"]["unit"].value(), self.unit_emergency_a1.pk)
        self.assertNotIn("password", response.context["form"].fields)

    def test_changing_an_administrator_role_replaces_it(self):
        self.edit(self.aud, role=Role.SEC_ADMIN)
        self.aud.refresh_from_db()
        self.assertEqual(self.aud.role, Role.SEC_ADMIN)
        self.assertFalse(self.aud.can("audit.view"))
        self.assertTrue(self.aud.can("security.manage"))

    def test_nobody_changes_their_own_role_or_deactivates_themselves(self):
        response = self.edit(self.sam, role=Role.AUDIT_ADMIN)
        self.assertIn("role", response.context["form"].errors)
        self.assertEqual(self.client.post(f"/accounts/users/{self.sam.pk}/active/", {"active": "0"}).status_code, 403)
        self.sam.refresh_from_db()
        self.assertEqual((self.sam.role, self.sam.is_active), (Role.SYS_ADMIN, True))
        self.assertRedirects(
            self.edit(self.sam, name="山姆", phone="13700000000"),
            f"/accounts/users/{self.sam.pk}/",
            fetch_redirect_response=False,
        )

    def test_it_cannot_move_a_user_out_of_its_jurisdiction(self):
        response = self.edit(self.dave, region=self.county_b.code)
        self.assertIn("region", response.context["form"].errors)
        with self.assertRaises(ApplicationError):
            user_update(actor=self.sam, user=self.dave, data={"region": self.county_b})
        self.dave.refresh_from_db()
        self.assertEqual(self.dave.region_id, self.county_a.code)

    def test_superusers_are_out_of_reach(self):
        root = make_user("root", Role.SYS_ADMIN, self.county_a, is_superuser=True)
        self.assertEqual(self.edit(root, name="x").status_code, 403)
        self.assertEqual(self.client.post(f"/accounts/users/{root.pk}/active/", {"active": "0"}).status_code, 403)
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
