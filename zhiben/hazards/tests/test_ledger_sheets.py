"""A workbook of several sheets under the same header — a sheet a month, a town or a department — is one ledger:
every sheet's rows are read, each row and error naming its sheet; an example or instructions sheet is left out, and
a 汇总 sheet, which gathers the others' rows, is read alone."""

from django.core.files.uploadedfile import SimpleUploadedFile

from zhiben.audit.models import AuditEvent
from zhiben.hazards.ledger import parse_ledger
from zhiben.hazards.models import Hazard
from zhiben.testing import CastTestCase

from .ledger_fixtures import xlsx_bytes

HEADERS = ["序号", "单位名称", "存在问题", "整改措施", "整改期限"]


def workbook(sheets):
    """An .xlsx of `sheets` [(title, rows)], each sheet's rows under a title row and HEADERS (rows None: a sheet of
    another kind)."""
    grids = [
        (title, [["镇街", "隐患数"], ["凤凰镇", 3]] if rows is None else [[f"凤凰镇{title}隐患台账"], HEADERS, *rows])
        for title, rows in sheets
    ]
    *before, (title, last) = grids
    return xlsx_bytes(last, sheet_title=title, before=before)


def row(n, problem, deadline="2026-12-31", company="凤凰化工有限公司"):
    return [n, company, problem, "立即整改", deadline]


MONTHS = [
    ("填表说明", [row(1, "（示例）配电箱未接地")]),
    ("1月", [row(1, "配电箱未接地"), row(2, "消防通道堵塞")]),
    ("统计", None),
    ("2月", [row(1, "灭火器过期", deadline="下个月")]),
]


def test_the_sheets_under_the_same_header_are_read_in_order_each_row_and_error_naming_its_sheet():
    parsed = parse_ledger(workbook(MONTHS), "2026年隐患台账.xlsx")
    assert [(r["_sheet"], r["_row"], r["description"]) for r in parsed.rows] == [
        ("1月", 3, "配电箱未接地"),
        ("1月", 4, "消防通道堵塞"),
        ("2月", 3, "灭火器过期"),
    ]
    assert parsed.sheets == [("1月", 2), ("2月", 1)]
    assert [(e["sheet"], e["row"], e["column"]) for e in parsed.errors] == [("2月", 3, "整改期限")]


def test_a_summary_sheet_under_the_same_header_is_read_alone():
    summary = ("汇总", [row(1, "配电箱未接地"), row(2, "消防通道堵塞"), row(3, "灭火器过期")])
    parsed = parse_ledger(workbook([*MONTHS[1:2], MONTHS[3], summary]), "台账.xlsx")
    assert [r["description"] for r in parsed.rows] == ["配电箱未接地", "消防通道堵塞", "灭火器过期"]
    assert (parsed.sheet, parsed.sheets) == ("汇总", [])
    assert "_sheet" not in parsed.rows[0]


def test_one_sheet_is_read_as_before():
    parsed = parse_ledger(workbook([MONTHS[1]]), "台账.xlsx")
    assert (parsed.sheet, parsed.sheets, len(parsed.rows)) == ("1月", [], 2)
    assert "_sheet" not in parsed.rows[0] and not parsed.errors


class SheetsImportPageTests(CastTestCase):
    def post(self, sheets):
        upload = SimpleUploadedFile("2026年隐患台账.xlsx", workbook(sheets))
        return self.client.post("/hazards/import/", {"file": upload, "channel": "supervision"})

    def test_the_preview_names_the_sheets_and_the_import_writes_every_sheets_rows(self):
        self.login(self.alice)
        months = [MONTHS[1], ("2月", [row(1, "灭火器过期")])]
        preview = self.post(months)
        self.assertContains(preview, "2 个工作表表头相同，合并导入：“1月”2 行、“2月”1 行")
        self.assertContains(preview, "<td>2月 · 3</td>", html=True)
        done = self.client.post("/hazards/import/", {"confirm": "1", "channel": "supervision"})
        self.assertRedirects(done, "/hazards/")
        self.assertEqual(Hazard.objects.count(), 3)
        event = AuditEvent.objects.get(action="hazard.import")
        self.assertEqual([(r[0], r[3]) for r in event.data["records"]], [(3, "1月"), (4, "1月"), (3, "2月")])
        history = Hazard.objects.get(description="灭火器过期").events.first().note
        self.assertIn("工作表“2月”第 3 行", history)

    def test_an_error_is_shown_with_its_sheet_and_nothing_is_written(self):
        self.login(self.alice)
        self.post([MONTHS[1], ("2月", [row(1, "灭火器过期", company="不存在的公司")])])
        response = self.client.post("/hazards/import/", {"confirm": "1", "channel": "supervision"})
        self.assertEqual(
            [(e.get("sheet"), e["row"], e["column"]) for e in response.context["errors"]], [("2月", 3, "单位名称")]
        )
        self.assertContains(response, "<td>2月 · 3</td>", html=True)
        self.assertFalse(Hazard.objects.exists())
