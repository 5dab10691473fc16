"""The reports module's business rules through its services: routing, submission and its refusals (nothing
written), photos without EXIF, identities kept out of clear text, the proof of work, rate limits, the
reporter's follow-up, rewards (bounds, two-person approval, a single claim) and the identity keepers."""

import io
import json
import time
from datetime import timedelta
from decimal import Decimal

from django.core import signing
from django.db import connection
from django.test import SimpleTestCase
from django.utils import timezone

from zhiben.audit.models import AuditEvent
from zhiben.core.exceptions import ApplicationError, ScopeError
from zhiben.core.models import SubjectEvent
from zhiben.core.rules import rule
from zhiben.notifications.models import Notification
from zhiben.regions.models import Unit
from zhiben.reports import selectors, services
from zhiben.reports.choices import MessageKind, RewardStatus, Status
from zhiben.reports.hooks import REWARD_SCHEDULE
from zhiben.reports.models import Attempt, Category, Keeper, Message, Photo, Report, Reward, RoutingRule
from zhiben.testing import CastTestCase

from .helpers import (
    DESCRIPTION,
    NAME,
    PHONE,
    at_status,
    counts,
    data,
    fake_jpeg,
    in_clear,
    jpeg,
    named,
    noise_png,
    pdf,
    png,
    set_rule,
    solve,
    submit,
    unsolved,
)

REPLY = "经现场核查，举报情况属实，已责令企业立即整改。"


def audit_text(**filters):
    rows = AuditEvent.objects.filter(**filters).values("action", "object_repr", "data")
    return json.dumps(list(rows), ensure_ascii=False, default=str)


# ---------------------------------------------------------------- routing


class RoutingTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.fire_unit = Unit.objects.create(name="沙坪坝区消防救援支队", kind="department", region=cls.county_a)
        cls.fire = Category.objects.get(code="fire")

    def rule(self, region, unit, category=None):
        return RoutingRule.objects.create(region=region, unit=unit, category=category)

    def test_without_rules_the_department_supervising_the_industry_gets_it(self):
        report, _ = submit(self.village_a1, category="hazchem")
        self.assertEqual(report.unit, self.unit_emergency_a1)
        self.assertEqual(report.industry.code, "hazchem")
        self.assertIn("管行业必须管安全", report.routed_by)
        self.assertIn("凤凰镇应急办", report.routed_by)

    def test_without_a_supervising_department_the_county_committee_gets_it(self):
        report, _ = submit(self.village_a1, category="fire")
        self.assertEqual(report.unit, self.unit_office_a)
        self.assertIn("属地管理", report.routed_by)
        # the town's department supervises hazchem only in its own town
        report, _ = submit(self.town_a2, category="hazchem")
        self.assertEqual(report.unit, self.unit_office_a)
        self.assertIn("属地管理", report.routed_by)

    def test_a_town_committee_comes_before_the_county_one(self):
        town_office = Unit.objects.create(name="凤凰镇安委办", kind="committee", region=self.town_a1)
        report, _ = submit(self.village_a1, category="fire")
        self.assertEqual(report.unit, town_office)
        self.assertIn("凤凰镇", report.routed_by)
        report, _ = submit(self.town_a2, category="fire")
        self.assertEqual(report.unit, self.unit_office_a)

    def test_the_rule_of_the_nearest_region_wins(self):
        self.rule(self.county_a, self.fire_unit)
        self.rule(self.town_a1, self.unit_office_a)
        report, _ = submit(self.village_a1, category="fire")
        self.assertEqual(report.unit, self.unit_office_a)
        self.assertEqual(report.routed_by, "分办规则：凤凰镇全部类别举报由沙坪坝区安委办承办")
        report, _ = submit(self.town_a2, category="fire")
        self.assertEqual(report.unit, self.fire_unit)
        self.assertEqual(report.routed_by, "分办规则：沙坪坝区全部类别举报由沙坪坝区消防救援支队承办")

    def test_a_nearer_generic_rule_beats_a_farther_category_rule(self):
        self.rule(self.county_a, self.fire_unit, self.fire)
        self.rule(self.town_a1, self.unit_office_a)
        report, _ = submit(self.village_a1, category="fire")
        self.assertEqual(report.unit, self.unit_office_a)

    def test_a_category_rule_beats_a_generic_one_of_the_same_region(self):
        self.rule(self.town_a1, self.unit_office_a)
        self.rule(self.town_a1, self.fire_unit, self.fire)
        report, _ = submit(self.village_a1, category="fire")
        self.assertEqual(report.unit, self.fire_unit)
        self.assertEqual(report.routed_by, "分办规则：凤凰镇“消防安全隐患”类举报由沙坪坝区消防救援支队承办")
        report, _ = submit(self.village_a1, category="gas")
        self.assertEqual(report.unit, self.unit_office_a)
        self.assertIn("全部类别", report.routed_by)

    def test_a_rule_comes_before_the_supervising_department(self):
        self.rule(self.town_a1, self.unit_office_a)
        report, _ = submit(self.village_a1, category="hazchem")
        self.assertEqual(report.unit, self.unit_office_a)
        self.assertIn("分办规则", report.routed_by)

    def test_a_rule_of_an_inactive_unit_is_skipped(self):
        self.rule(self.town_a1, self.fire_unit)
        Unit.objects.filter(pk=self.fire_unit.pk).update(is_active=False)
        report, _ = submit(self.village_a1, category="hazchem")
        self.assertEqual(report.unit, self.unit_emergency_a1)

    def test_an_enterprise_named_exactly_gives_its_industry(self):
        report, _ = submit(self.village_a2, category="other", enterprise_name="凤凰化工有限公司")
        self.assertEqual(report.enterprise, self.enterprise_a)
        self.assertEqual(report.industry.code, "hazchem")
        self.assertEqual(report.unit, self.unit_emergency_a1)
        # not exact, or of the other county: kept as typed, routed by the category
        for name in ("凤凰化工", "西彭化工有限公司"):
            with self.subTest(name=name):
                report, _ = submit(self.village_a2, category="other", enterprise_name=name)
                self.assertIsNone(report.enterprise)
                self.assertEqual(report.enterprise_name, name)
                self.assertIsNone(report.industry)
                self.assertEqual(report.unit, self.unit_office_a)

    def test_the_qr_enterprise_token_gives_the_enterprise_its_region_and_industry(self):
        token = services.enterprise_token(self.enterprise_a)
        report, _ = services.report_submit(
            data={"category": "other", "description": DESCRIPTION, "enterprise_token": token}
        )
        self.assertEqual((report.enterprise, report.region), (self.enterprise_a, self.village_a1))
        self.assertEqual(report.enterprise_name, "凤凰化工有限公司")
        self.assertEqual(report.unit, self.unit_emergency_a1)

    def test_a_forged_token_names_no_enterprise(self):
        token = services.enterprise_token(self.enterprise_a)[:-2] + "xx"
        self.assertIsNone(services.enterprise_from_token(token))
        self.assertIsNone(services.enterprise_from_token(str(self.enterprise_a.pk)))
        report, _ = submit(self.village_a2, category="other", enterprise_token=token)
        self.assertIsNone(report.enterprise)
        self.assertEqual(report.region, self.village_a2)


