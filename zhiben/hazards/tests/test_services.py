"""Intake from every channel, classification, evidence, extensions, notifications, duplicates, stock."""

from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from zhiben.audit.models import AuditEvent
from zhiben.core.exceptions import ApplicationError
from zhiben.core.models import Rule
from zhiben.hazards import selectors, services
from zhiben.hazards.choices import Channel, Status
from zhiben.hazards.models import Hazard, HazardAttachment, HazardEvent, Place
from zhiben.notifications.models import Notification
from zhiben.notifications.services import send_pending
from zhiben.testing import CastTestCase

from .helpers import PLAN, major, photo, png_bytes, ready, report


class IntakeTests(CastTestCase):
    def test_every_channel(self):
        actors = {
            Channel.SELF_REPORT: self.emma,
            Channel.SUPERVISION: self.gina,
            Channel.ENFORCEMENT: self.erin,
            Channel.PUBLIC: self.alice,
            Channel.UNANNOUNCED: self.alice,
            Channel.ASSIGNED: self.alice,
            Channel.MONITORING: self.erin,
        }
        for channel, actor in actors.items():
            with self.subTest(channel=channel):
                hazard = report(
                    actor, self.enterprise_a, channel=channel, description=f"{channel.label}发现的隐患：安全出口锁闭"
                )
                self.assertEqual(hazard.channel, channel)
                self.assertEqual(hazard.status, Status.REPORTED)
                self.assertEqual(hazard.region_id, self.village_a1.code)
                self.assertEqual(hazard.industry.code, "hazchem")
                self.assertTrue(hazard.number.startswith("YH500106"))
                self.assertTrue(HazardEvent.objects.filter(hazard=hazard, action="report").exists())
                self.assertTrue(AuditEvent.objects.filter(action="hazard.report", object_id=str(hazard.pk)).exists())

    def test_numbers_are_sequential_per_county_and_year(self):
        a, b = (
            report(self.gina, self.enterprise_a),
            report(self.gina, self.enterprise_a, description="第二条隐患描述内容"),
        )
        self.assertEqual(int(b.number[-6:]), int(a.number[-6:]) + 1)

    def test_enterprise_user_may_only_self_report_own(self):
        with self.assertRaises(ApplicationError) as caught:
            services.hazard_report(actor=self.emma, data={"channel": "supervision", "description": "楼梯间堆放杂物"})
        self.assertIn("企业自查上报", caught.exception.message)
        hazard = services.hazard_report(actor=self.emma, data={"description": "楼梯间堆放杂物"})
        self.assertEqual((hazard.enterprise, hazard.channel), (self.enterprise_a, Channel.SELF_REPORT))

    def test_out_of_scope_enterprise_refused(self):
        with self.assertRaises(ApplicationError) as caught:
            report(self.alice, self.enterprise_b)
        self.assertIn("管辖范围", caught.exception.message)
        self.assertFalse(Hazard.objects.exists())

    def test_past_deadline_and_future_found_date_refused(self):
        yesterday = timezone.localdate() - timedelta(days=1)
        with self.assertRaises(ApplicationError) as caught:
            report(self.gina, self.enterprise_a, deadline=yesterday.isoformat())
        self.assertIn("已过", caught.exception.message)
        with self.assertRaises(ApplicationError):
            report(self.gina, self.enterprise_a, found_date=(timezone.localdate() + timedelta(days=2)).isoformat())
        self.assertFalse(Hazard.objects.exists())

    def test_major_needs_criteria_item_or_reason(self):
        with self.assertRaises(ApplicationError) as caught:
            report(self.gina, self.enterprise_a, level="major")
        self.assertIn("判定依据", caught.exception.message)
        hazard = report(
            self.gina, self.enterprise_a, level="major", criteria_other="储罐区无紧急切断，参照化工判定标准"
        )
        self.assertEqual(hazard.level, "major")
        item_hazard = major(self.gina, self.enterprise_a)
        self.assertEqual(item_hazard.criteria_item.standard.doc_number, "应急管理部令第10号")

    def test_default_deadline_by_level_is_a_rule(self):
        hazard = report(self.gina, self.enterprise_a)
        self.assertEqual(hazard.deadline, timezone.localdate() + timedelta(days=30))
        Rule.objects.create(key="hazard.default_days.general", region_code=self.county_a.code, value=7)
        hazard = report(self.gina, self.enterprise_a, description="灭火器过期未更换")
        self.assertEqual(hazard.deadline, timezone.localdate() + timedelta(days=7))

    def test_hazard_without_enterprise_attaches_to_a_place(self):
        hazard = services.hazard_report(
            actor=self.gina,
            data={
                "place_name": "凤凰村三组燃气管道",
                "place_kind": "gas_pipe",
                "region": self.village_a1.code,
                "industry": "gas",
                "description": "燃气管道穿越卧室",
                "channel": "supervision",
            },
        )
        self.assertIsNone(hazard.enterprise)
        self.assertEqual(
            (hazard.place.name, hazard.region_id, hazard.industry.code),
            ("凤凰村三组燃气管道", self.village_a1.code, "gas"),
        )
        with self.assertRaises(ApplicationError):
            services.hazard_report(
                actor=self.gina,
                data={
                    "place_name": "某处",
                    "region": self.village_b1.code,
                    "industry": "gas",
                    "description": "外县场所",
                },
            )
        self.assertEqual(Place.objects.count(), 1)


