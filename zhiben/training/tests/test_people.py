"""People: identity numbers checked by GB 11643-1999, encrypted at rest (no clear digits in the raw
column), found by blind index, refused when duplicated, shown masked; rights and scope."""

from django.db import connection
from django.urls import reverse

from zhiben.core.exceptions import ApplicationError, ScopeError

from .. import services
from ..models import Person
from .helpers import TrainingCase, identity


class IdentityNumberTests(TrainingCase):
    def test_check_digit_of_the_standard_example(self):
        # GB 11643-1999 example: 11010519491231002X
        self.assertIsNone(services.identity_error("11010519491231002X"))
        self.assertIsNone(services.identity_error("11010519491231002x"))
        self.assertIn("校验码", services.identity_error("110105194912310021"))

    def test_wrong_length_and_date(self):
        self.assertIn("18 位", services.identity_error("11010519491231"))
        self.assertIn("出生日期", services.identity_error("110105194913310020"))
        self.assertIn("不能为空", services.identity_error(""))

    def test_bad_number_refused_nothing_written(self):
        with self.assertRaises(ApplicationError) as caught:
            services.person_save(
                actor=self.alice,
                data={
                    "name": "张三",
                    "kind": "worker",
                    "enterprise": self.enterprise_a.pk,
                    "id_number": "110105194912310021",
                },
            )
        self.assertEqual(caught.exception.errors[0]["field"], "id_number")
        self.assertIn("校验码", caught.exception.message)
        self.assertFalse(Person.objects.exists())


