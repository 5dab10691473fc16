import io
from io import StringIO
from pathlib import Path
from tempfile import TemporaryDirectory

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from zhiben.audit.models import AuditEvent
from zhiben.core.crypto import mask_phone
from zhiben.core.exceptions import ApplicationError
from zhiben.enterprises.importers import (
    HEADERS,
    export_xlsx,
    field_for_header,
    import_file,
    read_enterprise_rows,
    template_xlsx,
)
from zhiben.enterprises.models import Enterprise
from zhiben.enterprises.services import FIELDS, Lookups, enterprise_clean
from zhiben.testing import CastTestCase

from .utils import HEADERS as FILE_HEADERS
from .utils import code, read_xlsx, row, xlsx


def test_headers_are_matched_by_label_synonym_and_verbose_name():
    cases = {
        "统一社会信用代码": "credit_code",
        "社会信用代码": "credit_code",
        "信用代码": "credit_code",
        "统一代码": "credit_code",
        "企业名称": "name",
        "单位名称": "name",
        "名称": "name",
        "*企业（单位）\n名称": "name",
        "区划代码": "region",
        "所属区划": "region",
        "行政区划代码": "region",
        "所在区划代码（12位）": "region",
        "行业": "industry",
        "行业领域": "industry",
        "监管行业": "industry",
        "法定代表人": "principal",
        "主要负责人": "principal",
        "联系电话": "principal_phone",
        "电 话": "principal_phone",
        "高危企业(是/否)": "high_risk",
        "【经度】": "longitude",
        "主要负责人电话": "principal_phone",
        "备注": "remarks",
    }
    for header, field in cases.items():
        assert field_for_header(header) == field, header
    assert field_for_header("传真") is None
    assert field_for_header("") is None


class ImportTestCase(CastTestCase):
    def counts(self):
        return Enterprise.objects.count(), AuditEvent.objects.count()

    def assertImportFails(self, content, *, filename="企业.xlsx", actor=None, message, errors=None):
        """The import raises `message` (and the given errors, each a (row, column, message) triple), writing nothing."""
        before = self.counts()
        with self.assertRaises(ApplicationError) as caught:
            import_file(actor=actor or self.alice, source=io.BytesIO(content), filename=filename)
        self.assertIn(message, caught.exception.message)
        if errors is not None:
            self.assertEqual([(e["row"], e["column"], e["message"]) for e in caught.exception.errors], errors)
        self.assertEqual(self.counts(), before)
        return caught.exception


