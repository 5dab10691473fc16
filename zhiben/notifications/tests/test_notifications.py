"""notify() and preferences, the outbox's retry and back-off, the inbox and the administrators' outbox page."""

from datetime import timedelta

from django.test import override_settings
from django.utils import timezone

from zhiben.audit.models import AuditEvent
from zhiben.core.exceptions import ApplicationError
from zhiben.notifications import services
from zhiben.notifications.choices import DeliveryStatus
from zhiben.notifications.models import Notification, NotificationPreference
from zhiben.notifications.services import MAX_ATTEMPTS, notify, send_pending
from zhiben.testing import CastTestCase

BROKEN = {
    "sms": "zhiben.notifications.tests.broken.BrokenSender",
    "email": "zhiben.notifications.tests.broken.BrokenSender",
}


class NotifyTests(CastTestCase):
    def test_inbox_always_external_channels_only_when_enabled_with_an_address(self):
        type(self.emma).objects.filter(pk=self.emma.pk).update(phone="13700000001")
        self.emma.refresh_from_db()
        NotificationPreference.objects.create(
            user=self.emma,
            sms_enabled=True,
            email_enabled=True,
            email="emma@example.com",
            wecom_enabled=False,
            wecom_userid="emma.wang",
            dingtalk_enabled=True,
            dingtalk_userid="",
        )
        rows = notify(subject="测试", users=[self.emma, self.erin, self.emma], region_code=self.village_a1.code)
        self.assertEqual(
            sorted((r.channel, r.recipient.username, r.to_address) for r in rows),
            [
                ("email", "emma", "emma@example.com"),
                ("inbox", "emma", ""),
                ("inbox", "erin", ""),
                ("sms", "emma", "13700000001"),
            ],
        )
        inbox = Notification.objects.get(channel="inbox", recipient=self.emma)
        self.assertEqual((inbox.status, inbox.read_at), (DeliveryStatus.SENT, None))

    def test_contacts_get_sms_once_and_inactive_users_nothing(self):
        type(self.emma).objects.filter(pk=self.emma.pk).update(phone="13800000001")
        self.emma.refresh_from_db()
        NotificationPreference.objects.create(user=self.emma, sms_enabled=True)
        self.gina.is_active = False
        rows = notify(
            subject="测试",
            users=[self.emma, self.gina],
            contacts=[("王总", "13800000001"), ("李董", "13900000002"), ("无号码", "")],
        )
        self.assertEqual(
            sorted((r.channel, r.to_address) for r in rows),
            [("inbox", ""), ("sms", "13800000001"), ("sms", "13900000002")],
        )

    def test_existing_call_signature_still_works(self):
        rows = notify(
            subject="隐患已核实",
            body="请整改",
            url="/hazards/1/",
            users=self.enterprise_a.users.all(),
            contacts=[("王总（主要负责人）", "13800000001")],
            obj=self.enterprise_a,
            region_code=self.village_a1.code,
        )
        self.assertEqual([r.channel for r in rows], ["inbox", "sms"])
        self.assertEqual(rows[0].object_type, "enterprises.enterprise")