class EncryptionTests(TrainingCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.number = identity(7, born="19851212")
        cls.worker = cls.person("张三", cls.enterprise_a, id_number=cls.number, actor=cls.alice)

    def test_raw_column_holds_no_clear_digits(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT id_number, id_index FROM training_person WHERE id = %s", [self.worker.pk])
            raw, index = cursor.fetchone()
        self.assertTrue(raw.startswith("enc1:"))
        self.assertNotIn(self.number, raw)
        self.assertNotIn(self.number[6:14], raw)
        self.assertNotIn(self.number, index)
        self.assertEqual(Person.objects.get(pk=self.worker.pk).id_number, self.number)

    def test_lookup_by_blind_index(self):
        self.assertEqual(services.find_person(self.number.lower()).pk, self.worker.pk)
        self.assertEqual(Person.objects.get(id_number=self.number).pk, self.worker.pk)

    def test_masked(self):
        self.assertEqual(self.worker.id_masked, self.number[:6] + "********" + self.number[-4:])

    def test_duplicate_refused(self):
        with self.assertRaises(ApplicationError) as caught:
            self.person("张三二", self.enterprise_a, id_number=self.number, actor=self.alice)
        self.assertIn("已登记", caught.exception.message)
        self.assertEqual(Person.objects.count(), 1)

    def test_pages_show_masked_only(self):
        client = self.login(self.alice)
        for url in (
            reverse("training:people"),
            reverse("training:person", args=[self.worker.pk]),
            reverse("training:enterprise_file", args=[self.enterprise_a.pk]),
        ):
            page = client.get(url)
            self.assertEqual(page.status_code, 200, url)
            self.assertNotContains(page, self.number)
            self.assertContains(page, self.worker.id_masked)
        export = client.get(reverse("training:person_export"))
        self.assertNotIn(self.number.encode(), export.content)

    def test_audit_masks_the_number(self):
        from zhiben.audit.models import AuditEvent

        event = AuditEvent.objects.filter(action="training.person_add").latest("pk")
        self.assertNotIn(self.number, str(event.data))

    def test_search_by_identity_number(self):
        page = self.login(self.alice).get(reverse("training:people"), {"id_number": self.number})
        self.assertContains(page, "张三")
        page = self.login(self.alice).get(reverse("training:people"), {"id_number": identity(8)})
        self.assertNotContains(page, "张三")


class RightsAndScopeTests(TrainingCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.worker_b = cls.person("西彭工人", cls.enterprise_b, actor=cls.charlie)

    def test_other_county_person_is_404(self):
        self.assertEqual(
            self.login(self.alice).get(reverse("training:person", args=[self.worker_b.pk])).status_code, 404
        )
        self.assertEqual(
            self.login(self.charlie).get(reverse("training:person", args=[self.worker_b.pk])).status_code, 200
        )

    def test_cannot_register_in_other_county(self):
        with self.assertRaises(ScopeError):
            self.person("越权", self.enterprise_b, actor=self.alice)

    def test_leader_may_view_not_manage(self):
        self.assertEqual(self.login(self.dave).get(reverse("training:people")).status_code, 200)
        self.assertEqual(self.login(self.dave).get(reverse("training:person_new")).status_code, 403)
        with self.assertRaises(ApplicationError) as caught:
            self.person("领导", self.enterprise_a, actor=self.dave)
        self.assertEqual(caught.exception.code, "forbidden")

    def test_system_admin_refused(self):
        self.assertEqual(self.login(self.sam).get(reverse("training:people")).status_code, 403)

    def test_enterprise_user_registers_own_people_only(self):
        person = self.person("本企业", self.enterprise_a_construction, actor=self.emma)
        self.assertEqual(person.enterprise_id, self.emma.enterprise_id)  # own enterprise forced
        self.assertEqual(
            self.login(self.emma).get(reverse("training:person", args=[self.worker_b.pk])).status_code, 404
        )

    def test_official_needs_unit(self):
        with self.assertRaises(ApplicationError) as caught:
            services.person_save(actor=self.alice, data={"name": "领导", "kind": "official", "id_number": identity(99)})
        self.assertEqual(caught.exception.errors[0]["field"], "unit")

    def test_new_person_page(self):
        client = self.login(self.alice)
        number = identity(55)
        page = client.post(
            reverse("training:person_new"),
            {
                "name": "李四",
                "kind": "worker",
                "enterprise": self.enterprise_a.pk,
                "id_number": number,
                "post": "焊工",
                "special_post": "on",
                "special_category": "welding",
            },
        )
        self.assertEqual(page.status_code, 302)
        person = Person.objects.get(name="李四")
        self.assertTrue(person.special_post)
        page = client.post(
            reverse("training:person_new"),
            {
                "name": "王五",
                "kind": "worker",
                "enterprise": self.enterprise_a.pk,
                "id_number": number[:-1] + "0" if number[-1] != "0" else number[:-1] + "1",
            },
        )
        self.assertContains(page, "校验码不正确")


class EditTests(TrainingCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.number = identity(77)
        cls.worker = cls.person("赵六", cls.enterprise_a, id_number=cls.number, actor=cls.alice)
        cls.other = cls.person("钱七", cls.enterprise_a, id_number=identity(78), actor=cls.alice)

    def test_edit_keeps_the_number_when_left_blank(self):
        client = self.login(self.alice)
        page = client.get(reverse("training:person_edit", args=[self.worker.pk]))
        self.assertContains(page, self.worker.id_masked)
        self.assertNotContains(page, self.number)
        response = client.post(
            reverse("training:person_edit", args=[self.worker.pk]),
            {
                "name": "赵六",
                "kind": "worker",
                "enterprise": self.enterprise_a.pk,
                "post": "电工",
                "special_post": "on",
                "special_category": "electrical",
                "id_number": "",
                "active": "on",
            },
        )
        self.assertEqual(response.status_code, 302)
        self.worker.refresh_from_db()
        self.assertEqual(
            (self.worker.post, self.worker.special_category, self.worker.id_number), ("电工", "electrical", self.number)
        )

    def test_edit_refuses_another_persons_number(self):
        page = self.login(self.alice).post(
            reverse("training:person_edit", args=[self.worker.pk]),
            {
                "name": "赵六",
                "kind": "worker",
                "enterprise": self.enterprise_a.pk,
                "id_number": identity(78),
                "active": "on",
            },
        )
        self.assertContains(page, "已登记（钱七）")

    def test_edit_refused_out_of_scope_and_for_viewers(self):
        self.assertEqual(
            self.login(self.charlie).get(reverse("training:person_edit", args=[self.worker.pk])).status_code, 404
        )
        self.assertEqual(
            self.login(self.dave).get(reverse("training:person_edit", args=[self.worker.pk])).status_code, 403
        )
        with self.assertRaises(ScopeError):
            services.person_save(actor=self.charlie, data={"name": "x"}, person=self.worker)

    def test_duplicate_in_another_county_not_named(self):
        with self.assertRaises(ApplicationError) as caught:
            self.person("重复", self.enterprise_b, id_number=self.number, actor=self.charlie)
        self.assertIn("在其他辖区或单位", caught.exception.message)
        self.assertNotIn("赵六", caught.exception.message)
