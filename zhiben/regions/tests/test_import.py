"""Region import: the service's rules, CSV/Excel reading, the page and the command."""

import tempfile
from io import StringIO
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from zhiben.accounts.choices import Role
from zhiben.audit.models import AuditEvent
from zhiben.core.excel import write_xlsx
from zhiben.core.exceptions import ApplicationError
from zhiben.regions.importers import read_region_rows
from zhiben.regions.models import Region
from zhiben.regions.services import region_import
from zhiben.testing import CastTestCase, make_user

GOOD_CSV = "区划代码,名称\n500106107,井口镇\n500106107001,井口社区\n500106107002,南溪村\n".encode()


def messages_of(exc):
    return [(e["row"], e["column"], e["message"]) for e in exc.errors]


class RegionImportServiceTests(CastTestCase):
    def test_it_creates_regions_with_padded_codes_levels_and_parents(self):
        result = region_import(actor=self.sam, rows=[(2, "500106107001", "井口社区"), (3, "500106107", "井口镇")])
        self.assertEqual(result, {"created": 2, "renamed": 0, "unchanged": 0})
        town = Region.objects.get(code="500106107000")
        village = Region.objects.get(code="500106107001")
        self.assertEqual((town.level, town.parent_id, town.name), (4, self.county_a.code, "井口镇"))
        self.assertEqual((village.level, village.parent_id), (5, town.code))
        event = AuditEvent.objects.get(action="region.import")
        self.assertEqual(
            (event.actor_id, event.data["created"], event.region_code), (self.sam.pk, 2, self.county_a.code)
        )

    def test_it_renames_existing_codes_and_is_repeatable(self):
        rows = [(2, "500106105", "凤凰镇（新）"), (3, "500106105002", "凤凰村")]
        self.assertEqual(region_import(actor=self.sam, rows=rows), {"created": 0, "renamed": 1, "unchanged": 1})
        self.assertEqual(Region.objects.get(code="500106105000").name, "凤凰镇（新）")
        self.assertEqual(region_import(actor=self.sam, rows=rows), {"created": 0, "renamed": 0, "unchanged": 2})

    def assert_fails(self, rows, *expected, actor="sam", columns=None):
        before = Region.objects.count()
        with self.assertRaises(ApplicationError) as caught:
            region_import(actor=self.sam if actor == "sam" else actor, rows=rows, columns=columns)
        self.assertIn("未写入任何数据", caught.exception.message)
        self.assertEqual(Region.objects.count(), before)
        found = messages_of(caught.exception)
        for row, column, fragment in expected:
            self.assertTrue(
                any(r == row and c == column and fragment in m for r, c, m in found), (row, column, fragment, found)
            )
        return found

    def test_a_bad_code_names_row_and_column(self):
        self.assert_fails(
            [(2, "500106107", "井口镇"), (3, "50010X", "坏代码"), (4, "5001061", "七位")],
            (3, "区划代码", "“50010X”无效"),
            (4, "区划代码", "“5001061”无效"),
        )

    def test_the_file_column_name_is_used(self):
        self.assert_fails(
            [(2, "", "无代码"), (3, "500106107", "")],
            (2, "code", "区划代码不能为空"),
            (3, "name", "名称不能为空"),
            columns={"code": "code", "name": "name"},
        )

    def test_a_missing_parent_is_refused(self):
        self.assert_fails([(2, "500106199001", "无上级村")], (2, "区划代码", "上级区划 500106199000 不存在"))

    def test_levels_must_be_consistent(self):
        self.assert_fails(
            [(2, "500106000001", "挂在区县下的村")], (2, "区划代码", "上级段 500106000000 应为镇街，实际为区县")
        )
        self.assert_fails([(2, "500006", "市段为00的区县")], (2, "区划代码", "层级不一致"), actor=None)

    def test_duplicate_rows_are_refused(self):
        self.assert_fails([(2, "500106107", "井口镇"), (3, "500106107000", "井口镇")], (3, "区划代码", "与第 2 行重复"))

    def test_one_bad_row_writes_nothing(self):
        self.assert_fails(
            [(2, "500106107", "井口镇"), (3, "500106107001", "井口社区"), (4, "abc", "坏")], (4, "区划代码", "无效")
        )
        self.assertFalse(Region.objects.filter(code="500106107000").exists())

    def test_it_stays_inside_the_actors_jurisdiction(self):
        self.assert_fails([(2, "500107102", "九龙坡的镇")], (2, "区划代码", "不在您的管辖范围内"))
        charlie_admin = make_user("sam_b", Role.SYS_ADMIN, self.county_b)
        self.assert_fails([(2, "500106105", "改名凤凰镇")], (2, "区划代码", "不在您的管辖范围内"), actor=charlie_admin)

    def test_only_the_system_admin_imports(self):
        for user in (self.alice, self.sid, self.aud, self.charlie):
            with self.assertRaises(ApplicationError):
                region_import(actor=user, rows=[(2, "500106107", "井口镇")])


