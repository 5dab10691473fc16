"""The roster exported for a period: every shift in force (a blank one left blank), phones as the pages show
them, a file that reads back through the import once its blanks are filled, the summary of every unit in view,
and the periods refused."""

import io
from datetime import datetime, timedelta
from urllib.parse import unquote

from django.utils import timezone
from openpyxl import load_workbook

from zhiben.audit.models import AuditEvent
from zhiben.testing import CastTestCase, sheet_rows

from ..models import DutyPerson
from ..selectors import ROSTER_EXPORT_DAYS, ROSTER_HEADERS, WEEKDAYS
from .helpers import town_office, write


def midnight(day):
    return datetime(day.year, day.month, day.day)


class RosterExportTests(CastTestCase):
    def setUp(self):
        self.first = timezone.localdate() + timedelta(days=7)
        self.second, self.third = self.first + timedelta(days=1), self.first + timedelta(days=2)
        write(self.alice, self.unit_office_a, self.first, "张三 13800138000", "李四 13900139000、王五 13900139001")
        write(self.alice, self.unit_office_a, self.second, "", "赵六 023-65000000、钱七 023-65000000")
        # the third day is left blank

    def export(self, user, **params):
        query = {"unit": self.unit_office_a.pk, "start": self.first, "end": self.third, **params}
        return self.login(user).get("/watch/roster/export/", query)

    def test_a_period_exports_every_shift_filled_or_not(self):
        response = self.export(self.alice)
        self.assertEqual(response.status_code, 200)
        self.assertIn(
            f"值班表_沙坪坝区安委办_{self.first:%Y%m%d}-{self.third:%Y%m%d}.xlsx",
            unquote(response["Content-Disposition"]),
        )
        rows = sheet_rows(response)
        self.assertEqual(list(rows[0]), ROSTER_HEADERS)
        week = [f"星期{WEEKDAYS[d.weekday()]}" for d in (self.first, self.second, self.third)]
        self.assertEqual(
            rows[1:],
            [
                (
                    midnight(self.first),
                    week[0],
                    "全天",
                    "08:30—08:30",
                    "张三",
                    "13800138000",
                    "李四、王五",
                    "13900139000、13900139001",
                ),  # fmt: skip
                (midnight(self.second), week[1], "全天", "08:30—08:30", None, None, "赵六、钱七", "02365000000"),
                (midnight(self.third), week[2], "全天", "08:30—08:30", None, None, None, None),
            ],
        )
        event = AuditEvent.objects.get(action="watch.roster_export")
        self.assertEqual(event.actor_id, self.alice.pk)
        self.assertEqual(event.data["filters"]["start"], str(self.first))

    def test_a_reader_gets_the_numbers_masked(self):
        rows = sheet_rows(self.export(self.dave))
        self.assertEqual(rows[1][5], "138****8000")
        self.assertNotIn("13800138000", str(rows))
        self.assertNotIn("13900139000", str(rows))

    def test_the_export_filled_in_reads_back_through_the_import(self):
        book = load_workbook(io.BytesIO(self.export(self.alice).content))
        sheet = book.active
        sheet["E4"], sheet["F4"], sheet["G4"] = "孙八", "13700137000", "周九（13600136000）、吴十"
        buffer = io.BytesIO()
        book.save(buffer)
        upload = io.BytesIO(buffer.getvalue())
        upload.name = "值班表.xlsx"
        response = self.login(self.alice).post(
            f"/watch/roster/import/?unit={self.unit_office_a.pk}", {"file": upload}, follow=True
        )
        self.assertContains(response, "已导入 3 个班次的值班安排")
        self.assertEqual(
            sorted(DutyPerson.objects.filter(slot__duty_day__day=self.third).values_list("name", "phone")),
            [("吴十", ""), ("周九", "13600136000"), ("孙八", "13700137000")],
        )
        again = sheet_rows(self.export(self.alice))
        self.assertEqual(again[1][4:], ("张三", "13800138000", "李四、王五", "13900139000、13900139001"))
        # some with a phone and some without: each number beside its name, as the import reads it
        self.assertEqual(again[3][4:], ("孙八", "13700137000", "周九 13600136000、吴十", None))

    def test_bad_periods_are_refused_with_a_message_and_no_file(self):
        far = self.first + timedelta(days=ROSTER_EXPORT_DAYS)
        for params, message in (
            ({"start": ""}, "请填写值班表期间的开始和结束日期"),
            ({"end": "2026-13-01"}, "请填写值班表期间的开始和结束日期"),
            ({"end": self.first - timedelta(days=1)}, "结束日期不能早于开始日期"),
            ({"end": far}, f"一次最多读取 {ROSTER_EXPORT_DAYS} 天的值班表"),
        ):
            response = self.export(self.alice, **params)
            self.assertEqual(response.status_code, 302, params)
            self.assertContains(self.client.get(response["Location"]), message)
        response = self.export(self.alice, end=far - timedelta(days=1))  # the longest period allowed
        self.assertEqual(len(sheet_rows(response)), ROSTER_EXPORT_DAYS + 1)
        self.assertEqual(AuditEvent.objects.filter(action="watch.roster_export").count(), 1)

    def test_the_summary_names_each_unit_in_view_and_no_other(self):
        town = town_office(self)
        write(self.alice, town, self.first, "刘一 13500135000", "陈二")
        write(self.charlie, self.unit_office_b, self.first, "西彭值班领导", "西彭值班员")
        rows = sheet_rows(self.export(self.alice, scope="all"))
        self.assertEqual(list(rows[0]), ["单位", *ROSTER_HEADERS])
        self.assertEqual({r[0] for r in rows[1:]}, {"沙坪坝区安委办", "凤凰镇安委办"})
        self.assertIn(("凤凰镇安委办", midnight(self.first)), {r[:2] for r in rows[1:]})
        self.assertIn("13500135000", str(rows))  # the 安委办 keeps every roster in its county: numbers in full
        self.assertNotIn("西彭", str(rows))
        charlie = sheet_rows(self.export(self.charlie, scope="all", unit=""))
        self.assertEqual({r[0] for r in charlie[1:]}, {"九龙坡区安委办"})
        self.assertEqual(self.export(self.charlie).status_code, 404)  # another county's unit
        self.assertEqual(self.export(self.emma).status_code, 403)

    def test_the_roster_page_offers_the_export_of_the_week_shown(self):
        monday = self.first - timedelta(days=self.first.weekday())
        response = self.login(self.alice).get(f"/watch/roster/?unit={self.unit_office_a.pk}&week={self.first}")
        self.assertContains(response, 'action="/watch/roster/export/"')
        self.assertContains(response, f'name="start" value="{monday}"')
        self.assertContains(response, f'name="end" value="{monday + timedelta(days=6)}"')