class ImportFileTests(ImportTestCase):
    def test_it_imports_a_good_file(self):
        content = xlsx(
            [
                row(1),
                row(2, region="500106104", industry="machinery", 高危企业="否", 从业人数=None, 经度=None),
                row(3, region="500106105003", 联系电话="023-61234567"),
            ]
        )
        before = self.counts()
        self.assertEqual(
            import_file(actor=self.alice, source=io.BytesIO(content), filename="台账.xlsx"), {"created": 3}
        )
        self.assertEqual(self.counts(), (before[0] + 3, before[1] + 1))  # one audit event lists the 3 rows
        first = Enterprise.objects.get(credit_code=code(9001))
        self.assertEqual(
            (
                first.name,
                first.region_id,
                first.industry.code,
                first.principal,
                first.principal_phone,
                first.high_risk,
                first.employees,
            ),
            ("导入测试企业1", "500106105002", "hazchem", "张伟", "13812345678", True, 12),
        )
        second = Enterprise.objects.get(credit_code=code(9002))
        self.assertEqual(
            (second.region_id, second.high_risk, second.employees, second.longitude),
            ("500106104000", False, None, None),
        )
        self.assertEqual(Enterprise.objects.get(credit_code=code(9003)).principal_phone, "02361234567")
        event = AuditEvent.objects.get(action="enterprise.import", data__source="台账.xlsx")
        self.assertEqual(
            event.data["records"],
            [
                [row_no, Enterprise.objects.get(credit_code=code(n)).pk, code(n)]
                for row_no, n in ((2, 9001), (3, 9002), (4, 9003))
            ],
        )

    def test_it_ignores_empty_unknown_columns_and_blank_rows(self):
        headers = [*FILE_HEADERS, "传真", ""]
        content = xlsx([[*row(1), None, None], [None] * 12, [*row(2), "", None]], headers=headers)
        self.assertEqual(import_file(actor=self.alice, source=io.BytesIO(content), filename="a.xlsx"), {"created": 2})

    def test_it_reads_a_government_form_with_a_title_an_instructions_sheet_and_a_signed_footer(self):
        from openpyxl import Workbook

        book = Workbook()
        notes = book.active
        notes.title = "填表说明"
        notes.append(["填表说明"])
        notes.append(["1. 统一社会信用代码填18位", "2. 所属区划填12位代码"])
        sheet = book.create_sheet("企业名单")
        sheet.append(["凤凰镇生产经营单位名单"])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(FILE_HEADERS))
        sheet.append(["填报单位：凤凰镇应急办（盖章）", *[None] * (len(FILE_HEADERS) - 2), "填报日期：2026年3月1日"])
        sheet.append(FILE_HEADERS)
        sheet.append(row(1))
        sheet.append(row(2))
        sheet.append(["注：高危企业填“是”或“否”。"])
        sheet.append(["填表人：张三", None, "审核人：李四", None, "联系电话：023-61234567"])
        out = io.BytesIO()
        book.save(out)
        rows = read_enterprise_rows(out.getvalue(), filename="名单.xlsx")
        self.assertEqual([(n, data["credit_code"]) for n, data, _ in rows], [(4, code(9001)), (5, code(9002))])
        self.assertEqual(
            import_file(actor=self.alice, source=io.BytesIO(out.getvalue()), filename="名单.xlsx"), {"created": 2}
        )

    def test_a_workbook_of_one_sheet_per_town_is_one_import_and_errors_name_the_sheet(self):
        from openpyxl import Workbook

        book = Workbook()
        first = book.active
        first.title = "凤凰村"
        for values in (FILE_HEADERS, row(1), row(2)):
            first.append(values)
        second = book.create_sheet("双碑村")
        for values in (FILE_HEADERS, row(3, region="500106105003"), row(4, region="500106105003", industry="无此行业")):
            second.append(values)
        out = io.BytesIO()
        book.save(out)
        failed = self.assertImportFails(out.getvalue(), message="未写入任何数据")
        self.assertEqual([(str(e["row"]), e["column"]) for e in failed.errors], [("3（双碑村）", "行业领域（E列）")])
        second.delete_rows(3)
        out = io.BytesIO()
        book.save(out)
        self.assertEqual(
            import_file(actor=self.alice, source=io.BytesIO(out.getvalue()), filename="各村.xlsx"), {"created": 3}
        )

    def test_it_reads_csv_in_gb18030(self):
        text = f"企业名称,统一社会信用代码,区划代码,行业\n凤凰食品有限公司,{code(9100)},500106105002,轻工\n"
        self.assertEqual(
            import_file(actor=self.alice, source=io.BytesIO(text.encode("gb18030")), filename="a.csv"), {"created": 1}
        )
        self.assertEqual(Enterprise.objects.get(credit_code=code(9100)).industry.code, "light")

    def test_it_reads_a_word_table_and_names_rows_as_counted_in_it(self):
        from docx import Document

        document = Document()
        document.add_paragraph("凤凰镇企业名册")  # a title above the table is not a row of it
        cells = [["企业名称", "统一社会信用代码", "区划代码", "行业"]]
        cells += [
            ["凤凰食品有限公司", code(9200), "500106105002", "轻工"],
            ["凤凰五金厂", "123", "500106105002", "机械"],
        ]
        table = document.add_table(rows=len(cells), cols=4)
        for r, values in enumerate(cells):
            for c, value in enumerate(values):
                table.cell(r, c).text = value
        buffer = io.BytesIO()
        document.save(buffer)
        failed = self.assertImportFails(buffer.getvalue(), filename="名册.docx", message="导入失败")
        self.assertEqual([(e["row"], e["column"]) for e in failed.errors], [(3, "统一社会信用代码（B列）")])
        cells.pop()
        table._tbl.remove(table.rows[2]._tr)
        buffer = io.BytesIO()
        document.save(buffer)
        self.assertEqual(
            import_file(actor=self.alice, source=io.BytesIO(buffer.getvalue()), filename="名册.docx"), {"created": 1}
        )
        self.assertEqual(Enterprise.objects.get(credit_code=code(9200)).industry.code, "light")

    def test_it_rejects_corrupt_bytes(self):
        self.assertImportFails(
            b"PK\x03\x04" + b"\x00garbage" * 50, message="无法读取 Excel 文件：文件已损坏或格式不受支持"
        )

    def test_it_rejects_an_empty_file(self):
        self.assertImportFails(b"", message="文件为空。")

    def test_it_refuses_a_word_document_without_a_table(self):
        from docx import Document

        buffer = io.BytesIO()
        document = Document()
        document.add_paragraph("这不是表格")
        document.save(buffer)
        self.assertImportFails(buffer.getvalue(), filename="企业.xlsx", message="这份 Word 文档中没有表格")

    def test_it_rejects_a_damaged_pdf(self):
        self.assertImportFails(b"%PDF-1.7 ...", filename="企业.pdf", message="PDF 文件已损坏")

    @override_settings(IMPORT_MAX_BYTES=1024)
    def test_it_rejects_an_oversized_file(self):
        self.assertImportFails(xlsx([row(n) for n in range(1, 40)]), message="文件过大")

    def test_it_names_unknown_columns(self):
        content = xlsx([[*row(1), "123", "x"]], headers=[*FILE_HEADERS, "传真", ""])
        self.assertImportFails(
            content,
            message="表头有误：共 2 处",
            errors=[
                (1, "传真（K列）", "无法识别的列“传真”：请改用导入模板中的列名，或删除该列。"),
                (1, "L列", "该列没有表头但有数据：请补上列名或删除该列。"),
            ],
        )

    def test_it_names_missing_and_doubled_columns(self):
        headers = ["企业名称", "统一社会信用代码", "联系电话", "电话"]
        self.assertImportFails(
            xlsx([["甲公司", code(9200), "13812345678", "13812345678"]], headers=headers),
            message="表头有误",
            errors=[
                (1, "电话（D列）", "与联系电话（C列）都对应“主要负责人电话”，只能保留一列。"),
                (1, "所在区划代码、监管行业", "缺少必需的列：所在区划代码、监管行业。请使用导入模板。"),
            ],
        )

    def test_it_names_row_and_column_of_bad_values(self):
        bad = code(9001)[:17] + ("0" if code(9001)[17] != "0" else "1")
        content = xlsx(
            [
                row(1),
                row(2, 统一社会信用代码=bad),
                row(3, 统一社会信用代码="91500106MA000I001X", 行业领域="核电", 从业人数="很多"),
            ]
        )
        exc = self.assertImportFails(content, message="导入失败：共 4 处错误，未写入任何数据。")
        self.assertEqual(
            [(e["row"], e["column"]) for e in exc.errors],
            [
                (3, "统一社会信用代码（C列）"),
                (4, "统一社会信用代码（C列）"),
                (4, "行业领域（E列）"),
                (4, "从业人数（I列）"),
            ],
        )
        self.assertIn(f"第18位应为“{code(9001)[17]}”", exc.errors[0]["message"])
        self.assertIn("非法字符“I”", exc.errors[1]["message"])

    def test_it_names_duplicates_within_the_file(self):
        content = xlsx([row(1), row(2, 统一社会信用代码=code(9001))])
        self.assertImportFails(
            content,
            message="导入失败",
            errors=[
                (3, "统一社会信用代码（C列）", f"统一社会信用代码 {code(9001)} 与第 2 行重复。"),
            ],
        )

    def test_it_refuses_out_of_scope_regions(self):
        content = xlsx([row(1, region=self.village_b1.code)])
        self.assertImportFails(
            content,
            actor=self.alice,
            message="导入失败",
            errors=[
                (2, "所属区划（D列）", f"区划 {self.village_b1.code} 不在您的管辖范围内。"),
            ],
        )

    def test_regulator_cannot_import_other_industries(self):
        content = xlsx([row(1, region="500106105002", industry="建筑施工")])
        self.assertImportFails(
            content,
            actor=self.erin,
            message="导入失败",
            errors=[
                (2, "行业领域（E列）", "监管行业“建筑施工”不在您单位的监管范围内。"),
            ],
        )