@override_settings(NOTIFICATION_SENDERS=BROKEN)
class RetryTests(CastTestCase):
    def test_back_off_doubles_then_the_message_is_marked_failed(self):
        notify(subject="测试", contacts=[("王总", "13800000001")], region_code=self.village_a1.code)
        now = timezone.now()
        waits = []
        for attempt in range(1, MAX_ATTEMPTS + 1):
            self.assertEqual(send_pending(now=now), (0, 1))
            note = Notification.objects.get(channel="sms")
            self.assertEqual(note.attempts, attempt)
            self.assertEqual(send_pending(now=now), (0, 0))  # not due again before the back-off
            waits.append(round((note.next_attempt_at - now).total_seconds() / 60))
            now = note.next_attempt_at
        self.assertEqual(waits[:5], [2, 4, 8, 16, 32])
        self.assertEqual(note.status, DeliveryStatus.FAILED)
        self.assertIn("短信网关不可用", note.last_error)
        self.assertEqual(send_pending(now=now + timedelta(days=2)), (0, 0))

    def test_a_claim_left_by_a_dead_worker_is_taken_over_after_the_lease(self):
        notify(subject="测试", contacts=[("王总", "13800000001")], region_code=self.village_a1.code)
        now = timezone.now()
        [claimed] = services._claim(now, 10)  # a worker claims the row, then dies before sending
        self.assertEqual(Notification.objects.get(pk=claimed.pk).status, DeliveryStatus.SENDING)
        with override_settings(NOTIFICATION_SENDERS={"sms": "zhiben.notifications.senders.FileSender"}):
            self.assertEqual(send_pending(now=now + timedelta(minutes=1)), (0, 0))
            self.assertEqual(send_pending(now=now + services.LEASE + timedelta(seconds=1)), (1, 0))
        note = Notification.objects.get(pk=claimed.pk)
        self.assertEqual((note.status, note.attempts), (DeliveryStatus.SENT, 2))


class InboxTests(CastTestCase):
    def setUp(self):
        self.old = notify(subject="旧消息", url="/hazards/", users=[self.emma])[0]
        Notification.objects.filter(pk=self.old.pk).update(created_at=timezone.now() - timedelta(days=2))
        self.read = notify(subject="已读消息", users=[self.emma])[0]
        Notification.objects.filter(pk=self.read.pk).update(read_at=timezone.now())
        self.new = notify(subject="新消息", url="/duties/", users=[self.emma])[0]
        notify(subject="别人的消息", users=[self.erin])

    def test_unread_first_and_the_count_in_the_nav(self):
        response = self.login(self.emma).get("/notifications/")
        self.assertEqual([n.subject for n in response.context["page"]], ["新消息", "旧消息", "已读消息"])
        self.assertContains(response, '消息 <span class="badge red">2</span>', html=False)
        self.assertNotContains(response, "别人的消息")
        response = self.client.get("/notifications/?show=unread")
        self.assertEqual([n.subject for n in response.context["page"]], ["新消息", "旧消息"])

    def test_open_marks_read_on_a_post_and_goes_to_the_object(self):
        self.login(self.emma)
        # issue 25: a GET (prefetch, a copied link) goes to the object but changes nothing
        response = self.client.get(f"/notifications/{self.new.pk}/open/")
        self.assertRedirects(response, "/duties/", fetch_redirect_response=False)
        self.assertIsNone(Notification.objects.get(pk=self.new.pk).read_at)
        self.assertContains(
            self.client.get("/notifications/"), f'<form method="post" action="/notifications/{self.new.pk}/open/"'
        )
        response = self.client.post(f"/notifications/{self.new.pk}/open/")
        self.assertRedirects(response, "/duties/", fetch_redirect_response=False)
        self.assertIsNotNone(Notification.objects.get(pk=self.new.pk).read_at)
        self.assertEqual(
            self.client.post(f"/notifications/{Notification.objects.get(recipient=self.erin).pk}/open/").status_code,
            404,
        )

    def test_open_never_redirects_off_site(self):
        evil = notify(subject="钓鱼", url="https://evil.example.com/", users=[self.emma])[0]
        response = self.login(self.emma).get(f"/notifications/{evil.pk}/open/")
        self.assertRedirects(response, "/notifications/", fetch_redirect_response=False)

    def test_mark_one_and_mark_all(self):
        self.login(self.emma)
        self.client.post("/notifications/read/", {"ids": [self.old.pk]})
        self.assertEqual(services.unread_count(self.emma), 1)
        self.client.post("/notifications/read/", {"all": "1"})
        self.assertEqual(services.unread_count(self.emma), 0)
        self.assertEqual(services.unread_count(self.erin), 1)