# ---------------------------------------------------------------- submission


class SubmissionTests(CastTestCase):
    def test_an_anonymous_report_is_received_routed_and_announced(self):
        before = counts()
        report, secret = submit(self.village_a1, address="凤凰镇工业路8号", latitude="29.55", longitude="106.45")
        self.assertRegex(report.code, r"^JB-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$")
        self.assertRegex(secret, r"^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$")
        self.assertEqual(report.status, Status.RECEIVED)
        self.assertTrue(report.anonymous)
        self.assertEqual((report.reporter_name, report.reporter_phone), ("", ""))
        self.assertEqual(report.latitude, Decimal("29.550000"))
        self.assertEqual(report.deadline, timezone.localdate() + timedelta(days=rule("reports.verify_days")))
        self.assertTrue(services.secret_matches(report, secret))
        after = counts()
        self.assertEqual(after["Report"], before["Report"] + 1)
        self.assertEqual(after["AuditEvent"], before["AuditEvent"] + 1)
        self.assertEqual(after["SubjectEvent"], before["SubjectEvent"] + 1)
        self.assertTrue(AuditEvent.objects.filter(action="report.submit", object_id=str(report.pk)).exists())
        # the unit's people are told, with the code
        notice = Notification.objects.get(recipient=self.erin, object_id=str(report.pk))
        self.assertIn(report.code, notice.subject)

    def test_a_named_report_keeps_name_and_phone_only_as_ciphertext(self):
        report, secret = services.report_submit(data=named(self.village_a1, phone="139 1234 5678"))
        report.refresh_from_db()
        self.assertFalse(report.anonymous)
        self.assertEqual((report.reporter_name, report.reporter_phone), (NAME, PHONE))
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reporter_name, reporter_phone, secret_hash FROM reports_report WHERE id = %s", [report.pk]
            )
            raw_name, raw_phone, secret_hash = cursor.fetchone()
        self.assertNotIn(NAME, raw_name)
        self.assertNotIn(PHONE, raw_phone)
        self.assertNotIn(PHONE[-4:], raw_phone)
        self.assertNotIn(secret.replace("-", ""), secret_hash)
        # nowhere in the database: not the audit log, the timeline, the notifications
        self.assertEqual(in_clear(NAME, PHONE, secret, secret.replace("-", "")), set())

    def test_an_anonymous_reporter_who_typed_a_name_keeps_it_to_themself(self):
        report, _ = services.report_submit(data=named(self.village_a1, anonymous="1"))
        self.assertTrue(report.anonymous)
        self.assertEqual((report.reporter_name, report.reporter_phone), ("", ""))

    def test_bad_input_is_refused_in_chinese_and_nothing_is_written(self):
        cases = [
            ("no category", {"category": ""}, (), "请选择举报类别"),
            ("unknown category", {"category": "nuclear"}, (), "请选择举报类别"),
            ("no region", {"region": ""}, (), "请选择隐患所在的镇街"),
            ("unknown region", {"region": "500106999"}, (), "请选择隐患所在的镇街"),
            ("county", {"region": "500106"}, (), "“沙坪坝区”范围太大"),
            ("short", {"description": "油漆桶很多很危险"}, (), "至少10个字"),
            ("long", {"description": "危" * 2001}, (), "举报内容过长（2001 字）"),
            ("named without name", {"anonymous": "0", "phone": PHONE}, (), "实名举报请填写姓名"),
            ("named without phone", {"anonymous": "0", "name": NAME}, (), "正确的手机号码"),
            ("named bad phone", {"anonymous": "0", "name": NAME, "phone": "1391234"}, (), "正确的手机号码"),
            ("latitude text", {"latitude": "北纬29度"}, (), "纬度“北纬29度”不是数字"),
            ("latitude range", {"latitude": "91"}, (), "纬度“91”超出范围"),
            ("longitude range", {"longitude": "-181"}, (), "经度“-181”超出范围"),
            ("a PDF", {}, (pdf(),), "不是照片"),
            ("text named .jpg", {}, (fake_jpeg(),), "扩展名显示为图片，但内容不是图片"),
            ("seven photos", {}, tuple(jpeg(f"p{i}.jpg") for i in range(7)), "最多 6 张照片"),
        ]
        for label, extra, files, message in cases:
            with self.subTest(label):
                before = counts()
                with self.assertRaises(ApplicationError) as caught:
                    services.report_submit(
                        data=data(self.village_a1, **extra),
                        files=files,
                        client=services.Client.of("198.51.100.1", "device-1"),
                    )
                self.assertIn(message, caught.exception.message)
                self.assertEqual(counts(), before)

    def test_one_bad_photo_among_good_ones_refuses_the_whole_report(self):
        before = counts()
        with self.assertRaises(ApplicationError) as caught:
            submit(self.village_a1, files=[jpeg(), pdf("附件.pdf")])
        self.assertIn("“附件.pdf”不是照片", caught.exception.message)
        self.assertEqual(counts(), before)

    def test_a_photo_over_the_size_rule_is_refused(self):
        set_rule("reports.photo_max_mb", 1)
        before = counts()
        with self.assertRaises(ApplicationError) as caught:
            submit(self.village_a1, files=[noise_png()])
        self.assertIn("过大", caught.exception.message)
        self.assertIn("上限 1 MB", caught.exception.message)
        self.assertEqual(counts(), before)

    def test_markup_is_stored_as_text_and_flagged(self):
        text = "<script>alert('x')</script>仓库后门堆放了二十多桶油漆稀释剂"
        report, _ = submit(self.village_a1, description=text)
        report.refresh_from_db()
        self.assertEqual(report.description, text)
        self.assertIn("含网页脚本或标签", report.suspect)
        plain, _ = submit(self.village_a1)
        self.assertEqual(plain.suspect, "")

    def test_links_are_flagged_from_the_rule_count(self):
        two = "加微信看 http://a.example 和 www.b.example 仓库后门堆放油漆桶"
        three = two + " https://c.example"
        report, _ = submit(self.village_a1, description=two)
        self.assertEqual(report.suspect, "")
        report, _ = submit(self.village_a1, description=three)
        self.assertEqual(report.suspect, "含多个网址链接")

    def test_photos_are_stored_without_exif(self):
        from PIL import Image

        report, _ = submit(self.village_a1, files=[jpeg("gps.jpg", gps=True), png("gps.png", gps=True)])
        photos = list(report.photos.order_by("id"))
        self.assertEqual([p.content_type for p in photos], ["image/jpeg", "image/png"])
        for photo in photos:
            for stored in (photo.file, photo.thumbnail):
                with self.subTest(photo=photo.original_name, file=stored.name):
                    stored.open("rb")
                    with Image.open(io.BytesIO(stored.read())) as image:
                        self.assertEqual(dict(image.getexif()), {})
                    stored.close()

    def test_the_exif_of_a_test_photo_is_really_there_before(self):
        """The check above can fail: the uploads do carry GPS data."""
        from PIL import ExifTags, Image

        upload = jpeg(gps=True)
        with Image.open(io.BytesIO(upload.read())) as image:
            self.assertEqual(image.getexif().get_ifd(ExifTags.IFD.GPSInfo)[1], "N")


