"""Each sender against a real local server: SMTP (aiosmtpd) and the WeCom/DingTalk webhooks (http.server)."""

from django.test import override_settings

from zhiben.notifications.choices import DeliveryStatus
from zhiben.notifications.models import Notification, NotificationPreference
from zhiben.notifications.services import notify, send_pending
from zhiben.testing import CastTestCase

from .servers import SMTPServer, WebhookServer, free_port

SENDERS = "zhiben.notifications.senders."
SMTP = "django.core.mail.backends.smtp.EmailBackend"


def mailers(port):
    return {"default": {"BACKEND": SMTP, "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5}}}


@override_settings(SITE_URL="https://zhiben.example.gov.cn")
class EmailTests(CastTestCase):
    def test_email_with_chinese_subject_arrives_at_a_real_smtp_server(self):
        NotificationPreference.objects.create(user=self.emma, email_enabled=True, email="emma@example.com")
        notify(
            subject="隐患整改即将到期：YH5001062026000001",
            body="贵单位隐患“配电箱未接地”将于 3 天后到期。",
            url="/hazards/1/",
            users=[self.emma],
            region_code=self.village_a1.code,
        )
        with (
            SMTPServer() as smtp,
            override_settings(
                MAILERS=mailers(smtp.port),
                NOTIFICATION_SENDERS={"email": SENDERS + "EmailSender"},
                DEFAULT_FROM_EMAIL="治本平台 <noreply@zhiben.example.gov.cn>",
            ),
        ):
            self.assertEqual(send_pending(), (1, 0))
        self.assertEqual(len(smtp.messages), 1)
        message = smtp.messages[0]
        self.assertEqual(message["Subject"], "隐患整改即将到期：YH5001062026000001")
        self.assertEqual(message["To"], "emma@example.com")
        self.assertIn("治本平台", str(message["From"]))
        text = message.get_body(("plain",)).get_content()
        self.assertIn("配电箱未接地", text)
        self.assertIn("https://zhiben.example.gov.cn/hazards/1/", text)
        self.assertEqual(Notification.objects.get(channel="email").status, DeliveryStatus.SENT)

    def test_smtp_server_down_leaves_the_message_pending_with_the_error(self):
        NotificationPreference.objects.create(user=self.emma, email_enabled=True, email="emma@example.com")
        notify(subject="测试邮件", users=[self.emma], region_code=self.village_a1.code)
        with override_settings(MAILERS=mailers(free_port()), NOTIFICATION_SENDERS={"email": SENDERS + "EmailSender"}):
            self.assertEqual(send_pending(), (0, 1))
        note = Notification.objects.get(channel="email")
        self.assertEqual((note.status, note.attempts), (DeliveryStatus.PENDING, 1))
        self.assertIn("ConnectionRefusedError", note.last_error)


class WebhookTests(CastTestCase):
    def test_wecom_robot_gets_the_text_and_mentions_the_user(self):
        NotificationPreference.objects.create(user=self.emma, wecom_enabled=True, wecom_userid="emma.wang")
        notify(subject="隐患逾期未整改", body="请立即整改。", users=[self.emma], region_code=self.village_a1.code)
        with (
            WebhookServer() as hook,
            override_settings(WECOM_WEBHOOK_URL=hook.url, NOTIFICATION_SENDERS={"wecom": SENDERS + "WeComSender"}),
        ):
            self.assertEqual(send_pending(), (1, 0))
        [request] = hook.requests
        self.assertEqual(request["json"]["msgtype"], "text")
        self.assertIn("隐患逾期未整改", request["json"]["text"]["content"])
        self.assertEqual(request["json"]["text"]["mentioned_list"], ["emma.wang"])
        self.assertTrue(request["content_type"].startswith("application/json"))

    def test_long_text_is_clipped_to_the_robot_s_byte_limit(self):
        NotificationPreference.objects.create(user=self.emma, wecom_enabled=True, wecom_userid="emma.wang")
        notify(subject="长消息", body="隐患" * 3000, users=[self.emma], region_code=self.village_a1.code)
        with (
            WebhookServer() as hook,
            override_settings(WECOM_WEBHOOK_URL=hook.url, NOTIFICATION_SENDERS={"wecom": SENDERS + "WeComSender"}),
        ):
            self.assertEqual(send_pending(), (1, 0))
        content = hook.requests[0]["json"]["text"]["content"]
        self.assertLessEqual(len(content.encode("utf-8")), 2048)
        self.assertTrue(content.startswith("长消息") and content.endswith("…"))

    def test_dingtalk_robot_is_signed_and_mentions_the_user(self):
        NotificationPreference.objects.create(user=self.erin, dingtalk_enabled=True, dingtalk_userid="erin01")
        notify(subject="统计分析表逾期未报", users=[self.erin], region_code=self.town_a1.code)
        with (
            WebhookServer() as hook,
            override_settings(
                DINGTALK_WEBHOOK_URL=hook.url,
                DINGTALK_SECRET="SECxyz",
                NOTIFICATION_SENDERS={"dingtalk": SENDERS + "DingTalkSender"},
            ),
        ):
            self.assertEqual(send_pending(), (1, 0))
        [request] = hook.requests
        self.assertEqual(request["json"]["at"], {"isAtAll": False, "atUserIds": ["erin01"]})
        self.assertIn("@erin01", request["json"]["text"]["content"])
        self.assertIn("&timestamp=", request["path"])
        self.assertIn("&sign=", request["path"])

    def test_robot_refusal_is_an_error_kept_for_retry(self):
        NotificationPreference.objects.create(user=self.emma, wecom_enabled=True, wecom_userid="emma.wang")
        notify(subject="测试", users=[self.emma], region_code=self.village_a1.code)
        with (
            WebhookServer(answer={"errcode": 93000, "errmsg": "invalid webhook url"}) as hook,
            override_settings(WECOM_WEBHOOK_URL=hook.url, NOTIFICATION_SENDERS={"wecom": SENDERS + "WeComSender"}),
        ):
            self.assertEqual(send_pending(), (0, 1))
        note = Notification.objects.get(channel="wecom")
        self.assertEqual(note.status, DeliveryStatus.PENDING)
        self.assertIn("errcode=93000", note.last_error)

    def test_a_sender_that_is_down_does_not_hold_up_the_rest_of_the_queue(self):
        NotificationPreference.objects.create(
            user=self.emma,
            email_enabled=True,
            email="emma@example.com",
            wecom_enabled=True,
            wecom_userid="emma.wang",
            dingtalk_enabled=True,
            dingtalk_userid="emma01",
        )
        for n in range(3):
            notify(subject=f"第{n + 1}条提醒", users=[self.emma], region_code=self.village_a1.code)
        senders = {
            "email": SENDERS + "EmailSender",
            "wecom": SENDERS + "WeComSender",
            "dingtalk": SENDERS + "DingTalkSender",
        }
        with (
            SMTPServer() as smtp,
            WebhookServer() as dingtalk,
            override_settings(
                MAILERS=mailers(smtp.port),
                NOTIFICATION_SENDERS=senders,
                DINGTALK_WEBHOOK_URL=dingtalk.url,
                WECOM_WEBHOOK_URL=f"http://127.0.0.1:{free_port()}/cgi-bin/webhook/send?key=down",
            ),
        ):
            self.assertEqual(send_pending(), (6, 3))
        self.assertEqual(len(smtp.messages), 3)
        self.assertEqual(len(dingtalk.requests), 3)
        wecom = Notification.objects.filter(channel="wecom")
        self.assertEqual(set(wecom.values_list("status", flat=True)), {DeliveryStatus.PENDING})
        self.assertTrue(all("无法连接企业微信机器人" in n.last_error for n in wecom))
        self.assertEqual(
            Notification.objects.filter(channel__in=["email", "dingtalk"], status=DeliveryStatus.SENT).count(), 6
        )

    def test_missing_webhook_url_is_reported(self):
        NotificationPreference.objects.create(user=self.emma, wecom_enabled=True, wecom_userid="emma.wang")
        notify(subject="测试", users=[self.emma], region_code=self.village_a1.code)
        with override_settings(WECOM_WEBHOOK_URL="", NOTIFICATION_SENDERS={"wecom": SENDERS + "WeComSender"}):
            self.assertEqual(send_pending(), (0, 1))
        self.assertIn("未配置企业微信机器人地址", Notification.objects.get(channel="wecom").last_error)


class DevelopmentSenderTests(CastTestCase):
    def test_file_sender_writes_json_lines(self):
        import json

        from django.conf import settings

        NotificationPreference.objects.create(user=self.emma, email_enabled=True, email="emma@example.com")
        notify(subject="文件发送器", users=[self.emma], region_code=self.village_a1.code)
        with override_settings(NOTIFICATION_SENDERS={"email": SENDERS + "FileSender"}):
            self.assertEqual(send_pending(), (1, 0))
        lines = [json.loads(line) for line in settings.NOTIFICATION_FILE.read_text(encoding="utf-8").splitlines()]
        self.assertIn(
            {"channel": "email", "to": "emma@example.com", "subject": "文件发送器"},
            [{k: line[k] for k in ("channel", "to", "subject")} for line in lines],
        )

    def test_console_sender_prints(self):
        import io
        from contextlib import redirect_stdout

        notify(subject="控制台发送器", contacts=[("王总", "13800000001")], region_code=self.village_a1.code)
        out = io.StringIO()
        with redirect_stdout(out), override_settings(NOTIFICATION_SENDERS={"sms": SENDERS + "ConsoleSender"}):
            self.assertEqual(send_pending(), (1, 0))
        self.assertIn("控制台发送器", out.getvalue())
        self.assertIn("13800000001", out.getvalue())
