"""Pages and API: recording from the phone form, the compliance page and its export, scope (404)."""

import io
import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from zhiben.selfchecks.models import Duty, SelfInspection
from zhiben.selfchecks.periods import bucket_of
from zhiben.testing import CastTestCase


class PageTests(CastTestCase):
    def setUp(self):
        self.today = timezone.localdate()
        self.weekly = Duty.objects.get(key="department_weekly")

    def add(self, enterprise):
        return SelfInspection.objects.create(
            enterprise=enterprise,
            duty=self.weekly,
            date=self.today,
            bucket=bucket_of(self.today, self.weekly.frequency),
            inspector="张三",
        )

    def test_an_enterprise_records_from_the_form(self):
        client = self.login(self.emma)
        page = client.get(reverse("selfchecks:mine"))
        self.assertContains(page, "部门周排查")
        form = client.get(reverse("selfchecks:new"))
        self.assertContains(form, "发现的隐患（每行一条）")
        data = {
            "duty": self.weekly.pk,
            "date": self.today.isoformat(),
            "inspector": "张三",
            "result": "found",
            "findings": "配电箱门未关闭\n\n消防通道堆放杂物",
        }
        response = client.post(reverse("selfchecks:new"), data)
        self.assertRedirects(response, reverse("selfchecks:mine"))
        record = SelfInspection.objects.get()
        self.assertEqual((record.findings, record.hazards.count()), (2, 2))
        detail = client.get(reverse("selfchecks:detail", args=[record.pk]))
        self.assertContains(detail, "配电箱门未关闭")
        # the hazard's page names the record it came from (a backlink registered by this module)
        hazard = record.hazards.first()
        page = self.login(self.alice).get(reverse("hazards:detail", args=[hazard.pk]))
        self.assertContains(page, f'企业自查：<a href="{record.get_absolute_url()}">部门周排查')

    def test_an_enterprise_exports_its_own_records_from_its_page(self):
        own = self.add(self.enterprise_a)
        self.add(self.enterprise_a_construction)  # another enterprise's: not in hers
        client = self.login(self.emma)
        page = client.get(reverse("selfchecks:mine"))
        self.assertContains(page, f'href="{reverse("selfchecks:export")}"')
        sheet = load_workbook(io.BytesIO(client.get(reverse("selfchecks:export")).content)).active
        self.assertEqual([row[0] for row in sheet.iter_rows(min_row=2, values_only=True)], [own.enterprise.name])

    def test_form_errors_are_shown_and_nothing_written(self):
        client = self.login(self.emma)
        future = (self.today + timezone.timedelta(days=2)).isoformat()
        response = client.post(
            reverse("selfchecks:new"), {"duty": self.weekly.pk, "date": future, "inspector": "张三", "result": "none"}
        )
        self.assertContains(response, "不能填报未来的自查记录")
        response = client.post(
            reverse("selfchecks:new"),
            {"duty": self.weekly.pk, "date": self.today.isoformat(), "inspector": "张三", "result": "found"},
        )
        self.assertContains(response, "请逐行填写发现的隐患")
        self.assertFalse(SelfInspection.objects.exists())

    def test_compliance_page_and_export(self):
        self.add(self.enterprise_a)
        client = self.login(self.alice)
        page = client.get(reverse("selfchecks:compliance"))
        self.assertContains(page, self.enterprise_a.name)
        self.assertContains(page, self.enterprise_a_construction.name)
        self.assertNotContains(page, self.enterprise_b.name)
        response = client.get(reverse("selfchecks:compliance_export"))
        sheet = load_workbook(io.BytesIO(response.content)).active
        names = [row[0].value for row in sheet.iter_rows(min_row=2)]
        self.assertCountEqual(names, [self.enterprise_a.name, self.enterprise_a_construction.name])
        self.assertIn("部门周排查（已查/应查）", [c.value for c in sheet[1]])
        bad = client.get(reverse("selfchecks:compliance"), {"period": "2026-13"})
        self.assertContains(bad, "统计期间“2026-13”无效")

    def test_scope(self):
        record = self.add(self.enterprise_a)
        self.assertEqual(self.login(self.charlie).get(reverse("selfchecks:detail", args=[record.pk])).status_code, 404)
        self.assertNotContains(self.login(self.charlie).get(reverse("selfchecks:records")), self.enterprise_a.name)
        self.assertEqual(self.login(self.alice).get(reverse("selfchecks:detail", args=[record.pk])).status_code, 200)
        # erin supervises hazchem and machinery: the construction enterprise's records are not hers
        other = self.add(self.enterprise_a_construction)
        self.assertEqual(self.login(self.erin).get(reverse("selfchecks:detail", args=[other.pk])).status_code, 404)
        self.assertEqual(self.login(self.gina).get(reverse("selfchecks:compliance")).status_code, 200)
        self.assertEqual(self.login(self.sam).get(reverse("selfchecks:compliance")).status_code, 403)
        self.assertEqual(self.login(self.alice).get(reverse("selfchecks:new")).status_code, 403)

    def test_records_list_filters_and_export(self):
        self.add(self.enterprise_a)
        client = self.login(self.alice)
        page = client.get(reverse("selfchecks:records"), {"enterprise": self.enterprise_a_construction.pk})
        self.assertContains(page, "没有符合条件的自查记录")
        # a number no id column holds overflowed in the query (a 500); "²" is no id
        for duty in ("9" * 25, "²"):
            page = client.get(reverse("selfchecks:records"), {"duty": duty})
            self.assertContains(page, "没有符合条件的自查记录")
        response = client.get(reverse("selfchecks:export"))
        sheet = load_workbook(io.BytesIO(response.content)).active
        self.assertEqual(sheet.cell(2, 1).value, self.enterprise_a.name)

    def test_duty_pages(self):
        client = self.login(self.alice)
        self.assertContains(client.get(reverse("selfchecks:duties")), "班组日排查")
        response = client.post(
            reverse("selfchecks:duty_new"),
            {
                "name": "夜间巡查",
                "level": "值班",
                "frequency": "week",
                "applies_to": "all",
                "required_percent": 100,
                "sort": 1,
                "active": "on",
            },
        )
        self.assertRedirects(response, reverse("selfchecks:duties"))
        duty = Duty.objects.get(name="夜间巡查")
        self.assertEqual(self.login(self.charlie).get(reverse("selfchecks:duty_edit", args=[duty.pk])).status_code, 404)

    def test_import_page(self):
        client = self.login(self.emma)
        self.assertEqual(client.get(reverse("selfchecks:import_template")).status_code, 200)
        response = client.post(
            reverse("selfchecks:import"), {"file": SimpleUploadedFile("自查.csv", "单位,备注\n1,2\n".encode())}
        )
        self.assertContains(response, "缺少必填列")

    def test_a_count_int_cannot_read_is_a_row_error_of_the_import(self):
        """str.isdigit() holds for "❶", which int() refuses: the whole import was a 500. A full-width count, as a
        Chinese input method types it, is read."""
        client = self.login(self.emma)
        day = self.today.isoformat()
        rows = f"排查类型,排查日期,排查负责人,发现隐患数\n部门周排查,{day},张三,❶\n部门周排查,{day},李四,{'9' * 25}\n"
        response = client.post(reverse("selfchecks:import"), {"file": SimpleUploadedFile("自查.csv", rows.encode())})
        self.assertContains(response, "发现隐患数“❶”应为非负整数")
        self.assertContains(response, f"发现隐患数“{'9' * 25}”应为非负整数")
        self.assertFalse(SelfInspection.objects.exists())
        rows = f"排查类型,排查日期,排查负责人,发现隐患数\n部门周排查,{day},张三,０\n"
        client.post(reverse("selfchecks:import"), {"file": SimpleUploadedFile("自查.csv", rows.encode())})
        self.assertEqual(SelfInspection.objects.get().findings, 0)


