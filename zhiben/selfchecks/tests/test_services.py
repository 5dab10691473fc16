"""Recording (form, API, import), findings filed as hazards, duties, and the "查不出问题" flag."""

import io
from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from zhiben.core.exceptions import ApplicationError
from zhiben.core.models import Rule
from zhiben.hazards.models import Hazard
from zhiben.selfchecks import selectors, services
from zhiben.selfchecks.models import Duty, SelfInspection
from zhiben.selfchecks.periods import parse_window
from zhiben.testing import CastTestCase

TODAY = date(2026, 11, 20)


def sheet(rows, name="自查.xlsx"):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile(name, out.getvalue())


class RecordTests(CastTestCase):
    def record(self, actor=None, **data):
        values = {"duty": "department_weekly", "date": "2026-11-18", "inspector": "张三", "scope": "一车间"}
        values.update(data)
        return services.selfcheck_record(actor=actor or self.emma, data=values, today=TODAY)

    def test_a_record_with_findings_files_self_reported_hazards(self):
        record = self.record(
            findings=[{"description": "配电箱门未关闭", "location": "二车间"}, {"description": "消防通道堆放杂物"}]
        )
        self.assertEqual((record.enterprise, record.findings), (self.enterprise_a, 2))
        hazards = list(record.hazards.order_by("id"))
        self.assertEqual([h.channel for h in hazards], ["self", "self"])
        self.assertEqual(hazards[0].location, "二车间")
        self.assertEqual(hazards[0].found_date, date(2026, 11, 18))
        self.assertEqual(hazards[0].enterprise, self.enterprise_a)

    def assertRefused(self, message, **data):
        before = (SelfInspection.objects.count(), Hazard.objects.count())
        with self.assertRaises(ApplicationError) as caught:
            self.record(findings=[{"description": "配电箱门未关闭"}], **data)
        self.assertIn(message, caught.exception.message)
        self.assertEqual((SelfInspection.objects.count(), Hazard.objects.count()), before)

    def test_bad_input_writes_nothing(self):
        self.assertRefused("晚于今天", date="2026-11-21")
        self.assertRefused("不是有效日期", date="2026年11月")
        self.assertRefused("不存在", duty="monthly_maybe")
        self.assertRefused("请填写排查负责人", inspector=" ")
        self.assertRefused("早于可补录", date="2020-01-06")
        # enterprise_a is not high-risk: the high-risk principal duty does not bind it
        self.assertRefused("不适用", duty="principal_monthly")
        self.assertRefused("只能填报本单位", enterprise=self.enterprise_b.pk)

    def test_a_hazard_refused_midway_leaves_no_record(self):
        before = SelfInspection.objects.count()
        with self.assertRaises(ApplicationError):
            self.record(findings=[{"description": "配电箱门未关闭"}, {"description": "短"}])
        self.assertEqual(SelfInspection.objects.count(), before)

    def test_only_enterprise_users_record(self):
        with self.assertRaises(ApplicationError) as caught:
            self.record(actor=self.alice, enterprise=self.enterprise_a.pk)
        self.assertEqual(caught.exception.code, "forbidden")

    def test_backdate_limit_is_a_rule(self):
        Rule.objects.create(key="selfcheck.max_backdate_days", value=3)
        self.assertRefused("早于可补录", date="2026-11-16")
        self.assertEqual(self.record(date="2026-11-17").date, date(2026, 11, 17))


