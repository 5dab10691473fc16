"""Roster import (good and bad sheets, all or nothing) and the duty log and handover across a shift change."""

import io
from datetime import date

from openpyxl import Workbook

from zhiben.core.exceptions import ApplicationError
from zhiben.testing import CastTestCase

from .. import selectors, services
from ..models import DutyDay, DutyLogEntry, DutyPerson, DutySlot, Handover
from .helpers import at, set_rule, write

DAY = date(2030, 5, 6)


def sheet(headers, *rows):
    book = Workbook()
    ws = book.active
    ws.append(headers)
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "值班表.xlsx"
    return buffer


class ImportTests(CastTestCase):
    def run_import(self, upload):
        return services.roster_import(actor=self.alice, unit=self.unit_office_a, upload=upload, today=DAY)

    def test_a_good_sheet_with_synonym_headers(self):
        upload = sheet(
            ["值班日期", "领导带班", "领导电话", "值班员", "值班电话"],
            [DAY, "张三", "13800138000", "李四、王五", "13900139000、13700137000"],
            ["2030年5月7日", "赵六 13600136000", "", "钱七", "023-65000000"],
        )
        rows = self.run_import(upload)
        self.assertEqual(len(rows), 2)
        people = {p.name: p.phone for p in DutyPerson.objects.all()}
        self.assertEqual(
            people,
            {
                "张三": "13800138000",
                "李四": "13900139000",
                "王五": "13700137000",
                "赵六": "13600136000",
                "钱七": "02365000000",
            },
        )
        row = selectors.on_duty(unit=self.unit_office_a, at=at("2030-05-08 02:00"))[
            0
        ]  # Tuesday's shift, after midnight
        self.assertEqual(([p.name for p in row["leaders"]], [p.name for p in row["staff"]]), (["赵六"], ["钱七"]))

    def test_a_roster_under_its_title_with_a_signed_footer(self):
        upload = sheet(
            ["沙坪坝区安委办2030年5月值班表", None, None],
            ["值班单位：沙坪坝区安委办", None, "制表日期：2030年4月28日"],
            ["日期", "带班领导", "值班人员"],
            [DAY, "张三 13800138000", "李四 13900139000"],
            ["注：值班人员须24小时在岗。", None, None],
            ["制表人：王五", None, "审核人：赵六"],
        )
        self.assertEqual([row["label"] for row in self.run_import(upload)], ["第 4 行"])

    def test_shifts_by_name_and_one_phone_for_all_staff(self):
        set_rule("watch.shifts", [{"name": "白班", "start": "08:30"}, {"name": "夜班", "start": "17:30"}], "500106")
        self.run_import(
            sheet(
                ["日期", "班次", "带班领导", "值班人员", "联系电话"],
                ["2030-05-06", "白班", "张三", "李四、王五", "023-65000000"],
                ["2030-05-06", "夜班", "张三", "赵六", ""],
            )
        )
        self.assertEqual(list(DutySlot.objects.order_by("starts_at").values_list("shift", flat=True)), ["白班", "夜班"])
        self.assertEqual(
            set(DutyPerson.objects.filter(name__in=["李四", "王五"]).values_list("phone", flat=True)), {"02365000000"}
        )

    def test_a_bad_sheet_is_refused_whole_with_row_numbers(self):
        write(self.alice, self.unit_office_a, DAY, "原带班", "原值班")
        upload = sheet(
            ["日期", "带班领导", "值班人员", "联系电话"],
            [DAY, "张三", "李四", ""],  # row 2 is fine
            ["5月40日", "张三", "李四", ""],  # row 3: bad date
            [DAY.replace(day=7), "张三", "李四、王五", "138001、139002、137003"],  # row 4: phones ≠ people (and bad)
            [DAY.replace(day=8), "", "", ""],  # row 5: nobody
            [DAY, "张三", "王五", ""],  # row 6: the same day again
            ["2030-05-01", "张三", "李四", ""],  # row 7: gone by
        )
        with self.assertRaises(ApplicationError) as ctx:
            self.run_import(upload)
        self.assertIn("未写入任何值班安排", ctx.exception.message)
        messages = [e["message"] for e in ctx.exception.errors]
        self.assertEqual([m.split("：")[0] for m in messages], ["第 3 行", "第 4 行", "第 5 行", "第 6 行", "第 7 行"])
        self.assertIn("日期“5月40日”无效", messages[0])
        self.assertIn("电话", messages[1])
        self.assertIn("带班领导和值班人员都为空", messages[2])
        self.assertIn("与第 2 行的日期和班次重复", messages[3])
        self.assertIn("已过", messages[4])
        self.assertEqual(list(DutyPerson.objects.values_list("name", flat=True)), ["原带班", "原值班"])  # untouched

    def test_a_sheet_without_the_needed_columns(self):
        with self.assertRaises(ApplicationError) as ctx:
            self.run_import(sheet(["姓名", "备注"], ["张三", "x"]))
        self.assertEqual(
            ctx.exception.message, "缺少必填列：日期、带班领导或值班人员。请使用导入模板，或在表头写明这些列。"
        )
        with self.assertRaises(ApplicationError) as ctx:
            services.roster_import(
                actor=self.dave, unit=self.unit_office_a, upload=sheet(["日期", "值班人员"], [DAY, "李四"])
            )
        self.assertEqual(ctx.exception.code, "forbidden")
        self.assertFalse(DutySlot.objects.exists())


