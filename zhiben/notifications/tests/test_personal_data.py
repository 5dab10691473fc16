"""Personal data in the outbox (等保 8.1.4.8): addresses encrypted at rest and found through their blind
index, senders given the clear address, numbers masked in subjects, bodies and errors; the 系统管理员's
outbox page shows delivery, not content, within the administrator's region."""

import importlib

from django.apps import apps
from django.db import connection
from django.test import override_settings

from zhiben.accounts.choices import Role
from zhiben.audit.models import AuditEvent
from zhiben.core import crypto
from zhiben.notifications.choices import DeliveryStatus
from zhiben.notifications.models import Notification, NotificationPreference
from zhiben.notifications.services import notify, send_pending
from zhiben.testing import CastTestCase, make_user

SENT = []
HERE = "zhiben.notifications.tests.test_personal_data."
MIGRATION = "zhiben.notifications.migrations.0004_encrypt_address"


class CaptureSender:
    """Keeps what a gateway would be given."""

    def send(self, notification):
        SENT.append((notification.channel, notification.to_address, notification.subject, notification.body))


class RefusingGateway:
    """A gateway whose error names the number it refused."""

    def send(self, notification):
        raise ValueError(f"号码 {notification.to_address} 已停机")


def raw(note, column):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM notifications_notification WHERE id = %s", [note.pk])
        return cursor.fetchone()[0]


class AtRestTests(CastTestCase):
    def setUp(self):
        SENT.clear()

    def test_addresses_are_stored_encrypted_with_a_blind_index(self):
        NotificationPreference.objects.create(user=self.emma, email_enabled=True, email="emma@example.com")
        rows = notify(
            subject="测试", users=[self.emma], contacts=[("王总", "13800000001")], region_code=self.village_a1.code
        )
        for address in ("13800000001", "emma@example.com"):
            note = next(r for r in rows if r.to_address == address)
            stored = raw(note, "to_address")
            self.assertTrue(crypto.is_encrypted(stored))
            self.assertNotIn(address, stored)
            self.assertEqual(raw(note, "to_address_index"), crypto.blind_index(address))
            self.assertEqual(Notification.objects.get(to_address=address).pk, note.pk)
        inbox = next(r for r in rows if r.channel == "inbox")
        self.assertEqual((raw(inbox, "to_address"), raw(inbox, "to_address_index")), ("", ""))

    def test_senders_are_given_the_clear_address(self):
        notify(subject="测试", contacts=[("王总", "13800000001")], region_code=self.village_a1.code)
        with override_settings(NOTIFICATION_SENDERS={"sms": HERE + "CaptureSender"}):
            self.assertEqual(send_pending(), (1, 0))
        self.assertEqual(SENT, [("sms", "13800000001", "测试", "")])

    def test_numbers_in_subjects_and_bodies_are_masked_before_they_are_stored(self):
        note = notify(
            subject="隐患YH5001062026000001：请联系 13812345678",
            body="责任人身份证 110105199001011234，电话 13912345678；信用代码 91500106MA5U7LXX6L。",
            users=[self.emma],
            region_code=self.village_a1.code,
        )[0]
        self.assertEqual(raw(note, "subject"), "隐患YH5001062026000001：请联系 138****5678")
        self.assertEqual(
            raw(note, "body"), "责任人身份证 110105********1234，电话 139****5678；信用代码 91500106MA5U7LXX6L。"
        )
        inbox = self.login(self.emma).get("/notifications/")
        self.assertContains(inbox, "138****5678")
        self.assertNotContains(inbox, "13812345678")

    def test_errors_are_stored_without_the_number(self):
        notify(subject="测试", contacts=[("王总", "13800000001")], region_code=self.village_a1.code)
        with override_settings(NOTIFICATION_SENDERS={"sms": HERE + "RefusingGateway"}):
            self.assertEqual(send_pending(), (0, 1))
        note = Notification.objects.get(channel="sms")
        self.assertEqual(note.last_error, "ValueError: 号码 138****0001 已停机")

    def test_the_migration_encrypts_existing_rows_and_masks_their_texts(self):
        note = notify(subject="测试", contacts=[("王总", "13800000001")], region_code=self.village_a1.code)[0]
        sealed = raw(note, "to_address")
        old = Notification.objects.create(channel="email", to_name="旧", subject="x", region_code="")
        with connection.cursor() as cursor:  # a row written before: clear address, numbers in its texts
            cursor.execute(
                "UPDATE notifications_notification SET to_address = %s, to_address_index = '', subject = %s,"
                " body = %s, last_error = %s WHERE id = %s",
                ["old@example.com", "请回电 13812345678", "身份证 110105199001011234", "拒收 13812345678", old.pk],
            )
        operations = importlib.import_module(MIGRATION).Migration.operations
        editor = connection.schema_editor()  # not entered: the operations only need its connection
        for operation in operations[-2:]:
            operation.code(apps, editor)
        self.assertTrue(crypto.is_encrypted(raw(old, "to_address")))
        self.assertEqual(raw(old, "to_address_index"), crypto.blind_index("old@example.com"))
        self.assertEqual(
            (raw(old, "subject"), raw(old, "body"), raw(old, "last_error")),
            ("请回电 138****5678", "身份证 110105********1234", "拒收 138****5678"),
        )
        self.assertEqual(raw(note, "to_address"), sealed)  # never encrypted twice
        self.assertEqual(Notification.objects.get(to_address="old@example.com").pk, old.pk)
        operations[-2].reverse_code(apps, editor)
        self.assertEqual(raw(old, "to_address"), "old@example.com")