class RegionFileTests(CastTestCase):
    def test_it_reads_csv_with_chinese_headers(self):
        rows, columns = read_region_rows(GOOD_CSV, filename="regions.csv")
        self.assertEqual(rows[0], (2, "500106107", "井口镇"))
        self.assertEqual(columns, {"code": "区划代码", "name": "名称"})

    def test_it_reads_the_statistics_bureau_table_under_its_title(self):
        data = (
            "2023年统计用区划代码和城乡划分代码（沙坪坝区）,,\n"
            "单位：沙坪坝区统计局,,2023年12月31日\n"
            "统计用区划代码,城乡分类代码,名称\n"
            "500106107000,,井口镇\n"
            "500106107001,111,井口社区\n"
            "注：城乡分类代码见国家统计局说明。,,\n"
        ).encode("gb18030")
        rows, columns = read_region_rows(data, filename="regions.csv")
        self.assertEqual(rows, [(4, "500106107000", "井口镇"), (5, "500106107001", "井口社区")])
        self.assertEqual(columns, {"code": "统计用区划代码", "name": "名称"})

    def test_it_reads_gb18030_csv(self):
        rows, _ = read_region_rows(GOOD_CSV.decode().encode("gb18030"), filename="regions.csv")
        self.assertEqual(rows[1][2], "井口社区")

    def test_it_reads_excel_with_english_headers_and_numeric_codes(self):
        data = write_xlsx(["code", "name"], [[500106107, "井口镇"], [500106107001, "井口社区"]])
        rows, columns = read_region_rows(data, filename="regions.xlsx")
        self.assertEqual(rows, [(2, "500106107", "井口镇"), (3, "500106107001", "井口社区")])
        self.assertEqual(columns, {"code": "code", "name": "name"})

    def test_an_empty_file_is_refused(self):
        for data, message in ((b"", "文件为空"), ("区划代码,名称\n".encode(), "没有数据行")):
            with self.assertRaises(ApplicationError) as caught:
                read_region_rows(data, filename="regions.csv")
            self.assertIn(message, caught.exception.message)

    def test_missing_columns_are_named(self):
        with self.assertRaises(ApplicationError) as caught:
            read_region_rows("代码,备注\n500106107,x\n".encode(), filename="regions.csv")
        self.assertIn("名称", caught.exception.message)


