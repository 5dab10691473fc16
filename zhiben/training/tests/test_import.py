"""Attendance-sheet import: a good sheet written; any bad row (bad or unknown identity number, a name that
does not match, a repeated person, a bad score or result) named by its row in Chinese and nothing written;
people out of the importer's scope are unknown to it."""

from datetime import date
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhiben.core.excel import write_xlsx
from zhiben.core.exceptions import ApplicationError

from .. import services
from ..models import Attendance
from .helpers import TrainingCase, identity

HEADERS = ["姓名", "身份证号", "到课", "成绩", "考试结果"]


def sheet(rows, headers=HEADERS, name="签到表.xlsx"):
    data = write_xlsx(headers, rows)
    if isinstance(data, BytesIO):
        data = data.getvalue()
    return SimpleUploadedFile(name, data)


class AttendanceImportTests(TrainingCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.n1, cls.n2, cls.n3 = identity(201), identity(202), identity(203)
        cls.p1 = cls.person("张一", cls.enterprise_a, id_number=cls.n1, actor=cls.alice)
        cls.p2 = cls.person("李二", cls.enterprise_a, id_number=cls.n2, actor=cls.alice)
        cls.p3 = cls.person("王三", cls.enterprise_a_construction, id_number=cls.n3, actor=cls.alice)
        cls.nb = identity(204, region="500107")
        cls.pb = cls.person("西彭人", cls.enterprise_b, id_number=cls.nb, actor=cls.charlie)
        cls.training = cls.session("worker", date(2026, 6, 1), actor=cls.alice, has_exam="1")

    def run_import(self, rows, actor=None, **kwargs):
        return services.attendance_import(
            actor=actor or self.alice, session=self.training, upload=sheet(rows, **kwargs), filename="签到表.xlsx"
        )

    def test_good_sheet(self):
        count = self.run_import(
            [
                ["张一", self.n1, "是", "92", "合格"],
                ["李二", self.n2.lower(), "", "70", ""],
                ["", self.n3, "否", "", ""],
            ]
        )
        self.assertEqual(count, 3)
        rows = {a.person.name: a for a in Attendance.objects.select_related("person")}
        self.assertEqual(rows["张一"].result, "passed")
        self.assertEqual(rows["李二"].result, "failed")  # 70 below the pass mark 80
        self.assertFalse(rows["王三"].attended)
        # importing again updates, never duplicates
        self.run_import([["张一", self.n1, "是", "60", "不合格"]])
        self.assertEqual(Attendance.objects.count(), 3)
        self.assertEqual(Attendance.objects.get(person=self.p1).result, "failed")

    def test_every_bad_row_named_and_nothing_written(self):
        bad_check = self.n1[:-1] + ("0" if self.n1[-1] != "0" else "1")
        with self.assertRaises(ApplicationError) as caught:
            self.run_import(
                [
                    ["张一", self.n1, "是", "92", "合格"],  # row 2: good
                    ["某某", bad_check, "是", "", ""],  # row 3: check digit
                    ["李四", identity(299), "是", "", ""],  # row 4: unknown person
                    ["李三", self.n2, "是", "", ""],  # row 5: name does not match
                    ["张一", self.n1, "是", "", ""],  # row 6: repeated
                    ["王三", self.n3, "也许", "abc", "优秀"],  # row 7: attendance, score and result
                    ["西彭人", self.nb, "是", "", ""],  # row 8: another county's person
                ]
            )
        messages = [e["message"] for e in caught.exception.errors]
        text = "\n".join(messages)
        self.assertIn("未写入任何参训记录", caught.exception.message)
        self.assertIn("第 3 行：", text)
        self.assertIn("校验码不正确", text)
        self.assertIn("第 4 行：身份证号 500106********", text)
        self.assertIn("未登记", text)
        self.assertIn("第 5 行：姓名“李三”与登记的姓名不符", text)
        self.assertIn("第 6 行：身份证号与第 2 行重复", text)
        self.assertIn("第 7 行：到课“也许”无效", text)
        self.assertIn("第 7 行：成绩“abc”", text)
        self.assertIn("第 7 行：考试结果“优秀”无效", text)
        self.assertIn("第 8 行：", text)
        self.assertNotIn("第 2 行：", text)
        self.assertNotIn(self.n1, text)  # identity numbers masked in messages
        self.assertFalse(Attendance.objects.exists())

    def test_missing_identity_column(self):
        with self.assertRaises(ApplicationError) as caught:
            self.run_import([["张一", "是"]], headers=["姓名", "到课"])
        self.assertIn("缺少必填列：身份证号", caught.exception.message)

    def test_absent_with_result_refused(self):
        with self.assertRaises(ApplicationError) as caught:
            self.run_import([["张一", self.n1, "否", "", "合格"]])
        self.assertIn("第 2 行：未到课却有考试结果", caught.exception.errors[0]["message"])

    def test_csv_sheet(self):
        upload = SimpleUploadedFile("签到表.csv", f"姓名,身份证号,成绩\n张一,{self.n1},88\n".encode())
        self.assertEqual(
            services.attendance_import(actor=self.alice, session=self.training, upload=upload, filename="签到表.csv"), 1
        )

    def test_page(self):
        client = self.login(self.alice)
        url = reverse("training:attendance_import", args=[self.training.pk])
        self.assertEqual(client.get(url).status_code, 200)
        page = client.post(url, {"file": sheet([["李四", identity(298), "是", "", ""]])})
        self.assertContains(page, "第 2 行：")
        self.assertFalse(Attendance.objects.exists())
        page = client.post(url, {"file": sheet([["张一", self.n1, "是", "", ""]])})
        self.assertEqual(page.status_code, 302)
        self.assertEqual(Attendance.objects.count(), 1)
        self.assertEqual(client.get(reverse("training:attendance_template")).status_code, 200)

    def test_refused_for_viewers_and_other_counties(self):
        self.assertEqual(
            self.login(self.dave).get(reverse("training:attendance_import", args=[self.training.pk])).status_code, 403
        )
        self.assertEqual(
            self.login(self.charlie).get(reverse("training:attendance_import", args=[self.training.pk])).status_code,
            404,
        )
        with self.assertRaises(ApplicationError) as caught:
            self.run_import([["张一", self.n1, "是", "", ""]], actor=self.dave)
        self.assertEqual(caught.exception.code, "forbidden")