class ImportTests(CastTestCase):
    HEADER = ["统一社会信用代码", "单位名称", "排查类型", "排查日期", "排查负责人", "排查范围", "隐患描述"]

    def test_a_regulator_imports_records_for_enterprises_in_scope(self):
        upload = sheet(
            [
                self.HEADER,
                [self.enterprise_a.credit_code, "", "班组日排查", "2026-11-02", "张三", "一车间", ""],
                ["", self.enterprise_a.name, "部门周检查", "2026/11/3", "李四", "", "配电箱未接地\n灭火器过期"],
                [self.enterprise_a.credit_code, "", "主要负责人带队检查", "2026年11月4日", "王五", "", ""],
            ]
        )
        records = services.selfcheck_import(actor=self.erin, upload=upload, filename="自查.xlsx", today=TODAY)
        self.assertEqual(len(records), 3)
        keys = [r.duty.key for r in SelfInspection.objects.order_by("date")]
        self.assertEqual(keys, ["team_daily", "department_weekly", "principal_quarterly"])
        weekly = SelfInspection.objects.get(duty__key="department_weekly")
        self.assertEqual((weekly.findings, weekly.hazards.count(), weekly.source), (2, 2, "import"))

    def test_one_bad_row_refuses_the_file_with_row_numbers(self):
        upload = sheet(
            [
                self.HEADER,
                [self.enterprise_a.credit_code, "", "班组日排查", "2026-11-02", "张三", "", ""],
                [self.enterprise_b.credit_code, "", "班组日排查", "2026-11-02", "张三", "", ""],
                [self.enterprise_a.credit_code, "", "班组日排查", "2026-12-30", "张三", "", ""],
                [self.enterprise_a.credit_code, "", "年度大检查", "2026-11-02", "", "", ""],
            ]
        )
        with self.assertRaises(ApplicationError) as caught:
            services.selfcheck_import(actor=self.alice, upload=upload, filename="自查.xlsx", today=TODAY)
        messages = [e["message"] for e in caught.exception.errors]
        self.assertTrue(messages[0].startswith("第 3 行") and "不在您的管辖范围内" in messages[0], messages)
        self.assertTrue(messages[1].startswith("第 4 行") and "晚于今天" in messages[1], messages)
        self.assertIn("无法识别", messages[2])
        self.assertIn("请填写排查负责人", messages[2])
        self.assertEqual(SelfInspection.objects.count(), 0)

    def test_missing_columns_are_named(self):
        with self.assertRaises(ApplicationError) as caught:
            services.selfcheck_import(
                actor=self.alice, upload=sheet([["单位名称", "备注"], ["x", "y"]]), filename="a.xlsx", today=TODAY
            )
        self.assertIn("排查类型、排查日期、排查负责人", caught.exception.message)

    def test_an_enterprise_imports_its_own_without_naming_itself(self):
        upload = sheet([["排查类型", "排查日期", "排查负责人"], ["厂长月排查", "2026-11-05", "赵总"]])
        services.selfcheck_import(actor=self.emma, upload=upload, filename="a.xlsx", today=TODAY)
        self.assertEqual(SelfInspection.objects.get().enterprise, self.enterprise_a)


class DutyTests(CastTestCase):
    def data(self, **extra):
        return {
            "name": "夜间巡查",
            "level": "值班",
            "frequency": "week",
            "applies_to": "all",
            "required_percent": 100,
            **extra,
        }

    def test_a_county_adds_a_local_duty_but_cannot_change_national_ones(self):
        duty = services.duty_save(actor=self.alice, data=self.data())
        self.assertEqual(duty.region, self.county_a)
        national = Duty.objects.get(key="team_daily")
        with self.assertRaises(ApplicationError):
            services.duty_save(actor=self.alice, data=self.data(), duty=national)
        with self.assertRaises(ApplicationError):
            services.duty_save(actor=self.charlie, data=self.data(name="改"), duty=duty)
        with self.assertRaises(ApplicationError):
            services.duty_save(actor=self.erin, data=self.data())  # regulators do not set duties

    def test_frequency_is_fixed_once_records_exist(self):
        duty = services.duty_save(actor=self.alice, data=self.data())
        services.selfcheck_record(
            actor=self.emma, data={"duty": duty.key, "date": "2026-11-18", "inspector": "张三"}, today=TODAY
        )
        with self.assertRaises(ApplicationError) as caught:
            services.duty_save(actor=self.alice, data=self.data(frequency="month"), duty=duty)
        self.assertIn("频次不能修改", caught.exception.message)
        services.duty_save(actor=self.alice, data=self.data(required_percent=80), duty=duty)
        self.assertEqual(Duty.objects.get(pk=duty.pk).required_percent, 80)

    def test_bad_values(self):
        with self.assertRaises(ApplicationError) as caught:
            services.duty_save(actor=self.alice, data=self.data(name="", frequency="hourly", required_percent=0))
        text = caught.exception.message
        self.assertIn("请填写名称", text)
        self.assertIn("请选择频次", text)
        self.assertIn("1 至 100", text)
        # str.isdigit() holds for "²", which int() refuses (a 500); a sort past the column's range
        with self.assertRaises(ApplicationError) as caught:
            services.duty_save(actor=self.alice, data=self.data(required_percent="²", sort="9" * 25))
        self.assertIn("1 至 100", caught.exception.message)
        self.assertIn("排序应为非负整数", caught.exception.message)