class RegionImportPageTests(CastTestCase):
    def upload(self, data, name="regions.csv"):
        return self.client.post("/regions/import/", {"file": SimpleUploadedFile(name, data)})

    def test_the_system_admin_imports_a_good_file(self):
        self.login(self.sam)
        self.assertEqual(self.client.get("/regions/import/").status_code, 200)
        response = self.upload(GOOD_CSV)
        self.assertRedirects(response, "/regions/", fetch_redirect_response=False)
        self.assertTrue(Region.objects.filter(code="500106107002", name="南溪村").exists())
        self.assertContains(self.client.get("/regions/"), "导入完成：新增 3 个")

    def test_a_bad_file_lists_errors_by_row_and_column(self):
        self.login(self.sam)
        response = self.upload("区划代码,名称\n500106107,井口镇\n500106199001,无上级\n500106107,重复\n".encode())
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "第 3 行")
        self.assertContains(response, "上级区划 500106199000 不存在")
        self.assertContains(response, "与第 2 行重复")
        self.assertFalse(Region.objects.filter(code="500106107000").exists())

    def test_an_empty_or_wrong_file_shows_the_error_next_to_the_field(self):
        self.login(self.sam)
        response = self.upload(b"")
        self.assertIn("file", response.context["form"].errors)
        response = self.upload(b"\x00\x01garbage", name="regions.pdf")
        self.assertIn("file", response.context["form"].errors)
        self.assertContains(response, 'class="fielderror"')

    def test_only_the_system_admin_opens_the_page(self):
        for user in (self.alice, self.charlie, self.sid, self.aud, self.dave):
            self.assertEqual(self.login(user).get("/regions/import/").status_code, 403, user.username)

    def test_it_hides_other_jurisdictions(self):
        # a county-B system admin cannot import (or rename) county A's regions
        self.login(make_user("sam_b", Role.SYS_ADMIN, self.county_b))
        response = self.upload("区划代码,名称\n500106105,改名\n".encode())
        self.assertContains(response, "不在您的管辖范围内")
        self.assertEqual(Region.objects.get(code="500106105000").name, "凤凰镇")


class ImportRegionsCommandTests(CastTestCase):
    def write(self, data, suffix=".csv"):
        with tempfile.NamedTemporaryFile(suffix=suffix, delete=False) as handle:
            handle.write(data)
        self.addCleanup(Path(handle.name).unlink)
        return handle.name

    def test_it_imports_a_file(self):
        out = StringIO()
        call_command("import_regions", self.write(GOOD_CSV), stdout=out)
        self.assertIn("新增 3 个", out.getvalue())
        self.assertEqual(Region.objects.get(code="500106107001").parent_id, "500106107000")
        self.assertIsNone(AuditEvent.objects.get(action="region.import").actor_id)

    def test_it_imports_excel(self):
        path = self.write(write_xlsx(["区划代码", "名称"], [["500106107", "井口镇"]]), suffix=".xlsx")
        call_command("import_regions", path, stdout=StringIO())
        self.assertTrue(Region.objects.filter(code="500106107000").exists())

    def test_errors_are_printed_and_fail_the_command(self):
        err = StringIO()
        with self.assertRaises(CommandError):
            call_command(
                "import_regions", self.write("区划代码,名称\nabc,坏\n".encode()), stdout=StringIO(), stderr=err
            )
        self.assertIn("第 2 行［区划代码］", err.getvalue())

    def test_a_missing_file_fails_cleanly(self):
        with self.assertRaises(CommandError):
            call_command("import_regions", "/nonexistent/regions.csv", stdout=StringIO())


class ChildCodesCacheTests(CastTestCase):
    """A dashboard asks a region's children once per process; a region created, imported or deleted is seen
    at once."""

    def test_children_follow_creation_import_and_deletion(self):
        from zhiben.regions.models import Region
        from zhiben.regions.selectors import child_codes

        county = self.alice.region_id
        before = child_codes(county)
        self.assertEqual(before, sorted(Region.objects.filter(parent_id=county).values_list("code", flat=True)))
        region_import(actor=self.sam, rows=[(2, "500106107000", "井口镇")])  # a bulk insert: no signals
        self.assertIn("500106107000", child_codes(county))
        Region.objects.get(code="500106107000").delete()
        self.assertEqual(child_codes(county), before)
        town = Region.objects.create(code="500106108000", name="歌乐山镇", level=4, parent_id=county)
        self.assertIn(town.code, child_codes(county))
        self.assertEqual(child_codes(town.code), [])
