"""Field encryption beyond the primitives: the blind-index convention (`index_field`), lookups through
the index, sealing in bulk inserts, and key rotation by `rotate_field_keys`."""

import base64
from contextlib import contextmanager
from io import StringIO

from django.conf import settings
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import SimpleTestCase, override_settings

from zhiben.accounts.models import User
from zhiben.core import crypto
from zhiben.core.db import insert_rows, row_instance
from zhiben.enterprises.models import Enterprise
from zhiben.enterprises.selectors import enterprise_list
from zhiben.notifications.models import Notification
from zhiben.notifications.services import notify
from zhiben.testing import CastTestCase, make_enterprise

KEY_A = "a:" + base64.b64encode(b"A" * 32).decode()
KEY_B = "b:" + base64.b64encode(b"B" * 32).decode()


@contextmanager
def field_keys(spec, cipher="aes"):
    """Run with these field keys (and cipher), then go back to the test settings' keys."""
    try:
        with override_settings(FIELD_ENCRYPTION_KEYS=spec, FIELD_CIPHER=cipher):
            crypto.reset_keys()
            yield
    finally:
        crypto.reset_keys()


def stored_values():
    """Every non-empty stored value of every encrypted column: [(table, column, pk, raw value)]."""
    found = []
    quote = connection.ops.quote_name
    for model, columns in crypto.encrypted_tables():
        table, pk = model._meta.db_table, model._meta.pk.column
        with connection.cursor() as cursor:
            for column in columns:
                cursor.execute(
                    f"SELECT {quote(pk)}, {quote(column)} FROM {quote(table)} WHERE {quote(column)} <> ''"
                    f" AND {quote(column)} IS NOT NULL"
                )
                found += [(table, column, pk_value, value) for pk_value, value in cursor.fetchall()]
    return found