class DescriptionBoundaryTests(CastTestCase):
    def test_ten_and_two_thousand_characters_are_accepted(self):
        for text in ("仓库门口堆放油漆桶了", "仓" * 2000):
            with self.subTest(length=len(text)):
                report, _ = submit(self.village_a1, description=text)
                self.assertEqual(report.description, text)


# ---------------------------------------------------------------- proof of work


class OldSigner(signing.TimestampSigner):
    def timestamp(self):
        return signing.b62_encode(int(time.time()) - 3 * 3600)


class ProofOfWorkTests(CastTestCase):
    def test_a_solved_challenge_is_accepted_once(self):
        challenge = services.challenge_new()
        counter = solve(challenge)
        services.challenge_check(challenge, counter)
        self.assertEqual(Attempt.objects.filter(kind="pow").count(), 1)
        with self.assertRaises(ApplicationError) as caught:
            services.challenge_check(challenge, counter)
        self.assertIn("该表单已经提交过", caught.exception.message)
        self.assertEqual(Attempt.objects.filter(kind="pow").count(), 1)

    def test_a_wrong_or_missing_counter_is_refused(self):
        challenge = services.challenge_new(bits=12)
        for counter in (unsolved(challenge), "", None, "abc", "-1"):
            with self.subTest(counter=counter):
                with self.assertRaises(ApplicationError) as caught:
                    services.challenge_check(challenge, counter)
                self.assertIn("浏览器校验未完成", caught.exception.message)
        self.assertFalse(Attempt.objects.exists())

    def test_the_difficulty_is_the_signed_one(self):
        challenge = services.challenge_new()
        self.assertEqual(signing.loads(challenge, salt=services.POW_SALT)["b"], rule("reports.pow_bits"))

    def test_an_expired_challenge_is_refused(self):
        old = OldSigner(salt=services.POW_SALT).sign_object({"n": "0123456789abcdef", "b": 0}, compress=False)
        with self.assertRaises(ApplicationError) as caught:
            services.challenge_check(old, "1")
        self.assertIn("页面停留时间过长", caught.exception.message)
        # the same age is fine under a longer rule
        set_rule("reports.pow_max_age_minutes", 240)
        services.challenge_check(old, "1")

    def test_a_tampered_or_foreign_challenge_is_refused(self):
        challenge = services.challenge_new(bits=4)
        payload, rest = challenge.split(":", 1)
        tampered = signing.b64_encode(json.dumps({"n": "x", "b": 0}).encode()).decode() + ":" + rest
        foreign = signing.dumps({"n": "x", "b": 0}, salt="zhiben.reports.enterprise")
        for bad in (tampered, foreign, "", None, "garbage"):
            with self.subTest(challenge=bad):
                with self.assertRaises(ApplicationError) as caught:
                    services.challenge_check(bad, "1")
                self.assertIn("页面校验信息无效", caught.exception.message)
        self.assertFalse(Attempt.objects.exists())


# ---------------------------------------------------------------- rate limits


