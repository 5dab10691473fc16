from io import StringIO

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from zhiben.audit.models import AuditEvent
from zhiben.audit.services import audit_record, audit_verify
from zhiben.testing import CastTestCase


class AuditChainTests(CastTestCase):
    def setUp(self):
        for i in range(5):
            audit_record(actor=self.alice, action="test.event", obj=self.enterprise_a, data={"i": i, "名称": "凤凰"})

    def test_clean_chain_verifies(self):
        ok, message = audit_verify()
        self.assertTrue(ok, message)
        out = StringIO()
        call_command("audit_verify", stdout=out)
        self.assertIn("审计链完整", out.getvalue())

    def test_edited_row_is_named(self):
        target = AuditEvent.objects.order_by("seq")[2]
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {AuditEvent._meta.db_table} SET object_repr = %s WHERE id = %s", ["篡改", target.id]
            )
        ok, message = audit_verify()
        self.assertFalse(ok)
        self.assertIn(f"#{target.seq}", message)
        with self.assertRaises(CommandError):
            call_command("audit_verify", stdout=StringIO())

    def test_deleted_row_breaks_chain(self):
        target = AuditEvent.objects.order_by("seq")[1]
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [target.id])
        ok, message = audit_verify()
        self.assertFalse(ok)
        self.assertIn(str(target.seq), message)

    def test_deleted_last_row_is_detected(self):
        target = AuditEvent.objects.order_by("-seq")[0]
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [target.id])
        ok, message = audit_verify()
        self.assertFalse(ok)
        self.assertIn("链尾", message)

    def test_events_carry_actor_object_and_region(self):
        event = AuditEvent.objects.order_by("-seq").first()
        self.assertEqual(event.actor_id, self.alice.pk)
        self.assertEqual(event.object_type, "enterprises.enterprise")
        self.assertEqual(event.region_code, self.village_a1.code)
        self.assertEqual(event.data["名称"], "凤凰")
