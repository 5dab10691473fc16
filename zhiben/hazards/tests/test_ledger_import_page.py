"""The ledger import page: preview, correct the mapping, confirm; errors write nothing; scope."""

from django.core.files.uploadedfile import SimpleUploadedFile

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
        preview = self.client.post("/hazards/import/", {"file": ledger(self.rows()), "channel": "supervision"})
        self.assertContains(preview, "列识别结果")
        self.assertContains(preview, "确认导入 2 条")
        self.assertFalse(Hazard.objects.exists())
        done = self.client.post("/hazards/import/", {"confirm": "1", "channel": "supervision"})
        self.assertRedirects(done, "/hazards/")
        hazards = Hazard.objects.order_by("source_ref")
        self.assertEqual([h.description for h in hazards], ["配电箱未接地", "灭火器过期"])
        self.assertEqual([h.status for h in hazards], ["submitted", "verified"])
        self.assertTrue(all(h.enterprise == self.enterprise_a and h.channel == "supervision" for h in hazards))

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