@override_settings(NOTIFICATION_SENDERS={"sms": HERE + "RefusingGateway", "email": HERE + "RefusingGateway"})
class OutboxPageTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.sara = make_user("sara", Role.SYS_ADMIN, cls.county_b)
        cls.frank = make_user("frank", Role.REGULATOR, cls.town_b1, phone="13600000006")

    def setUp(self):
        NotificationPreference.objects.create(user=self.emma, email_enabled=True, email="emma@example.com")
        notify(
            subject="重大隐患逾期：凤凰化工",
            body="请联系 13812345678 立即整改。",
            users=[self.emma],
            contacts=[("王总", "13800000001")],
            region_code=self.village_a1.code,
        )
        NotificationPreference.objects.create(user=self.frank, sms_enabled=True)
        notify(subject="九龙坡的密码重置", users=[self.frank])  # no region given: the recipient's
        send_pending()

    def test_the_page_shows_delivery_but_no_content_and_masked_addresses(self):
        response = self.login(self.sam).get("/notifications/outbox/")
        for shown in ("王总", "138****0001", "e***@example.com", "号码 138****0001 已停机"):
            self.assertContains(response, shown)
        for hidden in ("重大隐患逾期", "凤凰化工", "立即整改", "13812345678", "138****5678", "13800000001", "emma@"):
            self.assertNotContains(response, hidden)

    def test_it_finds_a_recipient_by_name_or_whole_address_only(self):
        self.login(self.sam)

        def names(q):
            return sorted(n.to_name for n in self.client.get("/notifications/outbox/", {"q": q}).context["page"])

        self.assertEqual(names("王"), ["王总"])
        self.assertEqual(names("13800000001"), ["王总"])
        self.assertEqual(names("emma@example.com"), [self.emma.display_name])
        self.assertEqual(names("1380000"), [])
        self.assertEqual(names("重大隐患"), [])  # subjects are not searched

    def test_it_is_scoped_by_region_and_unaddressed_rows_take_the_recipients(self):
        frank_sms = Notification.objects.get(channel="sms", recipient=self.frank)
        self.assertEqual(frank_sms.region_code, self.town_b1.code)
        self.assertNotContains(self.login(self.sam).get("/notifications/outbox/"), "frank")
        page = self.login(self.sara).get("/notifications/outbox/")
        self.assertContains(page, "136****0006")
        self.assertNotContains(page, "王总")
        other = Notification.objects.get(to_address="13800000001")
        self.assertEqual(self.client.post(f"/notifications/outbox/{other.pk}/retry/").status_code, 404)

    def test_the_retry_audit_names_no_subject(self):
        note = Notification.objects.get(to_address="13800000001")
        self.login(self.sam).post(f"/notifications/outbox/{note.pk}/retry/")
        event = AuditEvent.objects.get(action="notification.retry")
        self.assertNotIn("重大隐患", event.object_repr)
        self.assertNotIn("13800000001", str(event.data) + event.object_repr)
        note.refresh_from_db()
        self.assertEqual(note.status, DeliveryStatus.PENDING)
