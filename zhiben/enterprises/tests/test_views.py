from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhiben.audit.models import AuditEvent
from zhiben.enterprises.importers import HEADERS
from zhiben.enterprises.models import Enterprise
from zhiben.enterprises.services import enterprise_update
from zhiben.testing import CastTestCase, make_enterprise, workbook

from .utils import HEADERS as FILE_HEADERS
from .utils import code, read_xlsx, row, xlsx


class EnterpriseScopeViewTests(CastTestCase):
    def test_it_lists_own_jurisdiction(self):
        response = self.login(self.alice).get("/enterprises/")
        self.assertContains(response, "凤凰化工有限公司")
        self.assertNotContains(response, "西彭化工有限公司")

    def test_it_hides_other_jurisdictions(self):
        self.login(self.charlie)
        pk = self.enterprise_a.pk
        for url in (f"/enterprises/{pk}/", f"/enterprises/{pk}/edit/", f"/api/v1/enterprises/{pk}"):
            self.assertEqual(self.client.get(url).status_code, 404, url)
        self.assertEqual(self.client.post(f"/enterprises/{pk}/edit/", {"name": "改名"}).status_code, 404)
        self.assertEqual(
            self.client.patch(
                f"/api/v1/enterprises/{pk}", {"name": "改名"}, content_type="application/json"
            ).status_code,
            404,
        )
        self.assertNotContains(self.client.get("/enterprises/?q=凤凰"), "凤凰化工有限公司")
        self.assertEqual(read_xlsx(self.client.get("/enterprises/export/?q=凤凰").content), [HEADERS])
        self.assertEqual(self.client.get(f"/enterprises/{self.enterprise_b.pk}/").status_code, 200)
        self.assertEqual(Enterprise.objects.get(pk=pk).name, "凤凰化工有限公司")

    def test_audit_admin_cannot_read_enterprises(self):
        self.assertEqual(self.login(self.aud).get("/enterprises/").status_code, 403)

    def test_anonymous_is_sent_to_login(self):
        for url in (
            "/enterprises/",
            "/enterprises/new/",
            "/enterprises/export/",
            "/enterprises/import/",
            f"/enterprises/{self.enterprise_a.pk}/",
        ):
            response = self.client.get(url)
            self.assertEqual(response.status_code, 302, url)
            self.assertIn("/accounts/login/", response["Location"])
        self.assertEqual(self.client.get("/api/v1/enterprises/").status_code, 401)


