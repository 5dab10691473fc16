"""The keyed chain (等保 安全审计): HMAC under a key outside the database, a signed head, re-sealing an
older chain, and personal data masked before an event is hashed and stored."""

import hashlib
import importlib
import json
from io import StringIO
from unittest import mock

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings

from zhiben.audit.models import AuditEvent, AuditHead
from zhiben.audit.services import (
    GENESIS,
    HASHED_FIELDS,
    audit_entry,
    audit_record,
    audit_record_many,
    audit_verify,
    unkeyed_hash,
)
from zhiben.testing import CastTestCase

OTHER_KEY = "another-audit-key-kept-somewhere-else-0123456789"


def rows():
    fields = [f for f in HASHED_FIELDS if f != "prev_hash"]
    return list(AuditEvent.objects.order_by("seq").values("id", *fields, "prev_hash", "hash"))


def reseal_plain(start_seq=1, changes=None):
    """What someone with database access but no key can do: change rows, then recompute every hash
    from `start_seq` on with plain SHA-256 (the old scheme) and move the head along."""
    prev = GENESIS
    for row in rows():
        if row["seq"] < start_seq:
            prev = row["hash"]
            continue
        row.update((changes or {}).get(row["seq"], {}))
        row["prev_hash"] = prev
        prev = unkeyed_hash(row)
        AuditEvent.objects.filter(pk=row["id"]).update(
            prev_hash=row["prev_hash"], hash=prev, object_repr=row["object_repr"], data=row["data"]
        )
    AuditHead.objects.filter(pk=1).update(hash=prev)


def sql(statement, params):
    with connection.cursor() as cursor:
        cursor.execute(statement.format(table=AuditEvent._meta.db_table), params)


class KeyedChainTests(CastTestCase):
    def setUp(self):
        for i in range(5):
            audit_record(actor=self.alice, action="test.event", obj=self.enterprise_a, data={"i": i})

    def test_rewriting_a_row_and_recomputing_plain_sha256_hashes_is_detected(self):
        target = AuditEvent.objects.get(seq=3)
        reseal_plain(start_seq=3, changes={3: {"object_repr": "篡改后的对象", "data": {"i": 99}}})
        ok, message = audit_verify()
        self.assertFalse(ok)
        self.assertIn("#3", message)
        self.assertIn("不带密钥的 SHA-256", message)
        with self.assertRaises(CommandError):
            call_command("audit_verify", stdout=StringIO())
        target.refresh_from_db()
        self.assertEqual(target.object_repr, "篡改后的对象")

    def test_the_hash_is_keyed_by_the_configured_key(self):
        self.assertTrue(audit_verify()[0])
        event = AuditEvent.objects.get(seq=1)
        self.assertNotEqual(event.hash, unkeyed_hash(rows()[0]))
        with override_settings(AUDIT_KEY=OTHER_KEY):
            ok, message = audit_verify()
        self.assertFalse(ok)
        self.assertIn("#1", message)

    def test_cutting_the_tail_and_moving_the_head_back_is_detected(self):
        fourth = AuditEvent.objects.get(seq=4)
        sql("DELETE FROM {table} WHERE seq = %s", [5])
        AuditHead.objects.filter(pk=1).update(seq=4, hash=fourth.hash)
        ok, message = audit_verify()
        self.assertFalse(ok)
        self.assertIn("链头", message)

    def test_the_detail_page_checks_the_keyed_hash(self):
        event = AuditEvent.objects.get(seq=2)
        response = self.login(self.aud).get(f"/audit/{event.pk}/")
        self.assertTrue(response.context["hash_ok"])
        reseal_plain(start_seq=2, changes={2: {"object_repr": "改"}})
        response = self.client.get(f"/audit/{event.pk}/")
        self.assertFalse(response.context["hash_ok"])


