"""The ledger import page: preview, correct the mapping, confirm; errors write nothing; scope."""

import shutil
import unittest
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from zhiben.hazards.models import Hazard
from zhiben.testing import CastTestCase

from .ledger_fixtures import ledger_xlsx

HEADERS = ["序号", "单位名称", "隐患部位", "存在问题", "整改措施", "整改责任人", "整改期限", "发现时间", "整改情况"]


def ledger(rows, headers=HEADERS):
    return SimpleUploadedFile(
        "凤凰镇隐患台账.xlsx", ledger_xlsx(headers, rows, titles=["凤凰镇2024年隐患排查治理台账"])
    )


class LedgerImportPageTests(CastTestCase):
    def rows(self, name="凤凰化工有限公司"):
        return [
            ["1", name, "一号车间", "配电箱未接地", "重新接地", "张三", "2024-06-30", "2024-05-10", "已整改"],
            ["2", name, "仓库", "灭火器过期", "更换灭火器", "李四", "2024-07-15", "2024-05-12", "未整改"],
        ]

    def test_preview_then_confirm_writes_all_rows(self):
        self.login(self.alice)
        rows = self.rows()
        rows[0][-1] = "未整改"
        preview = self.client.post("/hazards/import/", {"file": ledger(rows), "channel": "supervision"})
        self.assertContains(preview, "列识别结果")
        self.assertContains(preview, "确认导入 2 条")
        self.assertContains(preview, "<th>依据</th>", html=False)  # every decision with its evidence
        self.assertContains(preview, "识别为“隐患描述”（表头得分")
        self.assertFalse(Hazard.objects.exists())
        done = self.client.post("/hazards/import/", {"confirm": "1", "channel": "supervision"})
        self.assertRedirects(done, "/hazards/")
        hazards = Hazard.objects.order_by("source_ref")
        self.assertEqual([h.description for h in hazards], ["配电箱未接地", "灭火器过期"])
        self.assertEqual([h.status for h in hazards], ["verified", "verified"])
        self.assertTrue(all(h.enterprise == self.enterprise_a and h.channel == "supervision" for h in hazards))
        self.assertFalse(any(h.historic for h in hazards))

    def test_a_rectified_row_is_refused_with_its_row_and_column(self):
        self.login(self.alice)
        self.client.post("/hazards/import/", {"file": ledger(self.rows()), "channel": "supervision"})
        response = self.client.post("/hazards/import/", {"confirm": "1", "channel": "supervision"})
        self.assertEqual([(e["row"], e["column"]) for e in response.context["errors"]], [(3, "整改情况")])
        self.assertContains(response, "超出导入可建立的状态")
        self.assertFalse(Hazard.objects.exists())

    def test_a_historic_ledger_keeps_its_states(self):
        self.login(self.alice)
        form = {"channel": "supervision", "historic": "on"}
        self.assertContains(self.client.get("/hazards/import/"), "历史台账")
        self.client.post("/hazards/import/", {"file": ledger(self.rows()), **form})
        self.assertRedirects(self.client.post("/hazards/import/", {"confirm": "1", **form}), "/hazards/")
        hazards = Hazard.objects.order_by("source_ref")
        self.assertEqual([(h.status, h.historic) for h in hazards], [("submitted", True), ("verified", True)])

    def test_only_the_committee_is_offered_a_historic_import(self):
        page = self.login(self.emma).get("/hazards/import/")
        self.assertNotContains(page, 'name="historic"')
        self.assertEqual([v for v, _ in page.context["form"].fields["channel"].choices], ["self"])
        rows = [["1", "凤凰化工有限公司", "一号车间", "配电箱未接地", "重新接地", "张三", "", "2024-05-10", "已销号"]]
        form = {"channel": "self", "historic": "on"}  # posted anyway: not a field for her, so ignored
        self.client.post("/hazards/import/", {"file": ledger(rows), **form})
        response = self.client.post("/hazards/import/", {"confirm": "1", **form})
        self.assertContains(response, "超出导入可建立的状态")
        self.assertFalse(Hazard.objects.exists())

    def test_unknown_enterprise_is_reported_and_nothing_written(self):
        self.login(self.alice)
        self.client.post("/hazards/import/", {"file": ledger(self.rows("不存在的公司")), "channel": "supervision"})
        response = self.client.post("/hazards/import/", {"confirm": "1", "channel": "supervision"})
        self.assertContains(response, "未登记或不在您的管辖范围内")
        self.assertFalse(Hazard.objects.exists())

    def test_other_countys_enterprise_is_refused(self):
        self.login(self.charlie)
        self.client.post("/hazards/import/", {"file": ledger(self.rows()), "channel": "supervision"})
        response = self.client.post("/hazards/import/", {"confirm": "1", "channel": "supervision"})
        self.assertContains(response, "不在您的管辖范围内")
        self.assertFalse(Hazard.objects.exists())

    def test_mapping_can_be_corrected(self):
        self.login(self.alice)
        self.client.post("/hazards/import/", {"file": ledger(self.rows()), "channel": "supervision"})
        data = {"mapping": "1", "channel": "supervision", **{f"map:{h}": "" for h in HEADERS}}
        data.update({"map:单位名称": "enterprise", "map:存在问题": "description", "map:隐患部位": "remarks"})
        self.client.post("/hazards/import/", data)
        self.client.post("/hazards/import/", {**data, "confirm": "1"})
        self.assertEqual(sorted(Hazard.objects.values_list("remarks", flat=True)), ["一号车间", "仓库"])
        self.assertEqual(set(Hazard.objects.values_list("location", flat=True)), {""})

    def test_not_a_ledger(self):
        self.login(self.alice)
        response = self.client.post(
            "/hazards/import/", {"file": SimpleUploadedFile("台账.xlsx", b"PK\x03\x04 not really"), "channel": "self"}
        )
        self.assertContains(response, "msg error")
        self.assertFalse(Hazard.objects.exists())

    def test_roles_without_import_cannot_open_it(self):
        self.assertEqual(self.login(self.dave).get("/hazards/import/").status_code, 403)


