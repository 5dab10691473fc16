from zhiben.core.exceptions import ApplicationError
from zhiben.hazards.criteria import criteria_import
from zhiben.hazards.models import CriteriaItem, CriteriaStandard
from zhiben.testing import CastTestCase

HEADERS = ["标准代码", "版本", "标准名称", "文号", "施行日期", "部分", "条款号", "条款内容"]


class CriteriaTests(CastTestCase):
    def test_seeded_national_standards(self):
        self.assertEqual(CriteriaStandard.objects.count(), 10)
        gongmao = CriteriaStandard.objects.get(code="gongmao")
        self.assertEqual(gongmao.doc_number, "应急管理部令第10号")
        self.assertEqual(gongmao.items.count(), 18)
        self.assertEqual(sorted(p.title[:3] for p in gongmao.parts.all()), ["专项类", "专项类", "专项类", "管理类"])

    def test_import_new_standard_and_version(self):
        rows = [
            (
                2,
                [
                    "gas-local",
                    "2024",
                    "某省燃气重大隐患判定细则",
                    "X应急〔2024〕1号",
                    "2024-03-01",
                    "厂站",
                    "第一条",
                    "无经营许可证",
                ],
            ),
            (
                3,
                [
                    "gas-local",
                    "2024",
                    "某省燃气重大隐患判定细则",
                    "X应急〔2024〕1号",
                    "2024-03-01",
                    "厂站",
                    "第二条",
                    "未建立隐患排查制度",
                ],
            ),
        ]
        result = criteria_import(actor=None, headers=HEADERS, rows=rows)
        self.assertEqual((result["new_standards"], result["items"]), (1, 2))
        self.assertEqual(CriteriaItem.objects.filter(standard__code="gas-local").count(), 2)

    def test_bad_rows_write_nothing(self):
        rows = [
            (2, ["x", "1", "标准", "", "2024-13-01", "", "第一条", "内容"]),
            (3, ["x", "1", "标准", "", "", "", "", "缺条款号"]),
        ]
        with self.assertRaises(ApplicationError) as caught:
            criteria_import(actor=None, headers=HEADERS, rows=rows)
        self.assertEqual([e["row"] for e in caught.exception.errors], [2, 3])
        self.assertFalse(CriteriaStandard.objects.filter(code="x").exists())
        with self.assertRaises(ApplicationError):
            criteria_import(actor=None, headers=HEADERS[:3], rows=rows)


class CriteriaPageTests(CastTestCase):
    def test_everyone_with_hazards_reads_it_and_the_committee_imports(self):
        import io

        from django.core.files.uploadedfile import SimpleUploadedFile
        from openpyxl import Workbook

        self.assertContains(self.login(self.gina).get("/hazards/criteria/"), "工贸企业重大事故隐患判定标准")
        page = self.client.get(f"/hazards/criteria/?standard={CriteriaStandard.objects.get(code='gongmao').pk}")
        self.assertContains(page, "第十三条第（三）项")
        book = Workbook()
        book.active.append(HEADERS)
        book.active.append(
            ["local-gas", "2025", "某区燃气隐患细则", "", "2025-01-01", "", "第一条", "燃气管道穿越卧室"]
        )
        data = io.BytesIO()
        book.save(data)
        upload = lambda: SimpleUploadedFile("细则.xlsx", data.getvalue())  # noqa: E731
        self.assertEqual(self.client.post("/hazards/criteria/", {"file": upload()}).status_code, 403)
        response = self.login(self.alice).post("/hazards/criteria/", {"file": upload()}, follow=True)
        self.assertContains(response, "新增 1")
        self.assertTrue(CriteriaItem.objects.filter(standard__code="local-gas", number="第一条").exists())
        bad = self.client.post("/hazards/criteria/", {"file": SimpleUploadedFile("x.xlsx", b"PK\x03\x04broken")})
        self.assertContains(bad, "msg error")