def raw(model, pk, column):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {model._meta.db_table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def rotate(*args):
    out = StringIO()
    call_command("rotate_field_keys", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


class IndexConventionTests(CastTestCase):
    def test_index_field_is_part_of_the_field_and_its_migrations(self):
        field = Enterprise._meta.get_field("principal_phone")
        self.assertEqual(field.index_field, "principal_phone_index")
        self.assertEqual(field.deconstruct()[3]["index_field"], "principal_phone_index")
        self.assertEqual(crypto.index_field_of(field).name, "principal_phone_index")
        # accounts' BlindIndexField(source="phone") is recognised too
        self.assertEqual(crypto.index_field_of(User._meta.get_field("phone")).name, "phone_index")
        self.assertIsNone(crypto.index_field_of(User._meta.get_field("totp_secret")))

    def test_the_project_declares_its_encrypted_fields(self):
        tables = {model._meta.label: columns for model, columns in crypto.encrypted_tables()}
        self.assertEqual(
            tables["enterprises.Enterprise"],
            {
                "principal_phone": "principal_phone_index",
                "controller_phone": "controller_phone_index",
                "safety_manager_phone": "safety_manager_phone_index",
            },
        )
        self.assertEqual(tables["notifications.Notification"], {"to_address": "to_address_index"})
        self.assertEqual(tables["accounts.User"], {"phone": "phone_index", "totp_secret": None})

    def test_every_save_recomputes_the_index_of_what_it_writes(self):
        enterprise = make_enterprise(self.village_a1, principal_phone="13812345678")
        self.assertEqual(raw(Enterprise, enterprise.pk, "principal_phone_index"), crypto.blind_index("13812345678"))
        enterprise.principal_phone = "13900000000"
        enterprise.save(update_fields=["principal_phone"])
        self.assertEqual(raw(Enterprise, enterprise.pk, "principal_phone_index"), crypto.blind_index("13900000000"))
        enterprise.principal_phone = ""
        enterprise.save()
        self.assertEqual(raw(Enterprise, enterprise.pk, "principal_phone_index"), "")
        self.assertEqual(raw(Enterprise, enterprise.pk, "principal_phone"), "")

    def test_exact_and_in_lookups_compare_the_blind_index(self):
        enterprise = make_enterprise(self.village_a1, principal_phone="13812345678")
        self.assertEqual(list(Enterprise.objects.filter(principal_phone="138-1234-5678")), [enterprise])
        self.assertEqual(list(Enterprise.objects.filter(principal_phone__in=["1", "13812345678"])), [enterprise])
        self.assertFalse(Enterprise.objects.filter(principal_phone="1381234567").exists())
        self.assertEqual(Enterprise.objects.filter(controller_phone="").count(), Enterprise.objects.count())
        self.assertEqual(list(Enterprise.objects.exclude(principal_phone="")), [enterprise])
        self.assertTrue(Enterprise.objects.filter(safety_manager_phone__isnull=False).exists())

    def test_lookups_that_cannot_work_on_ciphertext_are_refused(self):
        with self.assertRaises(FieldError):
            list(Enterprise.objects.filter(principal_phone__contains="1381"))
        with self.assertRaises(FieldError):
            list(Enterprise.objects.filter(principal_phone__startswith="138"))
        with self.assertRaises(FieldError):  # no blind index: an exact lookup could never match
            list(User.objects.filter(totp_secret="JBSWY3DPEHPK3PXP"))

    def test_bulk_insert_seals_clear_values_and_fills_the_index(self):
        sealed = crypto.encrypt("13900000002")
        values = {"credit_code": "91500106MA0000001X", "name": "批量插入"}
        values |= {"principal_phone": "13800000001", "controller_phone": sealed}  # clear, and already sealed
        fields = [f for f in Enterprise._meta.concrete_fields if not f.primary_key and not f.name.endswith("_index")]
        row = [
            values[f.name]
            if f.name in values
            else f.get_db_prep_save(getattr(self.enterprise_a, f.attname), connection)
            for f in fields
        ]
        insert_rows(Enterprise, [f.column for f in fields], [row])
        row = Enterprise.objects.get(name="批量插入")
        for column, phone in (("principal_phone", "13800000001"), ("controller_phone", "13900000002")):
            stored = raw(Enterprise, row.pk, column)
            self.assertTrue(crypto.is_encrypted(stored))
            self.assertEqual(crypto.decrypt(stored), phone)  # sealed once, not twice
            self.assertEqual(raw(Enterprise, row.pk, f"{column}_index"), crypto.blind_index(phone))
        self.assertEqual(raw(Enterprise, row.pk, "controller_phone"), sealed)
        self.assertEqual(raw(Enterprise, row.pk, "safety_manager_phone_index"), "")

    def test_a_row_read_by_hand_is_converted_as_the_orm_converts_it(self):
        # row_instance (the intake's and the token's hand-written reads): sealed phones opened, aware datetimes
        Enterprise.objects.filter(pk=self.enterprise_a.pk).update(principal_phone="13800000001")
        fields = Enterprise._meta.concrete_fields
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {columns} FROM enterprises_enterprise WHERE id = %s", [self.enterprise_a.pk])
            read = row_instance(Enterprise, fields, cursor.fetchone())
        expected = Enterprise.objects.get(pk=self.enterprise_a.pk)
        for field in fields:
            self.assertEqual(getattr(read, field.attname), getattr(expected, field.attname), field.name)
        self.assertEqual(read.principal_phone, "13800000001")
        self.assertIsNotNone(read.created_at.tzinfo)
        self.assertFalse(read._state.adding)


class RotationTests(CastTestCase):
    def make_data(self):
        self.enterprise = make_enterprise(
            self.village_a1, principal_phone="13812345678", controller_phone="13987654321", safety_manager_phone=""
        )
        self.dave.phone = "13700000007"
        self.dave.save()
        notify(subject="测试", contacts=[("王总", "13600000006")], region_code=self.village_a1.code)

    def found(self):
        """What a search finds for each number, through the blind indexes."""
        return (
            [e.pk for e in enterprise_list(user=self.alice, filters={"q": "13812345678"})],
            [e.pk for e in enterprise_list(user=self.alice, filters={"q": "13987654321"})],
            list(Notification.objects.filter(to_address="13600000006").values_list("to_address", flat=True)),
            list(User.objects.filter(phone="13700000007").values_list("username", flat=True)),
        )

    def expected(self):
        return ([self.enterprise.pk], [self.enterprise.pk], ["13600000006"], ["dave"])

    def test_rotating_from_key_a_to_key_b(self):
        with field_keys(KEY_A):
            self.make_data()
            under_a = stored_values()
            self.assertEqual(len(under_a), 4)
            self.assertTrue(all(value.startswith("enc1:a:aes:") for *_, value in under_a))
            self.assertEqual(self.found(), self.expected())
        with field_keys(f"{KEY_B},{KEY_A}"):
            self.assertEqual(self.found(), self.expected())  # before the rotation: found under the old index
            out = rotate("--dry-run")
            self.assertIn("需改写 3 行", out.splitlines()[-1])  # the enterprise, dave and the SMS
            self.assertEqual(stored_values(), under_a)  # the dry run wrote nothing
            out = rotate("--batch-size", "1")
            self.assertIn("当前密钥 b", out)
            self.assertIn("已检查 1/", out)  # progress per batch
            self.assertIn("完成：", out)
            after = stored_values()
            self.assertEqual(len(after), 4)
            self.assertTrue(all(value.startswith("enc1:b:aes:") for *_, value in after), after)
            self.assertEqual(self.found(), self.expected())
            self.assertIn("已改写 0 行", rotate().splitlines()[-1])  # nothing left to rotate
        with field_keys(KEY_B):  # key A gone: everything still opens and is still found
            self.assertEqual(self.found(), self.expected())
            self.enterprise.refresh_from_db()
            self.assertEqual(
                (self.enterprise.principal_phone, self.enterprise.controller_phone), ("13812345678", "13987654321")
            )
            self.assertEqual(User.objects.get(pk=self.dave.pk).phone, "13700000007")

    def test_switching_to_sm4_and_encrypting_clear_text_left_from_before(self):
        self.make_data()  # under the development key
        with connection.cursor() as cursor:  # a value written before encryption was switched on
            cursor.execute(
                "UPDATE enterprises_enterprise SET safety_manager_phone = '13500000005', "
                "safety_manager_phone_index = '' WHERE id = %s",
                [self.enterprise.pk],
            )
        dev = "dev:" + base64.b64encode(crypto._derive(settings.SECRET_KEY, "field-key", 32)).decode()
        with field_keys(f"{KEY_B},{dev}", cipher="sm4"):
            rotate()
            values = stored_values()
            self.assertEqual(len(values), 5)
            self.assertTrue(all(value.startswith("enc1:b:sm4:") for *_, value in values), values)
            self.assertEqual(
                [e.pk for e in enterprise_list(user=self.alice, filters={"q": "13500000005"})], [self.enterprise.pk]
            )
            self.assertEqual(self.found(), self.expected())

    def test_values_no_key_opens_are_reported_and_the_rest_rotated(self):
        with field_keys(KEY_A):
            self.make_data()
        with connection.cursor() as cursor:
            cursor.execute("UPDATE accounts_user SET phone = '13300000003' WHERE id = %s", [self.erin.pk])
        with field_keys(KEY_B):  # key A lost
            with self.assertRaisesMessage(CommandError, "4 处数据无法用已配置的密钥解开"):
                rotate()
            self.assertTrue(raw(User, self.erin.pk, "phone").startswith("enc1:b:aes:"))
            self.assertEqual(User.objects.get(phone="13300000003"), self.erin)
        with field_keys(KEY_A):
            self.assertEqual(self.found(), self.expected())  # left alone, still readable with A


class MaskDataTests(SimpleTestCase):
    """mask_data searches the data written out as JSON first; it must mask exactly what walking every string does."""

    def test_numbers_inside_nested_strings_are_masked(self):
        data = {"records": [[1, 7, "联系人 13812345678"], [2, 8, "身份证 110105199001011234"]], "n": 2}
        self.assertEqual(
            crypto.mask_data(data),
            {"records": [[1, 7, "联系人 138****5678"], [2, 8, "身份证 110105********1234"]], "n": 2},
        )

    def test_data_without_personal_numbers_comes_back_unchanged(self):
        data = {"records": [[n, n, f"YH500106202600{n:04d}"] for n in range(1000)], "source": "台账.xlsx"}
        self.assertIs(crypto.mask_data(data), data)
        self.assertEqual(crypto.mask_data({"phone": 13812345678}), {"phone": 13812345678})  # numbers stay as given

    def test_a_control_character_before_a_number_does_not_hide_it(self):
        # JSON writes \x01 as \u0001: its last digit runs into the identity number in the written text
        self.assertEqual(crypto.mask_data(["\x01110105199001011234"]), ["\x01110105********1234"])
        self.assertEqual(crypto.mask_data({"a": "备注\x0213812345678"}), {"a": "备注\x02138****5678"})
