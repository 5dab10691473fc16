"""The ledger export in the campaign's own columns (read back), and import of checks from a sheet in
the same columns: row-numbered Chinese errors, nothing written on any error."""

import io
from datetime import timedelta

from openpyxl import load_workbook

from zhiben.core.excel import write_xlsx
from zhiben.core.exceptions import ApplicationError
from zhiben.hazards.choices import Status as HazardStatus
from zhiben.hazards.models import Hazard

from ..exports import import_template, ledger_headers, ledger_xlsx
from ..models import CampaignCheck
from ..services import check_import
from .base import TODAY, CampaignTestCase


def read(data):
    sheet = load_workbook(io.BytesIO(data)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


class ExportTests(CampaignTestCase):
    def test_the_columns_and_values(self):
        self.record(
            date=TODAY - timedelta(days=2),
            values={
                "user_type": "餐饮等单位用户",
                "problem_hose": "是",
                "problem_text": "软管老化",
                "alarm_installed": "否",
            },
            note="已责令停用",
        )
        self.record(target=f"p{self.pipe_a1.pk}", checker="王网格", values={"user_type": "燃气管道"})
        Hazard.objects.update(status=HazardStatus.CLOSED)
        rows = read(ledger_xlsx(self.campaign, self.alice))
        self.assertEqual(
            rows[0],
            [
                "序号",
                "对象名称",
                "所在区划",
                "检查日期",
                "检查单位",
                "检查人",
                "用户类型",
                "问题气",
                "问题瓶",
                "问题阀",
                "问题软管",
                "问题管网",
                "问题环境",
                "问题描述",
                "已安装燃气泄漏报警装置",
                "发现隐患数",
                "已整改销号数",
                "备注",
            ],
        )
        self.assertEqual(rows[0], ledger_headers(self.campaign))
        first, second = rows[1], rows[2]
        self.assertEqual(first[:3], [1, "凤凰化工有限公司", "凤凰镇凤凰村"])
        self.assertEqual(first[3].date(), TODAY - timedelta(days=2))
        self.assertEqual(first[4:7], ["沙坪坝区安委办", "张三、李四", "餐饮等单位用户"])
        self.assertEqual(first[7:18], [None, None, None, "是", None, None, "软管老化", "否", 1, 1, "已责令停用"])
        self.assertEqual(second[:3], [2, "凤凰村燃气管道", "凤凰镇凤凰村"])
        self.assertEqual((second[5], second[15], second[16]), ("王网格", 0, 0))
        self.assertEqual(len(rows), 3)

    def test_user_text_is_written_as_text(self):
        self.record(values={"user_type": "居民用户"}, note='=HYPERLINK("http://x")')
        sheet = load_workbook(io.BytesIO(ledger_xlsx(self.campaign, self.alice))).active
        self.assertEqual(sheet.cell(row=2, column=18).data_type, "s")

    def test_it_exports_only_the_users_scope(self):
        self.record(target=f"e{self.ent_a2.pk}")
        self.record(actor=self.gina)
        self.assertEqual(len(read(ledger_xlsx(self.campaign, self.gina))), 2)
        self.assertEqual(len(read(ledger_xlsx(self.campaign, self.alice))), 3)


class ImportTests(CampaignTestCase):
    HEAD = ["对象名称", "所在区划", "检查日期", "检查单位", "检查人", "用户类型", "问题软管", "问题描述", "备注"]

    def sheet(self, rows, head=None):
        return write_xlsx(head or self.HEAD, rows)

    def run_import(self, rows, actor=None, head=None):
        return check_import(
            actor=actor or self.alice, campaign=self.campaign, source=self.sheet(rows, head), filename="检查.xlsx"
        )

    def test_the_template_reimports(self):
        head = read(import_template(self.campaign))[0]
        self.assertEqual(head[:5], ["对象名称*", "所在区划", "检查日期*", "检查单位", "检查人"])
        self.assertIn("用户类型*", head)
        row = {"对象名称*": "凤凰化工有限公司", "检查日期*": TODAY.isoformat(), "用户类型*": "居民用户", "问题瓶": "是"}
        checks = self.run_import([[row.get(h, "") for h in head]], head=head)
        self.assertEqual(checks[0].values, {"user_type": "居民用户", "problem_cylinder": True})
        self.assertEqual(checks[0].hazards.get().description, "专项检查发现：问题瓶")

    def test_good_rows_are_imported_with_their_hazards(self):
        yesterday = TODAY - timedelta(days=1)
        checks = self.run_import(
            [
                [
                    "凤凰化工有限公司",
                    "凤凰村",
                    yesterday,
                    "凤凰镇规建办",
                    "陈建",
                    "餐饮等单位用户",
                    "是",
                    "软管老化",
                    "当场整改",
                ],
                [
                    "凤凰村燃气管道",
                    "",
                    f"{yesterday.year}年{yesterday.month}月{yesterday.day}日",
                    "",
                    "",
                    "燃气管道",
                    "否",
                    "",
                    "",
                ],
            ]
        )
        self.assertEqual(len(checks), 2)
        first, second = CampaignCheck.objects.order_by("id")
        self.assertEqual(
            (first.enterprise, first.date, first.unit_name, first.checker),
            (self.enterprise_a, yesterday, "凤凰镇规建办", "陈建"),
        )
        self.assertEqual(
            first.values, {"user_type": "餐饮等单位用户", "problem_hose": True, "problem_text": "软管老化"}
        )
        self.assertEqual(first.hazards.get().description, "软管老化（问题软管）")
        self.assertEqual((second.place, second.checker, second.hazards.count()), (self.pipe_a1, "alice", 0))
        self.assertEqual(first.items.count(), 0)

    def test_any_error_writes_nothing_and_names_the_rows(self):
        rows = [
            ["凤凰化工有限公司", "", TODAY, "", "", "餐饮等单位用户", "是", "", ""],  # fine
            ["不存在的公司", "", TODAY, "", "", "居民用户", "", "", ""],
            ["双碑化工有限公司", "", TODAY + timedelta(days=5), "", "", "", "也许", "", ""],
            ["西彭化工有限公司", "", TODAY, "", "", "居民用户", "", "", ""],  # county B
            ["凤凰村燃气管道", "", "", "", "", "居民用户", "", "", ""],
        ]
        with self.assertRaises(ApplicationError) as caught:
            self.run_import(rows)
        errors = {e["row"]: e["message"] for e in caught.exception.errors}
        self.assertEqual(set(errors), {3, 4, 5, 6})
        self.assertIn("“不存在的公司”不是本专项整治在您管辖范围内的排查对象", errors[3])
        self.assertTrue(errors[4].startswith("第4行："))
        self.assertIn("检查日期不能晚于今天", errors[4])
        self.assertIn("“用户类型”为必填项", errors[4])
        self.assertIn("应填写“是”或“否”", errors[4])
        self.assertIn("不是本专项整治在您管辖范围内的排查对象", errors[5])
        self.assertIn("检查日期为空", errors[6])
        self.assertIn("未写入任何数据", caught.exception.message)
        self.assertFalse(CampaignCheck.objects.exists())
        self.assertFalse(Hazard.objects.exists())

    def test_missing_and_unknown_headers(self):
        with self.assertRaisesMessage(ApplicationError, "缺少列：检查日期、用户类型"):
            self.run_import([["凤凰化工有限公司", "x"]], head=["对象名称", "备注"])
        with self.assertRaisesMessage(ApplicationError, "无法识别的列：燃气表号"):
            self.run_import(
                [["凤凰化工有限公司", TODAY, "居民用户", "1"]], head=["对象名称", "检查日期", "用户类型", "燃气表号"]
            )

    def test_same_names_are_told_apart_by_region(self):
        from zhiben.testing import make_enterprise

        make_enterprise(self.village_a2, "hazchem", name="凤凰化工有限公司")
        with self.assertRaisesMessage(ApplicationError, "有 2 个同名对象"):
            self.run_import([["凤凰化工有限公司", "", TODAY, "", "", "居民用户", "", "", ""]])
        checks = self.run_import([["凤凰化工有限公司", "双碑村", TODAY, "", "", "居民用户", "", "", ""]])
        self.assertEqual(checks[0].region, self.village_a2)

    def test_a_grid_worker_imports_only_the_village(self):
        with self.assertRaises(ApplicationError) as caught:
            self.run_import([["双碑化工有限公司", "", TODAY, "", "", "居民用户", "", "", ""]], actor=self.gina)
        self.assertEqual(caught.exception.errors[0]["row"], 2)
        self.assertEqual(
            len(self.run_import([["凤凰化工有限公司", "", TODAY, "", "", "居民用户", "", "", ""]], actor=self.gina)), 1
        )

    def test_a_draft_campaign_takes_no_import(self):
        draft = self.draft()
        with self.assertRaisesMessage(ApplicationError, "尚未启动"):
            check_import(actor=self.alice, campaign=draft, source=self.sheet([["凤凰化工有限公司"]]), filename="a.xlsx")