class BlindSpotTests(CastTestCase):
    """Enterprises whose self-inspections find nothing while inspectors find hazards (查不出问题)."""

    def setUp(self):
        self.today = timezone.localdate()
        self.window = parse_window(f"{self.today.year}")

    def hazard(self, enterprise, channel, actor=None):
        return Hazard.objects.create(
            number=f"YH{Hazard.objects.count()}",
            enterprise=enterprise,
            region=enterprise.region,
            industry=enterprise.industry,
            channel=channel,
            description="检查发现的隐患",
            found_date=self.today,
        )

    def record(self, enterprise, findings=0):
        duty = Duty.objects.get(key="team_daily")
        return SelfInspection.objects.create(
            enterprise=enterprise, duty=duty, date=self.today, bucket=0, inspector="张三", findings=findings
        )

    def flagged(self, user=None):
        return [r["enterprise"] for r in selectors.blind_spots(user=user or self.alice, window=self.window)]

    def test_flag(self):
        self.record(self.enterprise_a)
        self.assertEqual(self.flagged(), [])  # nothing found by anybody
        self.hazard(self.enterprise_a, "enforcement")
        self.assertEqual(self.flagged(), [self.enterprise_a])
        self.assertEqual(self.flagged(self.charlie), [])

    def test_no_records_or_own_findings_are_not_this_flag(self):
        self.hazard(self.enterprise_a_construction, "supervision")  # no self-inspection at all: compliance shows it
        self.record(self.enterprise_a, findings=1)
        self.hazard(self.enterprise_a, "supervision")
        self.assertEqual(self.flagged(), [])
        self.record(self.enterprise_a_construction)
        self.assertEqual(self.flagged(), [self.enterprise_a_construction])
        self.hazard(self.enterprise_a_construction, "self")  # it reported one itself
        self.assertEqual(self.flagged(), [])

    def test_threshold_is_a_rule(self):
        self.record(self.enterprise_a)
        self.hazard(self.enterprise_a, "unannounced")
        Rule.objects.create(key="selfcheck.blind_min_hazards", value=2)
        self.assertEqual(self.flagged(), [])
        self.hazard(self.enterprise_a, "enforcement")
        self.assertEqual(self.flagged(), [self.enterprise_a])

    def test_the_list_exported_and_the_export_audited(self):
        from zhiben.audit.models import AuditEvent
        from zhiben.testing import sheet_rows

        self.record(self.enterprise_a)
        self.hazard(self.enterprise_a, "enforcement")
        response = self.login(self.alice).get("/selfchecks/blind-spots/", {"period": self.window.code, "export": 1})
        rows = sheet_rows(response)
        self.assertEqual([r[0] for r in rows[1:]], [self.enterprise_a.name])
        event = AuditEvent.objects.get(action="selfcheck.blind_spots_export")
        self.assertEqual((event.actor_id, event.data["filters"]["export"]), (self.alice.pk, "1"))

    def test_hazards_outside_the_window_do_not_count(self):
        self.record(self.enterprise_a)
        hazard = self.hazard(self.enterprise_a, "enforcement")
        Hazard.objects.filter(pk=hazard.pk).update(found_date=self.today - timedelta(days=400))
        self.assertEqual(self.flagged(), [])