class RateLimitTests(CastTestCase):
    def test_submissions_per_address_per_hour(self):
        set_rule("reports.limit_address_hour", 2)
        for device in ("d1", "d2"):
            submit(self.village_a1, client=services.Client.of("203.0.113.7", device))
        before = counts()
        with self.assertRaises(ApplicationError) as caught:
            submit(self.village_a1, client=services.Client.of("203.0.113.7", "d3"))
        self.assertEqual(caught.exception.code, "throttled")
        self.assertIn("同一网络提交过于频繁", caught.exception.message)
        self.assertIn("12350", caught.exception.message)
        self.assertEqual(counts(), before)
        submit(self.village_a1, client=services.Client.of("203.0.113.8", "d3"))  # another address
        # an hour later the address may send again
        Attempt.objects.update(at=timezone.now() - timedelta(minutes=61))
        submit(self.village_a1, client=services.Client.of("203.0.113.7", "d4"))

    def test_submissions_per_device_per_hour(self):
        set_rule("reports.limit_device_hour", 2)
        for address in ("192.0.2.1", "192.0.2.2"):
            submit(self.village_a1, client=services.Client.of(address, "phone-1"))
        with self.assertRaises(ApplicationError) as caught:
            submit(self.village_a1, client=services.Client.of("192.0.2.3", "phone-1"))
        self.assertIn("同一设备提交过于频繁", caught.exception.message)
        submit(self.village_a1, client=services.Client.of("192.0.2.3", "phone-2"))

    def test_submissions_per_device_per_day(self):
        set_rule("reports.limit_device_day", 3)
        for address in ("192.0.2.1", "192.0.2.2", "192.0.2.3"):
            submit(self.village_a1, client=services.Client.of(address, "phone-1"))
        Attempt.objects.update(at=timezone.now() - timedelta(hours=5))  # out of the hour, inside the day
        before = counts()
        with self.assertRaises(ApplicationError) as caught:
            submit(self.village_a1, client=services.Client.of("192.0.2.4", "phone-1"))
        self.assertIn("同一设备今天提交过于频繁", caught.exception.message)
        self.assertEqual(counts(), before)
        Attempt.objects.update(at=timezone.now() - timedelta(hours=25))
        submit(self.village_a1, client=services.Client.of("192.0.2.4", "phone-1"))

    def test_addresses_and_devices_are_kept_only_as_keyed_hashes(self):
        report, _ = submit(self.village_a1, client=services.Client.of("203.0.113.77", "device-abc-123"))
        self.assertEqual(len(report.address_hash), 64)
        self.assertEqual(in_clear("203.0.113.77", "device-abc-123"), set())

    def _wrong(self, code, address):
        with self.assertRaises(ApplicationError) as caught:
            services.report_find(code, "AAAA-BBBB-CCCC", client=services.Client.of(address, ""))
        return caught.exception

    def test_failed_lookups_per_address_lock_it_for_an_hour(self):
        set_rule("reports.limit_lookup_fail_hour", 3)
        report, secret = submit(self.village_a1)
        other, _ = submit(self.village_a1)
        for code in (other.code, "JB-2222-3333", other.code):
            self.assertEqual(self._wrong(code, "198.51.100.9").code, "not_found")
        with self.assertRaises(ApplicationError) as caught:
            services.report_find(report.code, secret, client=services.Client.of("198.51.100.9", ""))
        self.assertEqual(caught.exception.message, "查询失败次数过多，请一小时后再试。")
        # another address may look its own report up; an hour later this one may again
        self.assertEqual(
            services.report_find(report.code, secret, client=services.Client.of("198.51.100.10", "")), report
        )
        Attempt.objects.update(at=timezone.now() - timedelta(minutes=61))
        self.assertEqual(
            services.report_find(report.code, secret, client=services.Client.of("198.51.100.9", "")), report
        )

    def test_failed_lookups_per_code_lock_the_code_for_an_hour(self):
        set_rule("reports.limit_lookup_fail_hour", 3)
        report, secret = submit(self.village_a1)
        for address in ("198.51.100.1", "198.51.100.2", "198.51.100.3"):
            self._wrong(report.code.lower(), address)
        with self.assertRaises(ApplicationError) as caught:
            services.report_find(report.code, secret, client=services.Client.of("198.51.100.4", ""))
        self.assertIn("查询失败次数过多", caught.exception.message)
        Attempt.objects.update(at=timezone.now() - timedelta(minutes=61))
        self.assertEqual(
            services.report_find(report.code, secret, client=services.Client.of("198.51.100.4", "")), report
        )

    def test_prune_deletes_rows_older_than_two_days(self):
        submit(self.village_a1, client=services.Client.of("192.0.2.1", "phone-1"))
        old = Attempt.objects.create(kind="lookup", key="x" * 64)
        Attempt.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=3))
        self.assertEqual(services.prune_attempts(), 1)
        self.assertFalse(Attempt.objects.filter(pk=old.pk).exists())
        self.assertEqual(Attempt.objects.filter(kind="submit").count(), 2)


# ---------------------------------------------------------------- the reporter's follow-up