class InboxKindTests(CastTestCase):
    """A reviewer's inbox, full of 销号 requests, narrows to what the messages are about; a long message folds."""

    def test_narrowed_by_kind_with_counts_and_long_bodies_folded(self):
        long_body = "贵单位隐患“配电箱未接地”已核实为一般隐患，" * 5
        for n in range(2):
            notify(subject=f"隐患消息{n}", body=long_body, users=[self.erin], obj=self.enterprise_a)
        notify(subject="账号消息", body="短", users=[self.erin], obj=self.erin)
        notify(subject="无对象消息", users=[self.erin])
        self.login(self.erin)
        page = self.client.get("/notifications/")
        self.assertEqual(
            [(label, n) for _, label, n in page.context["kinds"]], [("生产经营单位", 2), ("—", 1), ("用户", 1)]
        )
        self.assertContains(page, "kind=enterprises.enterprise")
        self.assertContains(page, "<details><summary>")
        subjects = lambda response: sorted(n.subject for n in response.context["page"])  # noqa: E731
        self.assertEqual(subjects(self.client.get("/notifications/?kind=accounts.user")), ["账号消息"])
        self.assertEqual(subjects(self.client.get("/notifications/?kind=-")), ["无对象消息"])
        self.assertEqual(
            subjects(self.client.get("/notifications/?show=unread&kind=enterprises.enterprise")),
            ["隐患消息0", "隐患消息1"],
        )
        self.assertEqual(subjects(self.client.get("/notifications/?kind=no.such")), [])


class InboxBatchTests(CastTestCase):
    """Ticked messages marked read together, and one kind's messages at once: never another user's, never another
    kind's."""

    def setUp(self):
        self.hazard_notes = [
            n for i in range(3) for n in notify(subject=f"隐患消息{i}", users=[self.erin], obj=self.enterprise_a)
        ]
        self.account_note = notify(subject="账号消息", users=[self.erin], obj=self.erin)[0]
        self.other = notify(subject="别人的消息", users=[self.emma])[0]
        self.login(self.erin)

    def unread(self, user=None):
        return sorted(
            Notification.objects.filter(recipient=user or self.erin, read_at__isnull=True).values_list(
                "subject", flat=True
            )
        )

    def test_the_ticked_messages_are_marked_read(self):
        page = self.client.get("/notifications/")
        self.assertContains(page, 'data-noun="消息"')
        self.assertContains(page, f'name="ids" value="{self.hazard_notes[0].pk}" form="batch" data-steps="read"')
        self.assertNotContains(page, 'name="note"')  # 标为已读 takes no note
        response = self.client.post(
            "/notifications/read/",
            {
                "action": "read",
                "ids": [self.hazard_notes[0].pk, self.hazard_notes[2].pk, self.other.pk, str(2**64)],
                "next": "/notifications/?kind=enterprises.enterprise",
            },
        )
        self.assertRedirects(response, "/notifications/?kind=enterprises.enterprise", fetch_redirect_response=False)
        self.assertEqual(self.unread(), ["账号消息", "隐患消息1"])
        self.assertEqual(self.unread(self.emma), ["别人的消息"])  # another user's message is left as it was
        self.assertContains(self.client.get("/notifications/"), "已将 2 条消息标为已读")

    def test_one_kind_marked_read_at_once(self):
        page = self.client.get("/notifications/?kind=enterprises.enterprise")
        self.assertContains(page, "“生产经营单位”全部标为已读（3）")
        self.assertNotContains(page, ">全部标为已读<")
        self.client.post("/notifications/read/", {"all": "1", "kind": "enterprises.enterprise"})
        self.assertEqual(self.unread(), ["账号消息"])
        page = self.client.get("/notifications/?kind=enterprises.enterprise")
        self.assertNotContains(page, "全部标为已读")
        self.assertEqual(page.context["batch"], [])  # nothing left to tick
        notify(subject="无对象消息", users=[self.erin])
        self.assertContains(self.client.get("/notifications/?kind=-"), "“其他”全部标为已读（1）")
        self.client.post("/notifications/read/", {"all": "1", "kind": "-"})  # the messages about no object
        self.assertEqual(self.unread(), ["账号消息"])
        self.client.post("/notifications/read/", {"all": "1"})
        self.assertEqual((self.unread(), self.unread(self.emma)), ([], ["别人的消息"]))