class ManyEnterprisesTestCase(CastTestCase):
    """The cast plus 25 machinery enterprises in county A (odd ones in 双碑村, even ones in 青木关镇)."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.extra = [
            make_enterprise(
                cls.village_a2 if i % 2 else cls.town_a2,
                "machinery",
                name=f"批量企业{i:02d}",
                principal_phone="13812345678",
                scale="small" if i % 3 else "large",
                high_risk=i % 5 == 0,
            )
            for i in range(25)
        ]

    def names(self, response):
        return [e.name for e in response.context["page"]]


class ListTests(ManyEnterprisesTestCase):
    def test_it_filters_by_region_industry_risk_status_scale_and_text(self):
        self.login(self.alice)
        self.assertEqual(
            set(self.names(self.client.get(f"/enterprises/?region={self.town_a2.code}&per_page=100"))),
            {f"批量企业{i:02d}" for i in range(0, 25, 2)},
        )
        self.assertEqual(self.names(self.client.get("/enterprises/?industry=hazchem")), ["凤凰化工有限公司"])
        self.assertEqual(len(self.names(self.client.get("/enterprises/?high_risk=1&industry=machinery"))), 5)
        self.assertEqual(len(self.names(self.client.get("/enterprises/?scale=large&per_page=50"))), 9)
        self.assertEqual(self.names(self.client.get("/enterprises/?status=closed")), [])
        self.assertEqual(self.names(self.client.get("/enterprises/?q=批量企业07")), ["批量企业07"])
        self.assertEqual(
            self.names(self.client.get(f"/enterprises/?q={self.enterprise_a.credit_code.lower()}")),
            ["凤凰化工有限公司"],
        )

    def test_region_choices_are_the_users_towns_and_villages(self):
        choices = dict(self.login(self.alice).get("/enterprises/").context["form"].fields["region"].choices)
        self.assertEqual(
            set(choices) - {""}, {self.town_a1.code, self.village_a1.code, self.village_a2.code, self.town_a2.code}
        )
        self.assertEqual(choices[self.village_a1.code], "\u3000凤凰村")
        choices = dict(self.login(self.charlie).get("/enterprises/").context["form"].fields["region"].choices)
        self.assertEqual(set(choices) - {""}, {self.town_b1.code, self.village_b1.code})
        response = self.client.get(f"/enterprises/?region={self.town_a1.code}")
        self.assertEqual(self.names(response), [])  # not one of his choices: an error on the field, and no rows
        self.assertIn("region", response.context["form"].errors)
        self.assertEqual(
            read_xlsx(self.client.get(f"/enterprises/export/?region={self.town_a1.code}").content), [HEADERS]
        )

    def test_industry_choices_follow_the_regulators_domains(self):
        choices = dict(self.login(self.erin).get("/enterprises/").context["form"].fields["industry"].choices)
        self.assertEqual(set(choices) - {""}, {"hazchem", "machinery"})

    def test_it_sorts_by_column(self):
        self.login(self.alice)
        names = self.names(self.client.get("/enterprises/?sort=name&per_page=100"))
        self.assertEqual(names, sorted(names))
        self.assertEqual(
            self.names(self.client.get("/enterprises/?sort=-name&per_page=100")), sorted(names, reverse=True)
        )
        response = self.client.get("/enterprises/?sort=name&industry=machinery")
        self.assertContains(response, 'href="?industry=machinery&amp;sort=-name">单位名称 ▲</a>')
        self.assertContains(response, 'href="?industry=machinery&amp;sort=credit_code">统一社会信用代码</a>')
        # an order no longer offered (an old bookmark) keeps the default order instead of emptying the register
        default = self.names(self.client.get("/enterprises/?per_page=100"))
        self.assertEqual(self.names(self.client.get("/enterprises/?sort=xyz&per_page=100")), default)
        self.assertTrue(default)

    def test_it_paginates_with_a_page_size_choice(self):
        self.login(self.alice)
        response = self.client.get("/enterprises/?industry=machinery")
        self.assertEqual((len(response.context["page"]), response.context["page"].paginator.num_pages), (20, 2))
        self.assertEqual(len(self.client.get("/enterprises/?industry=machinery&page=2").context["page"]), 5)
        self.assertEqual(len(self.client.get("/enterprises/?industry=machinery&per_page=50").context["page"]), 25)
        self.assertEqual(len(self.client.get("/enterprises/?industry=machinery&per_page=7").context["page"]), 20)
        self.assertContains(
            self.client.get("/enterprises/?industry=machinery&per_page=20"),
            "?industry=machinery&amp;per_page=20&page=2",
        )

    def test_it_masks_phone_numbers(self):
        response = self.login(self.alice).get("/enterprises/?industry=machinery")
        self.assertContains(response, "138****5678")
        self.assertNotContains(response, "13812345678")
        self.assertContains(response, 'class="table responsive')
        self.assertContains(response, 'data-label="联系电话"')

    def test_buttons_follow_capabilities(self):
        response = self.login(self.alice).get("/enterprises/")
        for text in ("新增", "导入", "导出Excel"):
            self.assertContains(response, f"{text}</a>")
        response = self.login(self.dave).get("/enterprises/")
        self.assertNotContains(response, "新增</a>")
        self.assertNotContains(response, "导入</a>")
        self.assertContains(response, "导出Excel</a>")
        response = self.login(self.gina).get("/enterprises/")
        self.assertContains(response, "新增</a>")
        self.assertNotContains(response, "导出Excel</a>")

    def test_the_list_runs_a_fixed_number_of_queries(self):
        self.login(self.alice)
        self.client.get("/enterprises/")  # the first request of a session stores its last-seen time
        with CaptureQueriesContext(connection) as few:
            self.client.get("/enterprises/?industry=hazchem")
        with CaptureQueriesContext(connection) as many:
            self.client.get("/enterprises/?industry=machinery")
        self.assertEqual(len(few), len(many))


class ExportTests(ManyEnterprisesTestCase):
    def test_it_exports_exactly_the_filtered_sorted_rows(self):
        response = self.login(self.alice).get(
            "/enterprises/export/?industry=machinery&high_risk=0&sort=-name&page=2&per_page=20"
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        self.assertIn("attachment; filename*=utf-8''", response["Content-Disposition"])
        sheet = read_xlsx(response.content)
        self.assertEqual(sheet[0], HEADERS)
        expected = sorted((f"批量企业{i:02d}" for i in range(25) if i % 5), reverse=True)
        self.assertEqual([r[1] for r in sheet[1:]], expected)
        first = sheet[1]
        enterprise = Enterprise.objects.get(name=expected[0])
        self.assertEqual(first[:3], [enterprise.credit_code, enterprise.name, enterprise.region_id])
        self.assertEqual((first[4], first[11]), ("机械", "138****5678"))  # industry by name, phone masked
        self.assertNotIn("13812345678", str(sheet))
        event = AuditEvent.objects.get(action="enterprise.export")
        self.assertEqual(
            (event.actor_name, event.data["count"], event.data["filters"]["industry"]), ("alice", 20, "machinery")
        )

    def test_export_matches_the_list_for_every_filter(self):
        self.login(self.alice)
        for query in (
            "",
            "region=500106104000",
            "q=批量",
            "scale=small&sort=credit_code",
            "status=operating&sort=-region",
        ):
            listed = self.names(self.client.get(f"/enterprises/?{query}&per_page=100"))
            exported = [r[1] for r in read_xlsx(self.client.get(f"/enterprises/export/?{query}").content)[1:]]
            self.assertEqual(exported, listed, query)

    def test_users_without_export_capability_get_403(self):
        for user in (self.gina, self.emma):
            self.assertEqual(self.login(user).get("/enterprises/export/").status_code, 403)
        self.assertFalse(AuditEvent.objects.filter(action="enterprise.export").exists())


class DetailTests(CastTestCase):
    def test_it_shows_grouped_fields_and_an_edit_link(self):
        enterprise_update(
            actor=self.alice, enterprise=self.enterprise_a, data={"principal": "王强", "principal_phone": "13987654321"}
        )
        response = self.login(self.alice).get(f"/enterprises/{self.enterprise_a.pk}/")
        for text in (
            "基本信息",
            "负责人",
            "安全管理",
            "沙坪坝区凤凰镇凤凰村（500106105002）",
            "危险化学品",
            "13987654321",
            "编辑</a>",
        ):
            self.assertContains(response, text)
        self.assertContains(response, "主要负责人：（空） → 王强")
        self.assertNotContains(self.login(self.dave).get(f"/enterprises/{self.enterprise_a.pk}/"), "编辑</a>")

    def test_history_shows_the_latest_20_events(self):
        for i in range(22):
            enterprise_update(actor=self.alice, enterprise=self.enterprise_a, data={"employees": i + 1})
        response = self.login(self.alice).get(f"/enterprises/{self.enterprise_a.pk}/")
        history = response.context["history"]
        self.assertEqual(len(history), 20)
        self.assertEqual(history[0][2], ["从业人数：21 → 22"])
        self.assertNotContains(response, "（空） → 1<")


class FormTests(CastTestCase):
    def form_data(self, **extra):
        return {
            "credit_code": code(500),
            "name": "新登记化工有限公司",
            "region": self.village_a1.code,
            "industry": "hazchem",
            "status": "operating",
            "standard_grade": "",
            "principal_phone": "138 1234 5678",
            "high_risk": "on",
            **extra,
        }

    def test_create_saves_through_the_service(self):
        self.login(self.alice)
        self.assertEqual(self.client.get("/enterprises/new/").status_code, 200)
        response = self.client.post("/enterprises/new/", self.form_data())
        enterprise = Enterprise.objects.get(credit_code=code(500))
        self.assertRedirects(response, f"/enterprises/{enterprise.pk}/")
        self.assertEqual(
            (enterprise.principal_phone, enterprise.high_risk, enterprise.created_by), ("13812345678", True, self.alice)
        )
        self.assertTrue(AuditEvent.objects.filter(action="enterprise.create", object_id=str(enterprise.pk)).exists())

    def test_service_errors_land_on_their_fields(self):
        self.login(self.alice)
        response = self.client.post(
            "/enterprises/new/", self.form_data(credit_code="91512081MA62K0260F", principal_phone="abc", latitude="120")
        )
        self.assertEqual(response.status_code, 200)
        errors = response.context["form"].errors
        self.assertEqual(errors["credit_code"], ["统一社会信用代码校验位错误：第18位应为“E”，实际为“F”。"])
        self.assertEqual(errors["principal_phone"], ["主要负责人电话“abc”不是有效的电话号码。"])
        self.assertEqual(errors["latitude"], ["纬度应在 -90 到 90 之间。"])
        self.assertFalse(Enterprise.objects.filter(name="新登记化工有限公司").exists())

    def test_everything_missing_or_wrong_is_said_at_once(self):
        self.login(self.alice)
        response = self.client.post(
            "/enterprises/new/", self.form_data(credit_code="91512081MA62K0260F", region="", industry="", name="")
        )
        errors = response.context["form"].errors
        self.assertEqual(set(errors), {"credit_code", "region", "industry", "name"})
        self.assertEqual(errors["credit_code"], ["统一社会信用代码校验位错误：第18位应为“E”，实际为“F”。"])
        self.assertContains(response, '<i class="req">*</i>', count=5)  # and 经营状态

    def test_region_and_industry_choices_are_limited(self):
        form = self.login(self.erin).get("/enterprises/new/").context["form"]
        self.assertEqual(set(dict(form.fields["industry"].choices)) - {""}, {"hazchem", "machinery"})
        self.assertEqual(
            set(dict(form.fields["region"].choices)) - {""},
            {self.town_a1.code, self.village_a1.code, self.village_a2.code},
        )
        response = self.login(self.charlie).post("/enterprises/new/", self.form_data())
        self.assertIn("region", response.context["form"].errors)
        self.assertFalse(Enterprise.objects.filter(credit_code=code(500)).exists())

    def test_roles_without_add_get_403(self):
        for user in (self.dave, self.emma):
            self.assertEqual(self.login(user).get("/enterprises/new/").status_code, 403)

    def test_edit_saves_and_shows_current_values(self):
        self.login(self.alice)
        response = self.client.get(f"/enterprises/{self.enterprise_a.pk}/edit/")
        self.assertContains(response, f'value="{self.enterprise_a.credit_code}"')
        data = {
            **self.form_data(credit_code=self.enterprise_a.credit_code, name="凤凰化工股份有限公司"),
            "high_risk": "",
        }
        response = self.client.post(f"/enterprises/{self.enterprise_a.pk}/edit/", data)
        self.assertRedirects(response, f"/enterprises/{self.enterprise_a.pk}/")
        self.assertEqual(Enterprise.objects.get(pk=self.enterprise_a.pk).name, "凤凰化工股份有限公司")

    def test_enterprise_user_edits_only_her_own(self):
        self.login(self.emma)
        self.assertEqual(self.client.get(f"/enterprises/{self.enterprise_a.pk}/edit/").status_code, 200)
        self.assertEqual(self.client.get(f"/enterprises/{self.enterprise_a_construction.pk}/edit/").status_code, 404)
        data = self.form_data(
            credit_code=self.enterprise_a.credit_code, name=self.enterprise_a.name, safety_manager="刘敏"
        )
        self.assertEqual(self.client.post(f"/enterprises/{self.enterprise_a.pk}/edit/", data).status_code, 302)
        self.assertEqual(Enterprise.objects.get(pk=self.enterprise_a.pk).safety_manager, "刘敏")

    def test_moving_out_of_scope_is_refused(self):
        self.login(self.erin)
        data = self.form_data(
            credit_code=self.enterprise_a.credit_code, name=self.enterprise_a.name, region=self.village_b1.code
        )
        response = self.client.post(f"/enterprises/{self.enterprise_a.pk}/edit/", data)
        self.assertIn("region", response.context["form"].errors)
        self.assertEqual(Enterprise.objects.get(pk=self.enterprise_a.pk).region_id, self.village_a1.code)


class ImportViewTests(CastTestCase):
    def upload(self, content, name="企业台账.xlsx"):
        return self.client.post("/enterprises/import/", {"file": _named(content, name)})

    def test_a_good_file_is_imported(self):
        self.login(self.alice)
        self.assertContains(self.client.get("/enterprises/import/"), "下载导入模板")
        response = self.client.post(
            "/enterprises/import/", {"file": _named(xlsx([row(1), row(2)]), "企业台账.xlsx")}, follow=True
        )
        self.assertEqual(response.redirect_chain, [("/enterprises/", 302)])
        self.assertContains(response, "导入成功：新增 2 家生产经营单位。")
        self.assertEqual(Enterprise.objects.filter(name__startswith="导入测试企业").count(), 2)
        # each imported enterprise's history names the import and its row (imports are audited in batches)
        second = Enterprise.objects.filter(name__startswith="导入测试企业").order_by("pk")[1]
        history = self.client.get(f"/enterprises/{second.pk}/").context["history"]
        self.assertEqual(
            [(title, details) for _, title, details in history], [("导入", ["来自“企业台账.xlsx”第 3 行"])]
        )

    def test_errors_are_listed_by_row_and_column(self):
        self.login(self.alice)
        before = (Enterprise.objects.count(), AuditEvent.objects.count())
        response = self.upload(xlsx([row(1), row(2, region=self.village_b1.code)]))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "导入失败：共 1 处错误，未写入任何数据。")
        self.assertContains(
            response,
            '<td data-label="行">3</td><td data-label="列">所属区划（D列）</td>'
            f'<td data-label="问题">区划 {self.village_b1.code} 不在您的管辖范围内。</td>',
        )
        self.assertEqual((Enterprise.objects.count(), AuditEvent.objects.count()), before)

    def test_the_sheets_read_and_a_sheet_left_out_are_shown(self):
        self.login(self.alice)
        moved = [FILE_HEADERS[1], FILE_HEADERS[0], *FILE_HEADERS[2:]]  # 企业名称 before 序号: read by its header
        content = workbook(
            ("一镇", [FILE_HEADERS, row(1), row(2)]),
            ("二镇", [FILE_HEADERS, row(3, region="500106105003")]),
            ("三镇", [[*FILE_HEADERS, "传真"], [*row(4), "023-61234567"]]),
            ("四镇", [moved, [row(5)[1], row(5)[0], *row(5)[2:]]]),
        )
        response = self.client.post("/enterprises/import/", {"file": _named(content, "各镇.xlsx")}, follow=True)
        self.assertContains(response, "导入成功：新增 4 家生产经营单位。")
        self.assertContains(response, "已读取工作表：一镇（2 行）、二镇（1 行）、四镇（1 行）。")
        left_out = (
            '<div class="msg warning">工作表“三镇”的表头与“一镇”不同（多出“传真”列），未导入：'
            "请把表头改成与“一镇”一致后再导入，或将该工作表另存为文件单独导入。</div>"
        )
        self.assertContains(response, left_out, html=True)
        self.assertTrue(Enterprise.objects.filter(name="导入测试企业5").exists())
        self.assertFalse(Enterprise.objects.filter(name="导入测试企业4").exists())
        # a refused import tells it too, with its errors
        response = self.upload(
            workbook(("一镇", [FILE_HEADERS, row(6, industry="无此行业")]), ("三镇", [[*FILE_HEADERS, "传真"]]))
        )
        self.assertContains(response, "未写入任何数据")
        self.assertContains(response, left_out, html=True)

    def test_a_single_sheet_names_no_sheet(self):
        self.login(self.alice)
        response = self.client.post("/enterprises/import/", {"file": _named(xlsx([row(1)]), "企业.xlsx")}, follow=True)
        self.assertContains(response, "导入成功：新增 1 家生产经营单位。")
        self.assertNotContains(response, "工作表")

    def test_unreadable_files_get_a_chinese_message(self):
        self.login(self.alice)
        self.assertContains(self.upload(b""), "文件为空。")
        self.assertContains(self.upload(b"PK\x03\x04broken"), "无法读取 Excel 文件")

    def test_the_template_downloads(self):
        response = self.login(self.alice).get("/enterprises/import/template/")
        self.assertEqual(read_xlsx(response.content)[0], HEADERS)
        self.assertIn("filename*=utf-8''", response["Content-Disposition"])

    def test_roles_without_import_get_403(self):
        for user in (self.dave, self.gina, self.emma):
            self.login(user)
            self.assertEqual(self.client.get("/enterprises/import/").status_code, 403)
            self.assertEqual(self.client.get("/enterprises/import/template/").status_code, 403)
            self.assertEqual(self.upload(xlsx([row(1)])).status_code, 403)
        self.assertFalse(Enterprise.objects.filter(name__startswith="导入测试企业").exists())


def _named(content, name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(
        name, content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