class FollowUpTests(CastTestCase):
    def setUp(self):
        self.report, self.secret = submit(self.village_a1)

    def test_code_and_secret_as_people_type_them(self):
        raw_code = self.report.code.replace("-", "")
        for code in (raw_code.lower(), " " + self.report.code.lower() + " ", raw_code[2:], "jb " + raw_code[2:]):
            for secret in (self.secret, self.secret.lower().replace("-", "")):
                with self.subTest(code=code, secret=secret):
                    self.assertEqual(services.report_find(code, secret), self.report)

    def test_a_wrong_secret_and_an_unknown_code_get_the_same_message(self):
        messages = set()
        for code, secret in (
            (self.report.code, "2222-3333-4444"),
            ("JB-2222-3333", self.secret),
            ("", ""),
            (self.report.code, ""),
        ):
            with self.subTest(code=code):
                with self.assertRaises(ApplicationError) as caught:
                    services.report_find(code, secret)
                messages.add(caught.exception.message)
        self.assertEqual(messages, {"举报编号或查询密码不正确，请核对后重试（编号形如 JB-XXXX-XXXX）。"})

    def test_the_reporter_adds_text_and_photos_to_an_open_report(self):
        services.report_accept(actor=self.erin, report=self.report)
        message = services.reporter_add(report=self.report, text="补充：今天早上又运来了十几桶。", files=[jpeg()])
        self.assertEqual(message.kind, MessageKind.INFO)
        self.assertEqual(message.status, Status.VERIFYING)
        self.assertEqual(list(message.photos.values_list("report_id", flat=True)), [self.report.pk])
        self.assertTrue(SubjectEvent.objects.filter(subject_id=str(self.report.pk), action="info").exists())
        self.assertTrue(AuditEvent.objects.filter(action="report.info", object_id=str(self.report.pk)).exists())
        # the assignee is told
        self.assertTrue(Notification.objects.filter(recipient=self.erin, subject__contains="举报人补充了情况").exists())
        # a photo alone is enough
        message = services.reporter_add(report=self.report, text="", files=[png()])
        self.assertEqual(message.text, "（补充照片）")

    def test_additions_are_refused_when_empty_too_long_or_too_many_photos(self):
        set_rule("reports.max_photos", 2)
        services.reporter_add(report=self.report, text="先补充一张照片", files=[jpeg()])
        cases = [
            ("", (), "请填写补充内容或上传照片"),
            ("补" * 2001, (), "2000字以内"),
            ("再补两张", (jpeg("a.jpg"), jpeg("b.jpg")), "最多 2 张照片（已有 1 张，本次 2 张）"),
            ("一份文件", (pdf(),), "不是照片"),
        ]
        for text, files, message in cases:
            with self.subTest(message):
                before = counts()
                with self.assertRaises(ApplicationError) as caught:
                    services.reporter_add(report=self.report, text=text, files=files)
                self.assertIn(message, caught.exception.message)
                self.assertEqual(counts(), before)

    def test_a_closed_report_takes_additions_for_thirty_days(self):
        services.report_accept(actor=self.erin, report=self.report)
        services.report_unfounded(actor=self.erin, report=self.report, reply="现场核查未发现举报的油漆桶。")
        services.reporter_add(report=self.report, text="我不同意，油漆桶白天搬走晚上又搬回来。")
        Report.objects.filter(pk=self.report.pk).update(closed_at=timezone.now() - timedelta(days=31))
        before = counts()
        with self.assertRaises(ApplicationError) as caught:
            services.reporter_add(report=self.report, text="还是有油漆桶")
        self.assertIn("已办结超过30天，不能再补充", caught.exception.message)
        self.assertEqual(counts(), before)

    def test_markup_in_an_addition_flags_the_report(self):
        services.reporter_add(report=self.report, text="<img src=x onerror=alert(1)>")
        self.report.refresh_from_db()
        self.assertEqual(self.report.suspect, "补充内容含网页脚本或标签")


# ---------------------------------------------------------------- rewards


class RewardAmountTests(SimpleTestCase):
    def amount(self, **kwargs):
        return services.reward_amount(REWARD_SCHEDULE, **kwargs)[0]

    def test_fifteen_percent_of_the_fine_within_the_floor_and_the_cap(self):
        cases = [
            (None, Decimal("3000.00")),
            (Decimal(0), Decimal("3000.00")),
            (Decimal(1000), Decimal("3000.00")),
            (Decimal(20000), Decimal("3000.00")),
            (Decimal(100000), Decimal("15000.00")),
            (Decimal("123456.78"), Decimal("18518.52")),
            (Decimal(2000000), Decimal("300000.00")),
            (Decimal(10000000), Decimal("300000.00")),
        ]
        for kind in ("major_hazard", "violation"):
            for fine, expected in cases:
                with self.subTest(kind=kind, fine=fine):
                    self.assertEqual(self.amount(kind=kind, fine=fine), expected)

    def test_an_employee_gets_twenty_percent_more_then_the_cap(self):
        self.assertEqual(self.amount(kind="violation", fine=Decimal(100000), employee=True), Decimal("18000.00"))
        self.assertEqual(self.amount(kind="violation", fine=Decimal(0), employee=True), Decimal("3600.00"))
        amount, basis = services.reward_amount(REWARD_SCHEDULE, kind="violation", fine=Decimal(1900000), employee=True)
        self.assertEqual(amount, Decimal("300000.00"))
        self.assertIn("上浮 20%", basis)
        self.assertIn("封顶 300,000 元", basis)

    def test_concealment_per_death_by_grade(self):
        cases = [
            ("一般", 1, "30000.00"),
            ("较大", 2, "80000.00"),
            ("重大", 3, "150000.00"),
            ("特别重大", 10, "300000.00"),
        ]
        for grade, deaths, expected in cases:
            with self.subTest(grade=grade):
                self.assertEqual(self.amount(kind="concealment", deaths=deaths, grade=grade), Decimal(expected))
        for deaths, grade in ((0, "一般"), (None, "一般"), (2, ""), (2, "轻微")):
            with self.subTest(deaths=deaths, grade=grade):
                with self.assertRaises(ApplicationError) as caught:
                    self.amount(kind="concealment", deaths=deaths, grade=grade)
                self.assertIn("瞒报死亡人数和事故等级", caught.exception.message)

    def test_a_general_hazard_earns_nothing(self):
        with self.assertRaises(ApplicationError) as caught:
            self.amount(kind="general_hazard", fine=Decimal(100000))
        self.assertEqual(caught.exception.code, "not_eligible")
        self.assertIn("一般事故隐患不在奖励范围内", caught.exception.message)