class TemplateAndExportTests(ImportTestCase):
    def test_the_template_has_the_headers_and_an_example_that_imports(self):
        sheet = read_xlsx(template_xlsx())
        self.assertEqual(sheet[0], HEADERS)
        self.assertEqual(len(sheet), 2)
        self.assertEqual(
            import_file(actor=self.alice, source=io.BytesIO(template_xlsx()), filename="模板.xlsx"), {"created": 1}
        )

    def test_an_exported_row_reads_back_to_the_same_values_but_the_phones_masked(self):
        import_file(
            actor=self.alice, source=io.BytesIO(xlsx([row(1), row(2, 高危企业="否", 经度=None)])), filename="a.xlsx"
        )
        qs = Enterprise.objects.filter(credit_code__in=[code(9001), code(9002)]).order_by("credit_code")
        content = export_xlsx(qs)
        self.assertEqual(read_xlsx(content)[0], HEADERS)
        lookups = Lookups()
        phones = [f for f, (_, kind) in FIELDS.items() if kind == "phone"]
        for (_, values, _), enterprise in zip(
            read_enterprise_rows(io.BytesIO(content), filename="b.xlsx"), qs, strict=True
        ):
            self.assertEqual({f: values[f] for f in phones}, {f: mask_phone(getattr(enterprise, f)) for f in phones})
            self.assertNotIn("13812345678", str(values))
            cleaned, errors = enterprise_clean(
                {f: v for f, v in values.items() if f not in phones}, lookups=lookups, actor=self.alice
            )
            self.assertEqual(errors, [])
            expected = {f: getattr(enterprise, "region_id" if f == "region" else f) for f in FIELDS}
            self.assertEqual(cleaned, expected | dict.fromkeys(phones, ""))