class EvidenceTests(CastTestCase):
    def setUp(self):
        self.hazard = report(self.gina, self.enterprise_a)

    def test_image_is_hashed_and_thumbnailed(self):
        import hashlib

        [attachment] = services.hazard_attach(
            actor=self.gina, hazard=self.hazard, kind="found", files=[photo("现场.png")]
        )
        self.assertEqual(attachment.sha256, hashlib.sha256(png_bytes((20, 160, 40))).hexdigest())
        self.assertEqual(attachment.content_type, "image/png")
        self.assertTrue(attachment.thumbnail.name)
        self.assertTrue(HazardEvent.objects.filter(hazard=self.hazard, action="attach").exists())

    def test_file_checked_by_content_not_name(self):
        fake = SimpleUploadedFile("整改后.jpg", b"MZ\x90\x00 this is an exe", content_type="image/jpeg")
        with self.assertRaises(ApplicationError) as caught:
            services.hazard_attach(actor=self.gina, hazard=self.hazard, kind="after", files=[fake])
        self.assertIn("内容不是图片", caught.exception.message)
        self.assertFalse(HazardAttachment.objects.exists())

    def test_pdf_accepted_and_oversize_refused(self):
        pdf = SimpleUploadedFile("验收报告.pdf", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF")
        [attachment] = services.hazard_attach(actor=self.erin, hazard=self.hazard, kind="acceptance", files=[pdf])
        self.assertEqual(attachment.content_type, "application/pdf")
        Rule.objects.create(key="hazard.attachment_max_mb", value=0.00001)
        with self.assertRaises(ApplicationError) as caught:
            services.hazard_attach(actor=self.erin, hazard=self.hazard, kind="after", files=[photo()])
        self.assertIn("过大", caught.exception.message)

    def test_outsider_cannot_attach(self):
        with self.assertRaises(ApplicationError):
            services.hazard_attach(actor=self.charlie, hazard=self.hazard, kind="after", files=[photo()])


class LifecycleTests(CastTestCase):
    def test_major_hazard_full_life(self):
        hazard = major(self.gina, self.enterprise_a)
        services.hazard_transition(actor=self.erin, hazard=hazard, action="verify")
        services.hazard_list(actor=self.alice, hazard=hazard)
        services.hazard_update_plan(actor=self.emma, hazard=hazard, data=PLAN)
        services.hazard_transition(actor=self.emma, hazard=hazard, action="start")
        services.hazard_attach(actor=self.emma, hazard=hazard, kind="after", files=[photo()])
        services.hazard_transition(actor=self.emma, hazard=hazard, action="submit")
        returned = services.hazard_transition(actor=self.alice, hazard=hazard, action="return", note="缺少验收材料")
        self.assertEqual(returned.status, Status.RECTIFYING)
        services.hazard_transition(actor=self.emma, hazard=hazard, action="submit")
        closed = services.hazard_transition(actor=self.alice, hazard=hazard, action="close", note="验收合格，准予销号")
        self.assertEqual(closed.status, Status.CLOSED)
        self.assertEqual(closed.closed_by, self.alice)
        actions = list(hazard.events.values_list("action", flat=True))
        self.assertEqual(
            actions, ["report", "verify", "list", "edit_plan", "start", "attach", "submit", "return", "submit", "close"]
        )

    def test_extension_granted_keeps_history(self):
        hazard = ready(report(self.gina, self.enterprise_a), self.erin, status=Status.RECTIFYING)
        old = hazard.deadline
        new = old + timedelta(days=15)
        extension = services.hazard_request_extension(
            actor=self.emma, hazard=hazard, new_deadline=new.isoformat(), reason="设备到货延迟"
        )
        with self.assertRaises(ApplicationError):
            services.hazard_request_extension(
                actor=self.emma, hazard=hazard, new_deadline=(new + timedelta(days=1)).isoformat(), reason="再次"
            )
        services.hazard_decide_extension(actor=self.erin, extension=extension, grant=True, note="同意")
        hazard.refresh_from_db()
        self.assertEqual((hazard.deadline, hazard.original_deadline), (new, old))
        with self.assertRaises(ApplicationError):
            services.hazard_decide_extension(actor=self.erin, extension=extension, grant=False, note="重复审批")

    def test_extension_refused_and_bad_requests(self):
        hazard = ready(report(self.gina, self.enterprise_a), self.erin, status=Status.VERIFIED)
        with self.assertRaises(ApplicationError) as caught:
            services.hazard_request_extension(
                actor=self.emma, hazard=hazard, new_deadline=hazard.deadline.isoformat(), reason="x"
            )
        self.assertIn("应晚于", caught.exception.message)
        extension = services.hazard_request_extension(
            actor=self.emma,
            hazard=hazard,
            new_deadline=(hazard.deadline + timedelta(days=5)).isoformat(),
            reason="资金未到位",
        )
        with self.assertRaises(ApplicationError):
            services.hazard_decide_extension(actor=self.emma, extension=extension, grant=True)
        with self.assertRaises(ApplicationError):
            services.hazard_decide_extension(actor=self.erin, extension=extension, grant=False)
        services.hazard_decide_extension(actor=self.erin, extension=extension, grant=False, note="理由不充分")
        hazard.refresh_from_db()
        self.assertEqual(hazard.deadline, extension.old_deadline)

    def test_deadline_only_changes_through_extension_after_verification(self):
        hazard = ready(report(self.gina, self.enterprise_a), self.erin, status=Status.RECTIFYING)
        with self.assertRaises(ApplicationError):
            services.hazard_update_plan(
                actor=self.emma, hazard=hazard, data={"deadline": (hazard.deadline + timedelta(days=9)).isoformat()}
            )


class NotificationTests(CastTestCase):
    def test_principal_and_controller_told_on_verify_and_listing(self):
        from zhiben.enterprises.models import Enterprise

        Enterprise.objects.filter(pk=self.enterprise_a.pk).update(
            principal="王总", principal_phone="13800000001", controller="李董", controller_phone="13900000002"
        )
        hazard = report(self.gina, self.enterprise_a)
        services.hazard_transition(actor=self.erin, hazard=hazard, action="verify")
        sms = Notification.objects.filter(channel="sms", object_id=str(hazard.pk))
        self.assertEqual(sorted(sms.values_list("to_address", flat=True)), ["13800000001", "13900000002"])
        self.assertTrue(
            Notification.objects.filter(channel="inbox", recipient=self.emma, object_id=str(hazard.pk)).exists()
        )
        self.assertEqual(send_pending(), (2, 0))
        self.assertEqual(send_pending(), (0, 0))
        services.hazard_list(actor=self.alice, hazard=hazard)
        self.assertEqual(Notification.objects.filter(channel="sms", subject__startswith="隐患挂牌督办").count(), 2)

    @override_settings(NOTIFICATION_SENDERS={"sms": "zhiben.notifications.tests.broken.BrokenSender"})
    def test_failed_sender_retries_with_backoff(self):
        from zhiben.enterprises.models import Enterprise

        Enterprise.objects.filter(pk=self.enterprise_a.pk).update(principal_phone="13800000001")
        hazard = report(self.gina, self.enterprise_a)
        services.hazard_transition(actor=self.erin, hazard=hazard, action="verify")
        self.assertEqual(send_pending(), (0, 1))
        note = Notification.objects.get(channel="sms")
        self.assertEqual((note.status, note.attempts), ("pending", 1))
        self.assertIn("网关不可用", note.last_error)
        self.assertGreater(note.next_attempt_at, timezone.now())


class DuplicateTests(CastTestCase):
    def test_similar_report_from_another_channel_is_suggested_and_merged(self):
        first = report(
            self.gina, self.enterprise_a, channel="supervision", description="一号车间配电箱未接地，电线私拉乱接"
        )
        second = report(
            self.alice, self.enterprise_a, channel="public", description="群众反映：一号车间配电箱没有接地，电线乱接"
        )
        self.assertEqual([h for h, _ in selectors.duplicate_candidates(second)], [first])
        unrelated = report(self.gina, self.enterprise_a, description="消防通道堆放货物")
        self.assertEqual(selectors.duplicate_candidates(unrelated), [])
        services.hazard_attach(actor=self.alice, hazard=second, kind="found", files=[photo("举报照片.png")])
        services.hazard_transition(actor=self.erin, hazard=second, action="merge", target=first.pk, note="同一隐患")
        second.refresh_from_db()
        self.assertEqual((second.status, second.merged_into), (Status.MERGED, first))
        self.assertEqual(list(first.duplicates.all()), [second])
        self.assertEqual(HazardAttachment.objects.filter(hazard__merged_into=first).count(), 1)

    def test_repeat_of_closed_hazard_is_flagged(self):
        old = ready(
            report(self.gina, self.enterprise_a, description="二号仓库灭火器过期"), self.erin, status=Status.SUBMITTED
        )
        services.hazard_transition(actor=self.erin, hazard=old, action="close", note="已更换")
        again = report(self.gina, self.enterprise_a, description="二号仓库灭火器又过期了")
        self.assertEqual(again.repeat_of, old)

    def test_a_hazard_found_again_and_again_goes_before_the_department_and_the_committee(self):
        def found_and_closed(text):
            hazard = ready(report(self.gina, self.enterprise_a, description=text), self.erin, status=Status.SUBMITTED)
            return services.hazard_transition(actor=self.erin, hazard=hazard, action="close", note="已更换")

        first = found_and_closed("二号仓库灭火器过期")
        second = found_and_closed("二号仓库灭火器又过期了")
        self.assertEqual((first.occurrence, second.occurrence, second.repeat_of), (1, 2, first))
        self.assertFalse(HazardEvent.objects.filter(action="repeat_alert").exists())  # the second time: not yet
        third = report(self.gina, self.enterprise_a, description="二号仓库灭火器再次过期")
        self.assertEqual((third.repeat_of, third.occurrence), (second, 3))
        alert = third.events.get(action="repeat_alert")
        self.assertIn("凤凰化工有限公司同一隐患第 3 次发现", alert.note)
        told = Notification.objects.filter(object_id=str(third.pk), channel="inbox", subject__contains="反复出现")
        self.assertEqual({n.recipient.username for n in told}, {"erin", "alice"})  # the department, the county's 安委办
        page = self.login(self.erin).get(f"/hazards/{third.pk}/")
        self.assertContains(page, "复发（第 3 次）")
        self.assertContains(page, "反复出现提示")

    def test_the_recurrence_alert_follows_its_rule(self):
        Rule.objects.create(key="hazard.repeat_alert_times", region_code=self.county_a.code, value=0)
        old = ready(
            report(self.gina, self.enterprise_a, description="消防通道堵塞"), self.erin, status=Status.SUBMITTED
        )
        for _ in range(3):
            services.hazard_transition(actor=self.erin, hazard=old, action="close", note="已清理")
            old = ready(
                report(self.gina, self.enterprise_a, description="消防通道堵塞"), self.erin, status=Status.SUBMITTED
            )
        self.assertEqual(old.occurrence, 4)
        self.assertFalse(HazardEvent.objects.filter(action="repeat_alert").exists())  # 0: never

    def test_similarity(self):
        self.assertGreater(selectors.similarity("配电箱未接地", "配电箱没有接地"), 0.5)
        self.assertLess(selectors.similarity("配电箱未接地", "消防通道堵塞"), 0.2)


class StockTests(CastTestCase):
    def test_stock_and_increment_by_baseline(self):
        old = report(self.gina, self.enterprise_a, found_date="2023-11-20", description="存量隐患：老旧电线")
        new = report(self.gina, self.enterprise_a, found_date="2024-03-01", description="增量隐患：新装设备无防护")
        stock = selectors.hazard_list(user=self.alice, filters={"stock": "stock"})
        increment = selectors.hazard_list(user=self.alice, filters={"stock": "increment"})
        self.assertEqual((list(stock), list(increment)), ([old], [new]))
        counts = selectors.hazard_counts(user=self.alice)
        self.assertEqual((counts["stock_open"], counts["increment"], counts["baseline"]), (1, 1, date(2023, 12, 31)))
        Rule.objects.create(key="hazard.baseline_date", value="2024-06-30")
        self.assertEqual(selectors.hazard_counts(user=self.alice)["stock_open"], 2)