class RewardTests(CastTestCase):
    def verified(self, category="illegal", actor=None, **extra):
        """A report of `category` verified without a hazard (a violation) by alice."""
        report, secret = submit(self.village_a1, category=category, **extra)
        services.report_accept(actor=self.alice, report=report)
        services.report_verify(actor=self.alice, report=report, data={"no_hazard": "1"}, reply=REPLY)
        report.refresh_from_db()
        return report, secret

    def test_the_full_life_proposed_approved_claimed_paid(self):
        report, secret = self.verified(is_employee="1")
        reward = services.reward_propose(actor=self.alice, report=report, data={"fine": "100,000"})
        self.assertEqual((reward.amount, reward.status), (Decimal("18000.00"), RewardStatus.PROPOSED))
        self.assertIn("罚款 100,000.00 元 × 15%", reward.basis)
        reward = services.reward_decide(actor=self.bob, reward=reward, approve=True)
        self.assertEqual((reward.status, reward.approved_by), (RewardStatus.APPROVED, self.bob))
        found = services.report_find(report.code, secret)
        reward = services.reward_claim(
            report=found, data={"payee_name": NAME, "payee_account": "6222 0212 3456 7890", "payee_phone": PHONE}
        )
        self.assertEqual(reward.status, RewardStatus.CLAIMED)
        reward = services.reward_pay(actor=self.alice, reward=reward, voucher="ZZ20260301001")
        self.assertEqual(
            (reward.status, reward.paid_by, reward.voucher), (RewardStatus.PAID, self.alice, "ZZ20260301001")
        )
        replies = [m.text for m in selectors.public_view(report)["messages"]]
        self.assertTrue(any("给予奖励 18,000.00 元" in t for t in replies))
        self.assertTrue(any("已发放" in t for t in replies))
        for action in ("report.reward_propose", "report.reward_approve", "report.reward_claim", "report.reward_pay"):
            self.assertTrue(AuditEvent.objects.filter(action=action, object_id=str(reward.pk)).exists(), action)
        # payee details: ciphertext at rest, nowhere in clear (audit, notifications included)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT payee_name, payee_account, payee_phone FROM reports_reward WHERE id = %s", [reward.pk]
            )
            raw = cursor.fetchone()
        self.assertTrue(all(raw))
        self.assertEqual(in_clear(NAME, PHONE, "6222 0212 3456 7890", "6222021234567890"), set())

    def test_only_a_verified_report_earns_a_reward(self):
        report, _ = submit(self.village_a1, category="illegal")
        for status in (Status.RECEIVED, Status.VERIFYING, Status.UNFOUNDED, Status.DUPLICATE, Status.SPAM):
            with self.subTest(status=status):
                at_status(report, status)
                with self.assertRaises(ApplicationError) as caught:
                    services.reward_propose(actor=self.alice, report=report, data={"fine": "1000"})
                self.assertEqual(caught.exception.code, "bad_state")
        self.assertFalse(Reward.objects.exists())

    def test_a_verified_general_hazard_earns_no_reward(self):
        report, _ = submit(self.village_a1, category="hazchem")
        services.report_accept(actor=self.erin, report=report)
        services.report_verify(actor=self.erin, report=report, data={"level": "general"}, reply=REPLY)
        before = counts()
        with self.assertRaises(ApplicationError) as caught:
            services.reward_propose(actor=self.erin, report=report, data={"fine": "500000"})
        self.assertEqual(caught.exception.code, "not_eligible")
        self.assertEqual(counts(), before)

    def test_a_verified_major_hazard_earns_the_floor_without_a_fine(self):
        report, _ = submit(self.village_a1, category="hazchem")
        services.report_accept(actor=self.erin, report=report)
        services.report_verify(
            actor=self.erin,
            report=report,
            data={"level": "major", "criteria_other": "储存场所与明火作业点安全距离不足"},
            reply=REPLY,
        )
        reward = services.reward_propose(actor=self.erin, report=report, data={})
        self.assertEqual(reward.amount, Decimal("3000.00"))
        self.assertEqual(reward.hazard, Report.objects.get(pk=report.pk).hazard)

    def test_a_concealed_accident_is_rewarded_per_death(self):
        report, _ = self.verified(category="concealment")
        before = counts()
        with self.assertRaises(ApplicationError) as caught:
            services.reward_propose(actor=self.alice, report=report, data={"deaths": "两人", "accident_grade": "较大"})
        self.assertIn("瞒报死亡人数须为整数", caught.exception.message)
        # str.isdigit() holds for "²", which int() refuses (a 500); a number past the column's range
        for deaths in ("²", "9" * 25):
            with self.assertRaises(ApplicationError) as caught:
                services.reward_propose(
                    actor=self.alice, report=report, data={"deaths": deaths, "accident_grade": "较大"}
                )
            self.assertIn("瞒报死亡人数须为整数", caught.exception.message)
        self.assertEqual(counts(), before)
        reward = services.reward_propose(
            actor=self.alice, report=report, data={"deaths": "2", "accident_grade": "较大"}
        )
        self.assertEqual(reward.amount, Decimal("80000.00"))

    def test_one_reward_per_report_and_per_hazard(self):
        report, _ = self.verified()
        services.reward_propose(actor=self.alice, report=report, data={"fine": "1000"})
        with self.assertRaises(ApplicationError) as caught:
            services.reward_propose(actor=self.alice, report=report, data={"fine": "1000"})
        self.assertIn("不能重复提出", caught.exception.message)
        self.assertEqual(Reward.objects.count(), 1)

    def test_only_the_first_valid_reporter_of_a_hazard_is_rewarded(self):
        first, _ = submit(self.village_a1, category="hazchem")
        services.report_accept(actor=self.erin, report=first)
        services.report_verify(
            actor=self.erin, report=first, data={"level": "major", "criteria_other": "安全距离不足"}, reply=REPLY
        )
        first.refresh_from_db()
        services.reward_propose(actor=self.erin, report=first, data={})
        # a second report of the same hazard: as a duplicate it is never "verified" ...
        second, _ = submit(self.village_a1, category="hazchem")
        services.report_duplicate(actor=self.erin, report=second, of=first.hazard.number)
        with self.assertRaises(ApplicationError) as caught:
            services.reward_propose(actor=self.erin, report=second, data={})
        self.assertEqual(caught.exception.code, "bad_state")
        # ... and verified into the same hazard it is refused too
        third, _ = submit(self.village_a1, category="hazchem")
        at_status(third, Status.VERIFIED)
        Report.objects.filter(pk=third.pk).update(hazard=first.hazard)
        with self.assertRaises(ApplicationError) as caught:
            services.reward_propose(actor=self.erin, report=third, data={})
        self.assertIn("该隐患已奖励过首位举报人", caught.exception.message)
        self.assertEqual(Reward.objects.count(), 1)

    def test_approval_by_a_second_person(self):
        report, _ = self.verified()
        reward = services.reward_propose(actor=self.alice, report=report, data={"fine": "1000"})
        with self.assertRaises(ApplicationError) as caught:
            services.reward_decide(actor=self.alice, reward=reward, approve=True)
        self.assertIn("另一人审批", caught.exception.message)
        with self.assertRaises(ApplicationError) as caught:
            services.reward_decide(actor=self.erin, reward=reward, approve=True)  # no right to approve
        self.assertIn("无权审批", caught.exception.message)
        with self.assertRaises(ScopeError):
            services.reward_decide(actor=self.charlie, reward=reward, approve=True)
        self.assertEqual(Reward.objects.get(pk=reward.pk).status, RewardStatus.PROPOSED)
        reward = services.reward_decide(actor=self.bob, reward=reward, approve=True)
        self.assertEqual(reward.status, RewardStatus.APPROVED)
        with self.assertRaises(ApplicationError) as caught:
            services.reward_decide(actor=self.bob, reward=reward, approve=True)
        self.assertIn("不能审批", caught.exception.message)

    def test_a_refusal_needs_a_reason_the_reporter_reads(self):
        report, secret = self.verified()
        reward = services.reward_propose(actor=self.alice, report=report, data={"fine": "1000"})
        before = counts()
        with self.assertRaises(ApplicationError) as caught:
            services.reward_decide(actor=self.bob, reward=reward, approve=False, reason=" ")
        self.assertIn("不予奖励须写明理由", caught.exception.message)
        self.assertEqual(counts(), before)
        reward = services.reward_decide(
            actor=self.bob, reward=reward, approve=False, reason="举报前监管部门已掌握该情况"
        )
        self.assertEqual((reward.status, reward.refused_reason), (RewardStatus.REFUSED, "举报前监管部门已掌握该情况"))
        self.assertIn(
            "经审批，不予奖励：举报前监管部门已掌握该情况", [m.text for m in selectors.public_view(report)["messages"]]
        )
        with self.assertRaises(ApplicationError) as caught:
            services.reward_claim(report=report, data={})
        self.assertIn("尚不能申领", caught.exception.message)

    def test_a_claim_only_when_approved_and_only_once(self):
        report, secret = self.verified()
        payee = {"payee_name": NAME, "payee_account": "6222021234567890", "payee_phone": PHONE}
        with self.assertRaises(ApplicationError) as caught:
            services.reward_claim(report=report, data=payee)
        self.assertIn("没有可申领的奖励", caught.exception.message)
        reward = services.reward_propose(actor=self.alice, report=report, data={"fine": "1000"})
        with self.assertRaises(ApplicationError) as caught:
            services.reward_claim(report=report, data=payee)
        self.assertIn("尚不能申领", caught.exception.message)
        services.reward_decide(actor=self.bob, reward=reward, approve=True)
        bad = [
            ({**payee, "payee_name": "欧"}, "请填写领奖人姓名"),
            ({**payee, "payee_account": "123"}, "银行卡号"),
            ({**payee, "payee_phone": "12345"}, "正确的联系电话"),
        ]
        for values, message in bad:
            with self.subTest(message):
                before = counts()
                with self.assertRaises(ApplicationError) as caught:
                    services.reward_claim(report=report, data=values)
                self.assertIn(message, caught.exception.message)
                self.assertEqual(counts(), before)
        services.reward_claim(report=report, data=payee)
        notice = Notification.objects.filter(subject__contains="举报奖励已申领").first()
        self.assertNotIn(NAME, notice.body)
        with self.assertRaises(ApplicationError) as caught:
            services.reward_claim(report=report, data={**payee, "payee_name": "另一个人"})
        self.assertEqual(caught.exception.code, "duplicate")
        self.assertIn("不能重复申领", caught.exception.message)
        self.assertEqual(Reward.objects.get(pk=reward.pk).payee_name, NAME)

    def test_payment_needs_a_claim_and_a_voucher(self):
        report, _ = self.verified()
        reward = services.reward_propose(actor=self.alice, report=report, data={"fine": "1000"})
        services.reward_decide(actor=self.bob, reward=reward, approve=True)
        with self.assertRaises(ApplicationError) as caught:
            services.reward_pay(actor=self.alice, reward=reward, voucher="ZZ001")
        self.assertIn("不能登记发放", caught.exception.message)
        services.reward_claim(
            report=report, data={"payee_name": NAME, "payee_account": "6222021234567890", "payee_phone": PHONE}
        )
        with self.assertRaises(ApplicationError) as caught:
            services.reward_pay(actor=self.alice, reward=reward, voucher="")
        self.assertIn("请填写发放凭证号", caught.exception.message)
        with self.assertRaises(ApplicationError):
            services.reward_pay(actor=self.dave, reward=reward, voucher="ZZ001")  # a leader has no reward right
        self.assertEqual(Reward.objects.get(pk=reward.pk).status, RewardStatus.CLAIMED)
        services.reward_pay(actor=self.alice, reward=reward, voucher="ZZ001")
        self.assertEqual(Reward.objects.get(pk=reward.pk).status, RewardStatus.PAID)