class RekeyTests(CastTestCase):
    """An older chain (plain SHA-256, as written before the key) is checked, then re-sealed."""

    def setUp(self):
        for i in range(4):
            audit_record(
                actor=self.alice, action="test.event", obj=self.enterprise_a, data={"i": i}, object_repr=f"事件{i}"
            )
        reseal_plain()  # as an earlier version wrote it
        AuditHead.objects.filter(pk=1).update(mac="")
        self.assertFalse(audit_verify()[0])

    def test_audit_rekey_reseals_a_valid_unkeyed_chain(self):
        out = StringIO()
        call_command("audit_rekey", stdout=out)
        self.assertIn("4 条", out.getvalue())
        self.assertTrue(audit_verify()[0], audit_verify()[1])
        event = AuditEvent.objects.order_by("-seq").first()
        self.assertEqual(event.action, "audit.rekey")
        self.assertEqual(event.data["events"], 4)
        self.assertEqual(
            list(AuditEvent.objects.order_by("seq").values_list("object_repr", flat=True))[:4],
            [f"事件{i}" for i in range(4)],
        )

    def test_events_written_after_the_upgrade_may_follow(self):
        audit_record(actor=self.alice, action="test.after_upgrade")  # keyed, chained onto the unkeyed tip
        call_command("audit_rekey", stdout=StringIO())
        self.assertTrue(audit_verify()[0])
        self.assertEqual(AuditEvent.objects.count(), 6)

    def test_a_broken_chain_is_refused_and_left_alone(self):
        sql("UPDATE {table} SET object_repr = %s WHERE seq = %s", ["篡改", 2])
        before = rows()
        with self.assertRaises(CommandError) as caught:
            call_command("audit_rekey", stdout=StringIO())
        self.assertIn("拒绝重新封存", str(caught.exception))
        self.assertIn("#2", str(caught.exception))
        self.assertEqual(rows(), before)

    def test_a_keyed_prefix_cannot_be_followed_by_unkeyed_events(self):
        call_command("audit_rekey", stdout=StringIO())
        count = AuditEvent.objects.count()
        reseal_plain(start_seq=count, changes={count: {"object_repr": "篡改"}})
        with self.assertRaises(CommandError):
            call_command("audit_rekey", stdout=StringIO())

    def test_rotation_from_an_old_key(self):
        call_command("audit_rekey", stdout=StringIO())
        with (
            override_settings(AUDIT_KEY=OTHER_KEY),
            mock.patch.dict("os.environ", {"ZHIBEN_AUDIT_OLD_KEY": ""}),
        ):
            self.assertFalse(audit_verify()[0])
            with self.assertRaises(CommandError):
                call_command("audit_rekey", "--old-key-env", "ZHIBEN_AUDIT_OLD_KEY", stdout=StringIO())
        with override_settings(AUDIT_KEY=OTHER_KEY):
            call_command("audit_rekey", "--old-derived", stdout=StringIO())
            self.assertTrue(audit_verify()[0])
        with (
            override_settings(AUDIT_KEY="a-third-key-for-the-next-rotation-0123456789"),
            mock.patch.dict("os.environ", {"ZHIBEN_AUDIT_OLD_KEY": OTHER_KEY}),
        ):
            call_command("audit_rekey", "--old-key-env", "ZHIBEN_AUDIT_OLD_KEY", stdout=StringIO())
            self.assertTrue(audit_verify()[0])

    def test_mask_option_masks_old_personal_data(self):
        sql("UPDATE {table} SET object_repr = %s WHERE seq = %s", ["张三 13812345678", 1])
        reseal_plain()
        call_command("audit_rekey", "--mask", stdout=StringIO())
        self.assertEqual(AuditEvent.objects.get(seq=1).object_repr, "张三 138****5678")
        self.assertEqual(AuditEvent.objects.order_by("-seq").first().data["masked"], 1)
        self.assertTrue(audit_verify()[0])

    def test_the_migration_reseals_on_upgrade(self):
        migration = importlib.import_module("zhiben.audit.migrations.0002_keyed_chain")
        with mock.patch("builtins.print"):
            migration.reseal(apps, None)
        self.assertTrue(audit_verify()[0])

    def test_the_migration_leaves_a_broken_chain_alone(self):
        sql("UPDATE {table} SET object_repr = %s WHERE seq = %s", ["篡改", 3])
        before = rows()
        migration = importlib.import_module("zhiben.audit.migrations.0002_keyed_chain")
        with mock.patch("builtins.print") as printed:
            migration.reseal(apps, None)
        self.assertIn("#3", printed.call_args[0][0])
        self.assertEqual(rows(), before)
        self.assertFalse(audit_verify()[0])


class MaskingTests(CastTestCase):
    """No audit row holds a mobile or identity number in clear (个人信息保护)."""

    PHONE, IDENTITY = "13812345678", "110105199001011234"

    def stored(self):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT object_repr, data FROM {AuditEvent._meta.db_table}")
            return json.dumps(cursor.fetchall(), ensure_ascii=False)

    def test_data_and_object_repr_are_masked_before_hashing_and_storing(self):
        event = audit_record(
            actor=self.alice,
            action="person.update",
            object_type="accounts.user",
            object_repr=f"李四（{self.PHONE}）",
            data={
                "changes": {"phone": ["13900001111", self.PHONE]},
                "after": {"身份证": self.IDENTITY, "备注": f"电话 {self.PHONE}，证件 {self.IDENTITY}"},
                "list": [self.PHONE, 3, None],
            },
        )
        text = self.stored()
        for clear in (self.PHONE, "13900001111", self.IDENTITY):
            self.assertNotIn(clear, text)
        event.refresh_from_db()
        self.assertEqual(event.object_repr, "李四（138****5678）")
        self.assertEqual(event.data["changes"]["phone"], ["139****1111", "138****5678"])
        self.assertEqual(event.data["after"]["身份证"], "110105********1234")
        self.assertEqual(event.data["list"], ["138****5678", 3, None])
        self.assertTrue(audit_verify()[0])

    def test_batches_are_masked_too(self):
        audit_record_many(
            [
                audit_entry(actor=self.alice, action="hazard.import", object_repr=f"行{i}", data={"phone": self.PHONE})
                for i in range(3)
            ]
        )
        self.assertNotIn(self.PHONE, self.stored())
        self.assertTrue(audit_verify()[0])

    def test_ordinary_numbers_stay(self):
        event = audit_record(
            actor=self.alice,
            action="enterprise.update",
            obj=self.enterprise_a,
            data={"region": self.village_a1.code, "count": 13812, "code": self.enterprise_a.credit_code},
        )
        event.refresh_from_db()
        self.assertEqual(event.data["region"], self.village_a1.code)
        self.assertEqual(event.data["code"], self.enterprise_a.credit_code)


class KeyDerivationTests(CastTestCase):
    def test_without_a_configured_key_one_is_derived_from_the_secret_key(self):
        from zhiben.audit.services import audit_key

        with override_settings(AUDIT_KEY=""):
            derived = audit_key()
            with override_settings(SECRET_KEY="x" * 60):
                self.assertNotEqual(audit_key(), derived)
        with override_settings(AUDIT_KEY=OTHER_KEY):
            self.assertEqual(audit_key(), OTHER_KEY.encode())
        self.assertNotEqual(derived, hashlib.sha256(b"").digest())