class LedgerImportEvidenceTests(CastTestCase):
    def test_a_system_export_shows_why_each_column_was_read_as_it_was(self):
        self.login(self.alice)
        headers = ["唯一编码", "企业名称", "隐患名称", "隐患描述", "dangerSrc", "創建時間", "整改期限"]
        rows = [
            [
                "1001",
                "凤凰化工有限公司",
                "通道堵塞",
                "仓库东侧消防通道堆放货物，影响疏散",
                "企业自查",
                "2024-05-06",
                "2024-06-30",
            ]
        ]
        preview = self.client.post("/hazards/import/", {"file": ledger(rows, headers), "channel": "supervision"})
        self.assertContains(preview, "信息系统的记录字段")
        self.assertContains(preview, "英文字段名 dangerSrc 读作“隐患来源”")
        self.assertContains(preview, "繁体表头读作“创建时间”")
        self.assertContains(preview, "按内容保留平均字数多的“隐患描述”")


def word_ledger(rows, headers=HEADERS):
    """The same ledger kept as a Word table under its title, split in two by a page's "（续表）"."""
    import io

    from docx import Document

    document = Document()
    document.add_paragraph("凤凰镇2024年隐患排查治理台账")
    for n, part in enumerate(([headers, *rows[:1]], rows[1:])):
        if n:
            document.add_paragraph("（续表）")
        table = document.add_table(rows=len(part), cols=len(headers))
        for r, values in enumerate(part):
            for c, value in enumerate(values):
                table.cell(r, c).text = value
    out = io.BytesIO()
    document.save(out)
    return SimpleUploadedFile("凤凰镇隐患台账.docx", out.getvalue())


class WordLedgerImportTests(CastTestCase):
    def test_a_ledger_kept_in_word_is_previewed_and_imported_with_its_continuation(self):
        self.login(self.alice)
        rows = LedgerImportPageTests.rows(self)
        rows[0][-1] = "未整改"
        preview = self.client.post("/hazards/import/", {"file": word_ledger(rows), "channel": "supervision"})
        self.assertContains(preview, "（表格“表1”，2 行数据）")
        self.assertContains(preview, "确认导入 2 条")
        done = self.client.post("/hazards/import/", {"confirm": "1", "channel": "supervision"})
        self.assertRedirects(done, "/hazards/")
        self.assertEqual(
            list(Hazard.objects.order_by("source_ref").values_list("description", flat=True)),
            ["配电箱未接地", "灭火器过期"],
        )

    def test_errors_name_the_rows_as_counted_in_the_word_table(self):
        self.login(self.alice)
        rows = LedgerImportPageTests.rows(self)  # the first is 已整改: refused on confirm
        self.client.post("/hazards/import/", {"file": word_ledger(rows), "channel": "supervision"})
        response = self.client.post("/hazards/import/", {"confirm": "1", "channel": "supervision"})
        self.assertEqual([(e["row"], e["column"]) for e in response.context["errors"]], [(2, "整改情况")])
        self.assertFalse(Hazard.objects.exists())


DOC = Path(__file__).parents[2] / "core" / "tests" / "data" / "ledger.doc"


class OldWordLedgerImportTests(CastTestCase):
    @unittest.skipUnless(shutil.which("soffice"), "LibreOffice (soffice) is not installed")
    def test_an_old_word_ledger_is_converted_once_for_its_preview_and_confirmation(self):
        self.login(self.alice)
        upload = SimpleUploadedFile("台账.doc", DOC.read_bytes())
        preview = self.client.post(
            "/hazards/import/", {"file": upload, "channel": "supervision", "enterprise": self.enterprise_a.pk}
        )
        self.assertContains(preview, "确认导入 3 条")
        with override_settings(SOFFICE=""):  # what was kept is the converted .docx: nothing to convert again
            done = self.client.post(
                "/hazards/import/", {"confirm": "1", "channel": "supervision", "enterprise": self.enterprise_a.pk}
            )
        self.assertRedirects(done, "/hazards/")
        self.assertEqual(Hazard.objects.filter(enterprise=self.enterprise_a).count(), 3)

    @override_settings(SOFFICE="")
    def test_without_libreoffice_the_page_asks_for_a_docx(self):
        self.login(self.alice)
        upload = SimpleUploadedFile("台账.doc", DOC.read_bytes())
        response = self.client.post("/hazards/import/", {"file": upload, "channel": "supervision"})
        self.assertContains(response, "请在 Word 或 WPS 中另存为 .docx 后再导入")
        self.assertNotIn("pending_ledger", self.client.session)