# ---------------------------------------------------------------- confidentiality


class ConfidentialityTests(CastTestCase):
    def setUp(self):
        self.report, self.secret = services.report_submit(data=named(self.village_a1))

    def test_only_a_security_administrator_designates_keepers(self):
        with self.assertRaises(ApplicationError) as caught:
            services.keeper_designate(actor=self.alice, user=self.erin)
        self.assertIn("只有安全管理员", caught.exception.message)
        self.assertFalse(Keeper.objects.exists())
        for user in (self.dave, self.emma, self.gina):
            with self.subTest(user=user.username):
                with self.assertRaises(ApplicationError) as caught:
                    services.keeper_designate(actor=self.sid, user=user)
                self.assertIn("保密专员须是在岗的安委办或行业监管人员账号", caught.exception.message)
        services.keeper_designate(actor=self.sid, user=self.erin)
        self.assertTrue(AuditEvent.objects.filter(action="report.keeper_add", actor=self.sid).exists())
        with self.assertRaises(ApplicationError) as caught:
            services.keeper_designate(actor=self.sid, user=self.erin)
        self.assertIn("已是保密专员", caught.exception.message)

    def test_a_keeper_reveals_with_a_reason_and_the_audit_keeps_the_reason_only(self):
        services.keeper_designate(actor=self.sid, user=self.erin)
        before = AuditEvent.objects.filter(action="report.reveal").count()
        with self.assertRaises(ApplicationError) as caught:
            services.identity_reveal(actor=self.erin, report=self.report, reason="查看")
        self.assertIn("请写明查看举报人身份的事由", caught.exception.message)
        self.assertEqual(AuditEvent.objects.filter(action="report.reveal").count(), before)
        identity = services.identity_reveal(actor=self.erin, report=self.report, reason="核查需联系举报人带路")
        self.assertEqual((identity["姓名"], identity["电话"], identity["匿名"]), (NAME, PHONE, "否"))
        row = AuditEvent.objects.get(action="report.reveal")
        self.assertEqual(
            (row.actor, row.object_id, row.data["reason"]), (self.erin, str(self.report.pk), "核查需联系举报人带路")
        )
        self.assertEqual(in_clear(NAME, PHONE, table=AuditEvent._meta.db_table), set())

    def test_nobody_else_reveals(self):
        for user in (self.alice, self.bob, self.dave, self.sid, self.aud):
            with self.subTest(user=user.username):
                with self.assertRaises(ApplicationError) as caught:
                    services.identity_reveal(actor=user, report=self.report, reason="核查需联系举报人")
                self.assertEqual(caught.exception.code, "forbidden")
        self.assertFalse(AuditEvent.objects.filter(action="report.reveal").exists())

    def test_a_keeper_of_the_other_county_gets_scope_error(self):
        Keeper.objects.create(user=self.charlie, designated_by=self.sid)
        with self.assertRaises(ScopeError):
            services.identity_reveal(actor=self.charlie, report=self.report, reason="核查需联系举报人")
        self.assertFalse(AuditEvent.objects.filter(action="report.reveal").exists())

    def test_a_removed_keeper_reveals_no_more(self):
        services.keeper_designate(actor=self.sid, user=self.erin)
        services.keeper_remove(actor=self.sid, user=self.erin)
        with self.assertRaises(ApplicationError):
            services.identity_reveal(actor=self.erin, report=self.report, reason="核查需联系举报人")
        with self.assertRaises(ApplicationError) as caught:
            services.keeper_remove(actor=self.sid, user=self.erin)
        self.assertIn("不是保密专员", caught.exception.message)

    def test_the_reveal_includes_payment_details_after_a_claim(self):
        services.keeper_designate(actor=self.sid, user=self.alice)
        report = Report.objects.get(pk=self.report.pk)
        Report.objects.filter(pk=report.pk).update(category=Category.objects.get(code="illegal"))
        report.refresh_from_db()
        services.report_accept(actor=self.alice, report=report)
        services.report_verify(actor=self.alice, report=report, data={"no_hazard": "1"}, reply=REPLY)
        reward = services.reward_propose(actor=self.alice, report=report, data={})
        services.reward_decide(actor=self.bob, reward=reward, approve=True)
        services.reward_claim(
            report=report,
            data={"payee_name": "欧阳明", "payee_account": "6222021234567890", "payee_phone": "13800001111"},
        )
        identity = services.identity_reveal(actor=self.alice, report=report, reason="发放奖励核对收款人")
        self.assertEqual(identity["领奖人"], "欧阳明")
        self.assertEqual(identity["收款账户"], "6222021234567890")

    def test_identity_stays_out_of_the_handling_trail(self):
        services.report_accept(actor=self.erin, report=self.report)
        services.report_message(actor=self.erin, report=self.report, text="已派人核查，请保持电话畅通。")
        services.report_verify(actor=self.erin, report=self.report, data={"level": "general"}, reply=REPLY)
        # the reporter was told by SMS (an encrypted address), with nothing of theirs in the text
        sms = Notification.objects.filter(to_name="举报人")
        self.assertTrue(sms.exists())
        self.assertEqual(in_clear(NAME, PHONE), set())
        self.assertEqual(in_clear(PHONE[-4:], table=Notification._meta.db_table), set())