class ApiTests(CastTestCase):
    def test_create_list_detail_and_scope(self):
        client = self.login(self.emma)
        today = timezone.localdate().isoformat()
        payload = {
            "duty": "director_monthly",
            "date": today,
            "inspector": "王厂长",
            "findings": [{"description": "叉车司机未持证驾驶"}],
        }
        response = client.post("/api/v1/selfchecks/", json.dumps(payload), content_type="application/json")
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertEqual((body["duty"], body["findings"], len(body["hazard_ids"])), ("director_monthly", 1, 1))
        bad = client.post(
            "/api/v1/selfchecks/", json.dumps({**payload, "date": "2099-01-01"}), content_type="application/json"
        )
        self.assertEqual(bad.status_code, 400)
        self.assertIn("晚于今天", bad.json()["detail"])
        alice = self.login(self.alice)
        self.assertEqual(alice.get("/api/v1/selfchecks/").json()["count"], 1)
        self.assertEqual(alice.get(f"/api/v1/selfchecks/{body['id']}").status_code, 200)
        rows = alice.get("/api/v1/selfchecks/compliance").json()["items"]
        row = next(r for r in rows if r["enterprise_id"] == self.enterprise_a.pk)
        monthly = next(c for c in row["duties"] if c["duty"] == "director_monthly")
        self.assertEqual(monthly["state"], "done")
        self.assertEqual(alice.get("/api/v1/selfchecks/compliance?period=2026-13").status_code, 400)
        charlie = self.login(self.charlie)
        self.assertEqual(charlie.get(f"/api/v1/selfchecks/{body['id']}").status_code, 404)
        self.assertEqual(charlie.get("/api/v1/selfchecks/").json()["count"], 0)
