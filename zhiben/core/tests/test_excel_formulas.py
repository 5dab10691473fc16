"""Formula injection (等保2.0 访问控制, part 4): text a user typed comes out of every export as text.

A description "=HYPERLINK(…)" or an enterprise named "+1+1" / "@SUM(A1)" must not become a formula
when the ledger, the enterprise list, the duties compliance list or the plan's 一张表 is opened in
Excel or WPS: each such cell is read back as a string (data_type "s"), unchanged, with the
quotePrefix style (Excel's leading apostrophe, so editing the cell keeps it text).
"""

import io

from django.test import SimpleTestCase
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from zhiben.core.excel import put, write_xlsx
from zhiben.duties.periods import quarter_of
from zhiben.hazards.tests.helpers import report
from zhiben.plans.tests.helpers import small_plan
from zhiben.testing import CastTestCase, make_enterprise

LINK = '=HYPERLINK("http://x","y")'
PLUS = "+1+1"
AT = "@SUM(A1)"
DANGEROUS = [LINK, PLUS, AT, "-2+3", "\t=1+1", "\r=1+1", "=1", "#N/A"]


def cells(data):
    """{value: cell} of every string cell of the first sheet of an .xlsx."""
    sheet = load_workbook(io.BytesIO(data)).active
    return {cell.value: cell for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)}


class AssertText:
    def assertText(self, found, value):
        self.assertIn(value, found, f"{value!r} missing from the export")
        cell = found[value]
        self.assertEqual((cell.value, cell.data_type), (value, "s"), f"{value!r} written as a formula")
        self.assertTrue(cell.quotePrefix, f"{value!r} written without the text prefix")


class WriterTests(AssertText, SimpleTestCase):
    def test_the_streaming_writer_writes_user_text_as_text(self):
        found = cells(write_xlsx(["名称", LINK], [[*DANGEROUS, 12, None, "普通文字"]]))
        for value in [*DANGEROUS, LINK]:
            self.assertText(found, value)
        self.assertFalse(found["普通文字"].quotePrefix)  # ordinary text is left as it was

    def test_put_writes_user_text_as_text_on_an_ordinary_sheet(self):
        book = Workbook()
        for column, value in enumerate(DANGEROUS, start=1):
            put(book.active, 1, column, value)
        put(book.active, 2, 1, 42)
        buffer = io.BytesIO()
        book.save(buffer)
        found = cells(buffer.getvalue())
        for value in DANGEROUS:
            self.assertText(found, value)
        self.assertEqual(load_workbook(io.BytesIO(buffer.getvalue())).active["A2"].value, 42)


class ExportTests(AssertText, CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.plus = make_enterprise(cls.village_a1, "hazchem", name=PLUS)
        cls.at = make_enterprise(cls.village_a1, "hazchem", name=AT)
        report(cls.gina, cls.enterprise_a, description=LINK)
        report(cls.gina, cls.plus, description="配电箱未接地")

    def test_hazard_ledger(self):
        response = self.login(self.alice).get("/hazards/export/")
        self.assertEqual(response.status_code, 200)
        found = cells(response.content)
        self.assertText(found, LINK)
        self.assertText(found, PLUS)

    def test_enterprise_list(self):
        response = self.login(self.alice).get("/enterprises/export/")
        self.assertEqual(response.status_code, 200)
        found = cells(response.content)
        self.assertText(found, PLUS)
        self.assertText(found, AT)

    def test_duties_compliance_list(self):
        period = quarter_of(timezone.localdate()).previous()
        response = self.login(self.alice).get(f"/duties/compliance/export/?period={period.code}")
        self.assertEqual(response.status_code, 200)
        found = cells(response.content)
        self.assertText(found, PLUS)
        self.assertText(found, AT)

    def test_plan_board(self):
        tasks = [
            {
                "action": "一、风险管控行动",
                "key_task": "1.源头管控",
                "content": LINK,
                "deadline_text": "2024年",
                "responsible": ["应急办"],
                "cooperating": [],
            },
        ]
        plan = small_plan(self.alice, self.town_a1, tasks, title="测试方案（2024—2026年）")
        response = self.login(self.alice).get(f"/plans/{plan.pk}/board.xlsx")
        self.assertEqual(response.status_code, 200)
        self.assertText(cells(response.content), LINK)


class ControlCharacterTests(SimpleTestCase):
    def test_control_characters_pasted_into_text_do_not_break_the_export(self):
        data = write_xlsx(["描述"], [["配电箱\x0b未接地\x00"]])
        self.assertEqual(load_workbook(io.BytesIO(data)).active["A2"].value, "配电箱未接地")