class StatisticsTests(CastTestCase):
    def test_spam_is_counted_apart_and_kept_out(self):
        today = timezone.localdate()
        real, _ = submit(self.village_a1, category="fire")
        spam, _ = submit(self.village_a1, category="fire")
        services.report_spam(actor=self.alice, report=spam, reason="广告信息")
        other, _ = submit(self.village_a1, category="gas")
        services.report_accept(actor=self.alice, report=other)
        services.report_unfounded(actor=self.alice, report=other, reply="现场未发现燃气泄漏。")
        rows, spam_count = selectors.statistics(user=self.alice, start=today, end=today)
        by_name = {r["category__name"]: r for r in rows}
        self.assertEqual(spam_count, 1)
        self.assertEqual(by_name["消防安全隐患"]["total"], 1)
        self.assertEqual(by_name["消防安全隐患"]["open"], 1)
        self.assertEqual(by_name["燃气安全隐患"]["unfounded"], 1)
        self.assertEqual(sum(r["total"] for r in rows), 2)
        self.assertEqual(real.status, Status.RECEIVED)
        # the other county sees none of it
        self.assertEqual(selectors.statistics(user=self.charlie, start=today, end=today), ([], 0))


class MessageTests(CastTestCase):
    def test_a_reply_reaches_the_reporter_and_a_note_does_not(self):
        report, _ = submit(self.village_a1)
        services.report_message(actor=self.erin, report=report, text="我们已联系企业，正在核查。")
        services.report_message(actor=self.erin, report=report, text="企业负责人态度不配合", internal=True)
        public = [m.text for m in selectors.public_view(report)["messages"]]
        self.assertEqual(public, ["我们已联系企业，正在核查。"])
        self.assertEqual(Message.objects.filter(report=report).count(), 2)
        with self.assertRaises(ApplicationError) as caught:
            services.report_message(actor=self.gina, report=report, text="网格员的答复")
        self.assertIn("不是该举报的承办人员", caught.exception.message)
        with self.assertRaises(ApplicationError) as caught:
            services.report_message(actor=self.erin, report=report, text="好")
        self.assertIn("2至2000字", caught.exception.message)


class PhotoRowsTests(CastTestCase):
    def test_each_photo_is_a_row_of_its_report(self):
        report, _ = submit(self.village_a1, files=[jpeg("a.jpg"), png("b.png")])
        self.assertEqual(Photo.objects.filter(report=report, message__isnull=True).count(), 2)
        self.assertEqual(len(selectors.public_view(report)["photos"]), 2)
