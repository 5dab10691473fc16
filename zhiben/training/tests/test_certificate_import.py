"""Certificate list import: a good sheet written; duplicate certificates (already registered, or twice in the
file), expiry on or before issue, unknown people, bad kinds, categories and dates each named by their row
in Chinese, and nothing written; refused to viewers."""

from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhiben.core.excel import write_xlsx
from zhiben.core.exceptions import ApplicationError

from .. import services
from ..models import Certificate
from .helpers import TrainingCase, identity

HEADERS = ["姓名", "身份证号", "证书类型", "作业类别", "证书编号", "发证机关", "发证日期", "有效期至"]


def sheet(rows, headers=HEADERS):
    data = write_xlsx(headers, rows)
    return SimpleUploadedFile("证书清单.xlsx", data.getvalue() if isinstance(data, BytesIO) else data)


class CertificateImportTests(TrainingCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.n1, cls.n2 = identity(301), identity(302)
        cls.p1 = cls.person("张一", cls.enterprise_a, id_number=cls.n1, category="electrical", actor=cls.alice)
        cls.p2 = cls.person(
            "李二", cls.enterprise_a_construction, id_number=cls.n2, category="welding", actor=cls.alice
        )
        cls.certificate(cls.p1, "OLD-1", "2020-01-01", "2026-01-01", actor=cls.alice)

    def run_import(self, rows, actor=None, **kwargs):
        return services.certificate_import(
            actor=actor or self.alice, upload=sheet(rows, **kwargs), filename="证书清单.xlsx"
        )

    def test_good_sheet(self):
        count = self.run_import(
            [
                ["张一", self.n1, "特种作业操作证", "电工作业", "T-1", "市应急局", "2024-05-01", "2030-04-30"],
                ["李二", self.n2, "", "welding", "T-2", "", "2024/5/1", "2030年4月30日"],
                ["", self.n2, "其他证书", "", "Q-9", "", "2025-01-01", "2028-01-01"],
            ]
        )
        self.assertEqual(count, 3)
        t2 = Certificate.objects.get(number="T-2")
        self.assertEqual(
            (t2.person, t2.kind, t2.category, str(t2.expires_on)), (self.p2, "special", "welding", "2030-04-30")
        )
        self.assertEqual(t2.region_id, self.p2.region_id)
        self.assertEqual(Certificate.objects.get(number="T-1").issuer, "市应急局")
        # the welder holds a valid certificate now
        from ..selectors import uncertified_workers

        self.assertNotIn(self.p2, uncertified_workers(self.alice))

    def test_every_bad_row_named_and_nothing_written(self):
        with self.assertRaises(ApplicationError) as caught:
            self.run_import(
                [
                    ["张一", self.n1, "", "电工作业", "T-1", "", "2024-05-01", "2030-04-30"],  # row 2: good
                    ["张一", self.n1, "", "电工作业", "T-1", "", "2024-05-01", "2030-04-30"],  # 3: repeated in the file
                    ["张一", self.n1, "", "电工作业", "OLD-1", "", "2024-05-01", "2030-04-30"],  # 4: registered
                    ["李二", self.n2, "", "焊接与热切割作业", "T-4", "", "2026-05-01", "2026-04-30"],  # 5: expiry first
                    ["某人", identity(399), "", "电工作业", "T-5", "", "2024-05-01", "2030-04-30"],  # 6: unknown
                    ["李二", self.n2, "驾驶证", "", "T-6", "", "2024-05-01", "2030-04-30"],  # 7: kind
                    ["李二", self.n2, "", "", "T-7", "", "2024-02-30", ""],  # 8: category, bad date, no expiry
                    ["李二", self.n2, "", "潜水", "", "", "2024-01-01", "2030-01-01"],  # 9: category, number
                ]
            )
        text = "\n".join(e["message"] for e in caught.exception.errors)
        self.assertIn("未写入任何证书", caught.exception.message)
        self.assertNotIn("第 2 行：", text)
        self.assertIn("第 3 行：证书编号“T-1”与第 2 行重复", text)
        self.assertIn("第 4 行：证书编号“OLD-1”已登记，不能重复登记", text)
        self.assertIn("第 5 行：有效期至 2026-04-30 早于或等于发证日期 2026-05-01", text)
        self.assertIn("第 6 行：身份证号 500106********", text)
        self.assertIn("未登记", text)
        self.assertIn("第 7 行：证书类型“驾驶证”无效", text)
        self.assertIn("第 8 行：特种作业操作证须填写作业类别", text)
        self.assertIn("第 8 行：发证日期“2024-02-30”不是有效日期", text)
        self.assertIn("第 8 行：缺少有效期至", text)
        self.assertIn("第 9 行：作业类别“潜水”无效", text)
        self.assertIn("第 9 行：缺少证书编号", text)
        self.assertNotIn(self.n1, text)  # identity numbers masked
        self.assertEqual(list(Certificate.objects.values_list("number", flat=True)), ["OLD-1"])

    def test_missing_columns(self):
        with self.assertRaises(ApplicationError) as caught:
            self.run_import([["张一", self.n1]], headers=["姓名", "身份证号"])
        self.assertIn("缺少必填列：证书编号、发证日期、有效期至", caught.exception.message)

    def test_page_and_rights(self):
        client = self.login(self.alice)
        url = reverse("training:certificate_import")
        self.assertContains(client.get(reverse("training:certificates")), url)
        page = client.post(url, {"file": sheet([["李二", self.n2, "", "", "T-8", "", "2024-05-01", "2030-04-30"]])})
        self.assertContains(page, "第 2 行：特种作业操作证须填写作业类别")
        response = client.post(
            url, {"file": sheet([["李二", self.n2, "", "电焊", "T-8", "", "2024-05-01", "2030-04-30"]])}
        )
        self.assertContains(response, "作业类别“电焊”无效")
        response = client.post(
            url, {"file": sheet([["李二", self.n2, "", "焊接与热切割作业", "T-8", "", "2024-05-01", "2030-04-30"]])}
        )
        self.assertRedirects(response, reverse("training:certificates"), fetch_redirect_response=False)
        self.assertTrue(Certificate.objects.filter(number="T-8").exists())
        self.assertEqual(client.get(reverse("training:certificate_template")).status_code, 200)
        self.assertEqual(self.login(self.dave).get(url).status_code, 403)
        self.assertNotContains(self.login(self.dave).get(reverse("training:certificates")), url)
        # another county's person is unknown to the importer
        charlie_page = self.login(self.charlie).post(
            url, {"file": sheet([["张一", self.n1, "", "电工作业", "T-9", "", "2024-05-01", "2030-04-30"]])}
        )
        self.assertContains(charlie_page, "未登记")
        self.assertFalse(Certificate.objects.filter(number="T-9").exists())