class LogAndHandoverTests(CastTestCase):
    def setUp(self):
        write(self.alice, self.unit_office_a, DAY, "张三", "李四")
        write(self.alice, self.unit_office_a, DAY.replace(day=7), "赵六", "钱七")

    def test_an_entry_after_midnight_belongs_to_the_shift_that_began_the_day_before(self):
        entry = services.log_add(
            actor=self.alice,
            unit=self.unit_office_a,
            data={"kind": "call", "content": "凤凰村来电：山坪塘水位上涨", "at": "2030-05-07 01:15"},
            now=at("2030-05-07 01:20"),
        )
        self.assertEqual(entry.duty_day.day, DAY)
        with self.assertRaises(ApplicationError) as ctx:
            services.log_add(
                actor=self.alice, unit=self.unit_office_a, data={"kind": "x", "content": ""}, now=at("2030-05-07 01:20")
            )
        self.assertIn("请选择日志类型", ctx.exception.message)
        self.assertIn("请填写日志内容", ctx.exception.message)
        with self.assertRaises(ApplicationError):
            services.log_add(actor=self.dave, unit=self.unit_office_a, data={"kind": "call", "content": "来电"})
        self.assertEqual(DutyLogEntry.objects.count(), 1)

    def test_the_next_shift_sees_the_open_items(self):
        handover = services.handover_create(
            actor=self.alice,
            unit=self.unit_office_a,
            data={"open_items": "跟踪凤凰村山坪塘水位\n\n督促西彭化工回复整改情况"},
            now=at("2030-05-07 08:25"),
        )
        self.assertEqual((handover.handed_by, handover.taken_by), ("李四", "钱七"))  # from the two shifts' staff
        self.assertEqual(handover.from_slot.duty_day.day, DAY)
        self.assertEqual(handover.to_slot.duty_day.day, DAY.replace(day=7))
        desk = selectors.desk(self.unit_office_a, at("2030-05-07 09:00"))
        self.assertEqual(desk["slot"], handover.to_slot)
        self.assertEqual(desk["received"].open_item_lines, ["跟踪凤凰村山坪塘水位", "督促西彭化工回复整改情况"])
        self.assertIsNone(
            selectors.desk(self.unit_office_a, at("2030-05-07 08:00"))["received"]
        )  # still Monday's shift

    def test_a_handover_needs_people_when_the_roster_has_none(self):
        with self.assertRaises(ApplicationError) as ctx:
            services.handover_create(actor=self.alice, unit=self.unit_office_a, data={}, now=at("2030-05-20 08:25"))
        self.assertIn("请填写交班人", ctx.exception.message)
        self.assertFalse(Handover.objects.exists())
        self.assertEqual(DutyDay.objects.count(), 2)
