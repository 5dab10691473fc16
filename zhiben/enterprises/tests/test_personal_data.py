"""The contacts' phones are encrypted at rest (等保 8.1.4.8): every way in (form, API, Excel import,
update) stores them encrypted with a blind index; a phone typed in full finds its enterprise, part of
one finds nothing; the list and the export mask them, the detail page shows them to users in scope;
the migration encrypts rows written before."""

import importlib
import io

from django.apps import apps
from django.db import connection

from zhiben.core import crypto
from zhiben.enterprises.importers import import_file
from zhiben.enterprises.models import Enterprise
from zhiben.enterprises.services import enterprise_update
from zhiben.testing import CastTestCase, make_enterprise

from .utils import code, read_xlsx, row, xlsx

PHONES = ("principal_phone", "controller_phone", "safety_manager_phone")
MIGRATION = "zhiben.enterprises.migrations.0002_encrypt_phones"


def raw(enterprise, column):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM enterprises_enterprise WHERE id = %s", [enterprise.pk])
        return cursor.fetchone()[0]


class EnterprisePhoneTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.phoned = make_enterprise(
            cls.village_a1,
            "machinery",
            name="联系电话企业",
            principal_phone="13812345678",
            controller_phone="13987654321",
            safety_manager_phone="02361234567",
        )

    def assert_sealed(self, enterprise, expected):
        """Each phone column holds ciphertext of the expected number, with its index beside it."""
        for field, phone in zip(PHONES, expected, strict=True):
            stored = raw(enterprise, field)
            if not phone:
                self.assertEqual((stored, raw(enterprise, f"{field}_index")), ("", ""), field)
                continue
            self.assertTrue(crypto.is_encrypted(stored), field)
            self.assertNotIn(phone, stored)
            self.assertEqual(crypto.decrypt(stored), phone)
            self.assertEqual(raw(enterprise, f"{field}_index"), crypto.blind_index(phone), field)

    def test_phones_are_stored_encrypted_and_read_back_in_clear(self):
        self.assert_sealed(self.phoned, ("13812345678", "13987654321", "02361234567"))
        fresh = Enterprise.objects.get(pk=self.phoned.pk)
        self.assertEqual([getattr(fresh, f) for f in PHONES], ["13812345678", "13987654321", "02361234567"])

    def test_the_form_and_the_service_update_store_them_encrypted(self):
        response = self.login(self.alice).post(
            "/enterprises/new/",
            {
                "credit_code": code(801),
                "name": "表单企业",
                "region": self.village_a1.code,
                "industry": "hazchem",
                "principal_phone": "138 0000 1111",
                "status": "operating",
            },
        )
        self.assertEqual(
            response.status_code, 302, getattr(response, "context", None) and response.context["form"].errors
        )
        created = Enterprise.objects.get(credit_code=code(801))
        self.assert_sealed(created, ("13800001111", "", ""))
        enterprise_update(actor=self.alice, enterprise=created, data={"controller_phone": "13900002222"})
        self.assert_sealed(created, ("13800001111", "13900002222", ""))

    def test_the_api_stores_them_encrypted_and_the_detail_returns_them(self):
        self.login(self.alice)
        response = self.client.post(
            "/api/v1/enterprises/",
            {
                "credit_code": code(802),
                "name": "接口企业",
                "region": self.village_a1.code,
                "industry": "hazchem",
                "safety_manager_phone": "13700003333",
            },
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(response.json()["safety_manager_phone"], "13700003333")
        self.assert_sealed(Enterprise.objects.get(credit_code=code(802)), ("", "", "13700003333"))

    def test_the_excel_import_stores_plain_phones_from_the_file_encrypted(self):
        content = xlsx([row(1, 联系电话="13811112222"), row(2, 联系电话="023-6123 4567"), row(3, 联系电话="")])
        self.assertEqual(import_file(actor=self.alice, source=io.BytesIO(content), filename="a.xlsx"), {"created": 3})
        imported = {
            e.credit_code: e for e in Enterprise.objects.filter(credit_code__in=[code(9001), code(9002), code(9003)])
        }
        self.assert_sealed(imported[code(9001)], ("13811112222", "", ""))
        self.assert_sealed(imported[code(9002)], ("02361234567", "", ""))
        self.assert_sealed(imported[code(9003)], ("", "", ""))
        self.assertEqual(imported[code(9001)].principal_phone, "13811112222")
        found = self.login(self.alice).get("/enterprises/?q=13811112222").context["page"]
        self.assertEqual([e.credit_code for e in found], [code(9001)])

    def test_a_phone_typed_in_full_finds_the_enterprise_part_of_one_nothing(self):
        self.login(self.alice)

        def names(q):
            return [e.name for e in self.client.get("/enterprises/", {"q": q}).context["page"]]

        for phone in ("13812345678", "138 1234 5678", "13987654321", "02361234567", "023-6123-4567"):
            self.assertEqual(names(phone), ["联系电话企业"], phone)
        for part in ("1381234567", "12345678", "5678", "138****5678"):
            self.assertEqual(names(part), [], part)
        self.assertEqual(names("联系电话"), ["联系电话企业"])  # the other columns are searched as before
        self.assertEqual(
            [e["name"] for e in self.client.get("/api/v1/enterprises/", {"q": "13987654321"}).json()["items"]],
            ["联系电话企业"],
        )
        self.login(self.charlie)  # another county: the number finds nothing there
        self.assertEqual(names("13812345678"), [])

    def test_the_list_and_the_export_mask_the_detail_shows_in_full_in_scope(self):
        self.login(self.alice)
        listed = self.client.get("/enterprises/?industry=machinery")
        self.assertContains(listed, "138****5678")
        self.assertNotContains(listed, "13812345678")
        sheet = read_xlsx(self.client.get("/enterprises/export/?industry=machinery").content)
        exported = dict(zip(sheet[0], sheet[1], strict=True))
        self.assertEqual(
            (exported["主要负责人电话"], exported["实际控制人电话"], exported["安全管理人员电话"]),
            ("138****5678", "139****4321", "023******67"),
        )
        self.assertNotIn("13812345678", str(sheet))
        detail = self.client.get(f"/enterprises/{self.phoned.pk}/")
        for phone in ("13812345678", "13987654321", "02361234567"):
            self.assertContains(detail, phone)
        self.assertEqual(self.login(self.charlie).get(f"/enterprises/{self.phoned.pk}/").status_code, 404)
        self.assertEqual(self.client.get(f"/api/v1/enterprises/{self.phoned.pk}").status_code, 404)

    def test_the_migration_encrypts_existing_rows(self):
        migration = importlib.import_module(MIGRATION).Migration
        operation = migration.operations[-1]
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE enterprises_enterprise SET principal_phone = %s, controller_phone = %s,"
                " principal_phone_index = '', controller_phone_index = '' WHERE id = %s",
                ["138 1234 5678", "13900000000", self.enterprise_a.pk],
            )
        sealed_before = raw(self.phoned, "principal_phone")
        editor = connection.schema_editor()  # not entered: the operation only needs its connection
        operation.code(apps, editor)
        self.assert_sealed(self.enterprise_a, ("138 1234 5678", "13900000000", ""))
        self.assertEqual(raw(self.phoned, "principal_phone"), sealed_before)  # never encrypted twice
        self.assertEqual(
            set(Enterprise.objects.filter(principal_phone="13812345678").values_list("pk", flat=True)),
            {self.enterprise_a.pk, self.phoned.pk},
        )
        operation.reverse_code(apps, editor)
        self.assertEqual(raw(self.enterprise_a, "principal_phone"), "138 1234 5678")
        self.assertEqual(raw(self.phoned, "controller_phone"), "13987654321")
        self.assertEqual(raw(self.phoned, "controller_phone_index"), "")