class CommandTests(ImportTestCase):
    def run_command(self, content, *args):
        with TemporaryDirectory() as tmp:
            path = Path(tmp) / "企业.xlsx"
            path.write_bytes(content)
            out, err = StringIO(), StringIO()
            call_command("import_enterprises", str(path), *args, stdout=out, stderr=err)
            return out.getvalue(), err.getvalue()

    def test_it_imports_and_reports_the_count(self):
        out, _ = self.run_command(xlsx([row(1), row(2)]), "--user", "alice")
        self.assertIn("导入成功：新增 2 家生产经营单位。", out)
        event = AuditEvent.objects.get(action="enterprise.import", actor_name="alice")
        self.assertEqual([credit for _, _, credit in event.data["records"]], [code(9001), code(9002)])

    def test_it_lists_errors_and_fails(self):
        before = self.counts()
        err = StringIO()
        with TemporaryDirectory() as tmp:
            path = Path(tmp) / "企业.xlsx"
            path.write_bytes(xlsx([row(1), row(2, region=self.village_b1.code)]))
            with self.assertRaises(CommandError) as caught:
                call_command("import_enterprises", str(path), "--user", "alice", stdout=StringIO(), stderr=err)
        self.assertIn("导入失败：共 1 处错误", str(caught.exception))
        self.assertIn(f"第 3 行［所属区划（D列）］区划 {self.village_b1.code} 不在您的管辖范围内。", err.getvalue())
        self.assertEqual(self.counts(), before)

    def test_it_refuses_unknown_users_and_missing_files(self):
        with self.assertRaisesMessage(CommandError, "用户“nobody”不存在或已停用。"):
            self.run_command(xlsx([row(1)]), "--user", "nobody")
        with self.assertRaisesMessage(CommandError, "文件不存在"):
            call_command(
                "import_enterprises", "/nonexistent/企业.xlsx", "--user", "alice", stdout=StringIO(), stderr=StringIO()
            )

    def test_it_refuses_users_without_the_capability(self):
        with self.assertRaisesMessage(CommandError, "您的角色无权进行此操作。"):
            self.run_command(xlsx([row(1)]), "--user", "gina")
