"""The user's phone and TOTP secret are encrypted at rest; the phone is found by its blind index (whole
numbers only) and shown masked; the migration encrypts rows written before."""

import importlib

from django.apps import apps
from django.db import connection

from zhiben.accounts import totp
from zhiben.accounts.models import User
from zhiben.accounts.services import totp_begin
from zhiben.core import crypto
from zhiben.notifications.models import Notification, NotificationPreference
from zhiben.notifications.services import notify
from zhiben.testing import CastTestCase

MIGRATION = "zhiben.accounts.migrations.0003_encrypted_personal_fields_role_requests"


def raw(user, column):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM accounts_user WHERE id = %s", [user.pk])
        return cursor.fetchone()[0]


def set_phone(user, phone):
    user.phone = phone
    user.save()


class EncryptionAtRestTests(CastTestCase):
    def test_the_phone_is_stored_encrypted_with_a_blind_index(self):
        set_phone(self.dave, "13812345678")
        stored = raw(self.dave, "phone")
        self.assertTrue(stored.startswith("enc1:"))
        self.assertNotIn("13812345678", stored)
        self.assertEqual(raw(self.dave, "phone_index"), crypto.blind_index("13812345678"))
        self.assertEqual(User.objects.get(pk=self.dave.pk).phone, "13812345678")

    def test_the_index_follows_every_save_of_the_phone(self):
        user = User(username="p1", phone="13800000001", region=self.county_a)
        user.save()
        self.assertEqual(raw(user, "phone_index"), crypto.blind_index("13800000001"))
        set_phone(user, "")
        self.assertEqual(raw(user, "phone_index"), "")

    def test_the_totp_secret_is_stored_encrypted(self):
        secret = totp_begin(user=self.alice)
        stored = raw(self.alice, "totp_secret")
        self.assertTrue(stored.startswith("enc1:"))
        self.assertNotIn(secret, stored)
        self.alice.refresh_from_db()
        self.assertEqual(self.alice.totp_secret, secret)
        self.assertEqual(len(totp.code_at(self.alice.totp_secret, totp.current_step())), 6)

    def test_sms_still_go_to_the_users_phone(self):
        set_phone(self.dave, "13812345678")
        NotificationPreference.objects.create(user=self.dave, sms_enabled=True)
        notify(subject="测试", users=[self.dave])
        self.assertTrue(Notification.objects.filter(channel="sms", to_address="13812345678").exists())

    def test_the_migration_encrypts_existing_rows(self):
        migration = importlib.import_module(MIGRATION)
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE accounts_user SET phone = %s, totp_secret = %s, phone_index = '' WHERE id = %s",
                ["138 1234 5678", "JBSWY3DPEHPK3PXP", self.dave.pk],
            )
        set_phone(self.erin, "13900000000")  # already encrypted: stays readable, never encrypted twice
        migration.encrypt_existing(apps, connection.schema_editor())
        self.assertTrue(raw(self.dave, "phone").startswith("enc1:"))
        self.assertTrue(raw(self.dave, "totp_secret").startswith("enc1:"))
        self.assertEqual(raw(self.dave, "phone_index"), crypto.blind_index("13812345678"))
        self.assertEqual(crypto.decrypt(raw(self.erin, "phone")), "13900000000")
        dave = User.objects.get(pk=self.dave.pk)
        self.assertEqual((dave.phone, dave.totp_secret), ("138 1234 5678", "JBSWY3DPEHPK3PXP"))
        migration.decrypt_existing(apps, connection.schema_editor())
        self.assertEqual(raw(self.dave, "phone"), "138 1234 5678")


class PhoneSearchTests(CastTestCase):
    def usernames(self, query):
        response = self.login(self.sam).get(f"/accounts/users/?q={query}")
        return [u.username for u in response.context["page"]]

    def test_the_list_finds_a_whole_number_and_never_a_part(self):
        set_phone(self.dave, "13812345678")
        set_phone(self.gina, "13812345679")
        self.assertEqual(self.usernames("13812345678"), ["dave"])
        self.assertEqual(self.usernames("138-1234-5678"), ["dave"])
        # partial numbers used to narrow the list digit by digit; they match nothing now
        for partial in ("138", "1381234567", "5678", "38123"):
            self.assertEqual(self.usernames(partial), [], partial)

    def test_lists_and_pages_show_masked_phones(self):
        set_phone(self.dave, "13812345678")
        self.login(self.sam)
        for path in ("/accounts/users/", f"/accounts/users/{self.dave.pk}/"):
            response = self.client.get(path)
            self.assertContains(response, "138****5678")
            self.assertNotContains(response, "13812345678")