class PreferenceTests(CastTestCase):
    def test_save_and_validation(self):
        self.login(self.erin)
        response = self.client.post(
            "/notifications/preferences/", {"email_enabled": "on", "email": "", "sms_enabled": "on"}
        )
        self.assertContains(response, "开启电子邮件通知须填写邮箱地址")
        self.assertContains(response, "未登记手机号")
        self.assertFalse(NotificationPreference.objects.filter(user=self.erin).exists())
        response = self.client.post(
            "/notifications/preferences/",
            {"email_enabled": "on", "email": "erin@example.com", "dingtalk_enabled": "on", "dingtalk_userid": "erin01"},
        )
        self.assertRedirects(response, "/notifications/preferences/")
        preference = NotificationPreference.objects.get(user=self.erin)
        self.assertEqual(preference.addresses(), {"email": "erin@example.com", "dingtalk": "erin01"})
        self.assertTrue(AuditEvent.objects.filter(action="notification.preferences", actor_id=self.erin.pk).exists())


@override_settings(NOTIFICATION_SENDERS=BROKEN)
class OutboxAdminTests(CastTestCase):
    def setUp(self):
        notify(subject="发不出去的短信", contacts=[("王总", "13800000001")], region_code=self.village_a1.code)
        notify(subject="九龙坡的短信", contacts=[("张总", "13800000009")], region_code=self.village_b1.code)
        send_pending()
        Notification.objects.filter(to_address="13800000001").update(
            status=DeliveryStatus.FAILED, attempts=MAX_ATTEMPTS
        )

    def test_only_the_system_administrator_sees_the_outbox(self):
        for user in (self.alice, self.emma, self.aud, self.sid):
            self.assertEqual(self.login(user).get("/notifications/outbox/").status_code, 403)
        response = self.login(self.sam).get("/notifications/outbox/")
        self.assertContains(response, "王总")
        self.assertContains(response, "138****0001")
        self.assertContains(response, "短信网关不可用")
        self.assertNotContains(response, "张总")  # outside sam's county
        self.assertContains(response, "重试")
        self.assertContains(
            self.client.get("/notifications/"), 'href="/notifications/outbox/"'
        )  # reached from the inbox

    def test_retry_sends_now_when_the_gateway_is_back(self):
        note = Notification.objects.get(to_address="13800000001")
        self.login(self.sam)
        with override_settings(NOTIFICATION_SENDERS={"sms": "zhiben.notifications.senders.FileSender"}):
            response = self.client.post(f"/notifications/outbox/{note.pk}/retry/", follow=True)
        self.assertContains(response, "重试成功")
        note.refresh_from_db()
        self.assertEqual((note.status, note.attempts, note.last_error), (DeliveryStatus.SENT, 1, ""))
        self.assertTrue(AuditEvent.objects.filter(action="notification.retry", actor_id=self.sam.pk).exists())

    def test_retry_still_failing_shows_the_error_and_keeps_it_queued(self):
        note = Notification.objects.get(to_address="13800000001")
        response = self.login(self.sam).post(f"/notifications/outbox/{note.pk}/retry/", follow=True)
        self.assertContains(response, "重试仍未成功")
        note.refresh_from_db()
        self.assertEqual((note.status, note.attempts), (DeliveryStatus.PENDING, 1))

    def test_retry_out_of_scope_or_sent_is_refused(self):
        other = Notification.objects.get(to_address="13800000009")
        self.assertEqual(self.login(self.sam).post(f"/notifications/outbox/{other.pk}/retry/").status_code, 404)
        Notification.objects.filter(to_address="13800000001").update(status=DeliveryStatus.SENT)
        with self.assertRaises(ApplicationError):
            services.notification_retry(actor=self.sam, notification=Notification.objects.get(to_address="13800000001"))

    def test_retry_all_failed(self):
        response = self.login(self.sam).post("/notifications/outbox/retry-failed/", follow=True)
        self.assertContains(response, "已将 1 条")
        self.assertEqual(Notification.objects.get(to_address="13800000001").status, DeliveryStatus.PENDING)
