"""`manage.py import_ledger FILE [--dry-run] [--json] [--user NAME]`: one JSON object, Chinese errors;
a dry run writes nothing, a real import goes through `hazard_import_ledger` on the test database."""

import io
import json
import subprocess
import sys
import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from zhiben.audit.models import AuditEvent
from zhiben.hazards.models import Hazard, HazardEvent
from zhiben.testing import CastTestCase

from .ledger_fixtures import biff8_xls, csv_bytes, ledger_grid, ledger_xlsx

ROOT = Path(__file__).resolve().parents[3]
HEADERS = [
    "序号",
    "单位名称",
    "隐患内容",
    "隐患级别",
    "整改情况/整改措施",
    "整改情况/责任人",
    "整改情况/完成时限",
    "整改资金（万元）",
]


def good_ledger(tmp_path, name="台账.xlsx", enterprises=("甲公司", "乙公司")):
    path = tmp_path / name
    first, second = enterprises
    path.write_bytes(
        ledger_xlsx(
            HEADERS,
            [
                [1, first, "配电房无挡鼠板", "一般", "加装", "甲", "2024-06-30", "0.2"],
                [2, second, "氨站无喷淋", "重大", "增设喷淋", "乙", "2024-09-30", "3"],
            ],
            titles=["隐患排查治理台账"],
            numbering=True,
            footers=["填表人：     审核人："],
        )
    )
    return path


def run(*args):
    out = io.StringIO()
    call_command("import_ledger", *map(str, args), stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_dry_run_json_prints_exactly_one_object_and_writes_nothing(tmp_path):
    output = run(good_ledger(tmp_path), "--dry-run", "--json")
    payload = json.loads(output)
    assert list(payload) == ["mapping", "rows", "errors"]
    assert payload == {
        "mapping": {
            "序号": "seq",
            "单位名称": "enterprise",
            "隐患内容": "description",
            "隐患级别": "level",
            "整改情况/整改措施": "measures",
            "整改情况/责任人": "responsible_person",
            "整改情况/完成时限": "deadline",
            "整改资金（万元）": "funds",
        },
        "rows": 2,
        "errors": [],
    }
    assert not Hazard.objects.exists()


def test_dry_run_json_lists_row_errors_with_excel_row_numbers(tmp_path):
    path = tmp_path / "bad-rows.xlsx"
    path.write_bytes(
        ledger_xlsx(
            ["序号", "隐患描述", "隐患等级", "整改期限", "整改资金"],
            [[1, "甲", "一般", "2024-05-01", "100"], [2, "", "较大", "不知道", "很多"]],
            titles=["台账"],
        )
    )
    payload = json.loads(run(path, "--dry-run", "--json"))
    assert payload["rows"] == 2
    assert [(e["row"], e["column"]) for e in payload["errors"]] == [
        (4, "隐患描述"),
        (4, "隐患等级"),
        (4, "整改期限"),
        (4, "整改资金"),
    ]
    assert all(set(e) == {"row", "column", "message"} for e in payload["errors"])


@pytest.mark.parametrize(
    "name, data",
    [
        ("empty.xlsx", b""),
        ("corrupt.xlsx", b"PK\x03\x04broken"),
        ("notes.csv", "只是一些文字\n".encode()),
    ],
)
def test_a_bad_file_prints_json_errors_and_fails(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    out = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import_ledger", str(path), "--dry-run", "--json", stdout=out)
    payload = json.loads(out.getvalue())
    assert payload["mapping"] == {} and payload["rows"] == 0
    assert payload["errors"][0]["row"] is None and payload["errors"][0]["message"] == str(caught.value)


def test_a_missing_file_is_a_chinese_error(tmp_path):
    with pytest.raises(CommandError, match="文件不存在"):
        run(tmp_path / "nope.xlsx", "--dry-run")


def test_human_readable_dry_run(tmp_path):
    output = run(good_ledger(tmp_path), "--dry-run")
    assert "表头在第 2、3 行" in output and "隐患内容 → description（隐患描述）" in output and "数据行：2 行" in output


def test_without_dry_run_a_user_is_required(tmp_path):
    with pytest.raises(CommandError, match="--user"):
        run(good_ledger(tmp_path))


@pytest.mark.django_db
def test_an_unknown_user_is_refused_before_the_file_is_read(tmp_path):
    with pytest.raises(CommandError, match="用户“nobody”不存在"):
        run(tmp_path / "never-read.xlsx", "--user", "nobody")


class WriteTests(CastTestCase):
    """Without --dry-run the rows are written by the import service itself: hazards, events, audit rows."""

    def setUp(self):
        scratch = tempfile.TemporaryDirectory()
        self.addCleanup(scratch.cleanup)
        self.tmp_path = Path(scratch.name)

    def test_the_rows_become_hazards_with_their_fields_and_an_audit_row_each(self):
        path = good_ledger(self.tmp_path, enterprises=("凤凰化工有限公司", "凤凰建设有限公司"))
        payload = json.loads(run(path, "--json", "--user", "alice"))
        self.assertEqual((payload["rows"], payload["created"], payload["errors"]), (2, 2, []))
        first, second = Hazard.objects.order_by("source_ref")
        self.assertEqual(
            (first.enterprise, first.description, first.level, first.measures, first.responsible_person),
            (self.enterprise_a, "配电房无挡鼠板", "general", "加装", "甲"),
        )
        self.assertEqual((first.deadline, first.funds, first.source_ref), (date(2024, 6, 30), Decimal("2000.00"), "1"))
        self.assertEqual(
            (second.enterprise, second.level, second.deadline, second.funds),
            (self.enterprise_a_construction, "major", date(2024, 9, 30), Decimal("30000.00")),
        )
        self.assertTrue(
            all(
                h.status == "verified" and h.created_by == self.alice and h.region_id == h.enterprise.region_id
                for h in (first, second)
            )
        )
        self.assertEqual(HazardEvent.objects.filter(action="import").count(), 2)
        audit = AuditEvent.objects.get(action="hazard.import")
        self.assertEqual(
            (audit.actor, audit.data["source"], audit.data["records"]),
            (self.alice, "台账.xlsx", [[5, first.pk, first.number], [6, second.pk, second.number]]),
        )

    def test_the_human_readable_output_counts_the_hazards(self):
        path = good_ledger(self.tmp_path, enterprises=("凤凰化工有限公司", "凤凰化工有限公司"))
        self.assertIn("已导入 2 条隐患。", run(path, "--user", "alice"))
        self.assertEqual(Hazard.objects.filter(enterprise=self.enterprise_a).count(), 2)

    def test_rows_with_errors_are_not_written(self):
        path = self.tmp_path / "bad.csv"
        path.write_bytes(csv_bytes([["序号", "隐患描述", "整改期限"], ["1", "", "2024-05-01"]]))
        with self.assertRaisesMessage(CommandError, "未写入"):
            run(path, "--user", "alice")
        self.assertFalse(Hazard.objects.exists())

    def test_what_the_service_refuses_is_reported_in_json_and_nothing_is_written(self):
        path = good_ledger(self.tmp_path, enterprises=("凤凰化工有限公司", "凤凰建设有限公司"))
        out = io.StringIO()
        with self.assertRaisesMessage(CommandError, "导入失败"):
            call_command("import_ledger", str(path), "--json", "--user", "charlie", stdout=out)  # county B's admin
        errors = json.loads(out.getvalue())["errors"]
        self.assertEqual([(e["row"], e["column"]) for e in errors], [(5, "单位名称"), (6, "单位名称")])
        self.assertIn("不在您的管辖范围内", errors[0]["message"])
        self.assertFalse(Hazard.objects.exists())
        self.assertFalse(AuditEvent.objects.filter(action="hazard.import").exists())

    def test_a_user_without_the_import_capability_is_refused(self):
        with self.assertRaisesMessage(CommandError, "无权导入"):
            run(good_ledger(self.tmp_path, enterprises=("凤凰化工有限公司", "凤凰建设有限公司")), "--user", "dave")
        self.assertFalse(Hazard.objects.exists())


def test_the_real_command_line_exit_codes_and_stdout(tmp_path):
    good = good_ledger(tmp_path)
    rows, merges = ledger_grid(
        HEADERS, [[1, "甲公司", "配电房无挡鼠板", "一般", "加装", "甲", 45473, "0.2"]], titles=["台账"]
    )
    old = tmp_path / "old.xls"
    old.write_bytes(biff8_xls(rows, merges))
    fake = tmp_path / "report.xlsx"
    fake.write_bytes(b"%PDF-1.4 not a workbook")
    manage = [sys.executable, str(ROOT / "manage.py"), "import_ledger"]
    for path, code in ((good, 0), (old, 0), (fake, 1)):
        done = subprocess.run(
            [*manage, str(path), "--dry-run", "--json"], capture_output=True, text=True, cwd=ROOT, timeout=60
        )
        assert done.returncode == code, done.stderr
        payload = json.loads(done.stdout)  # exactly one JSON object, nothing else on stdout
        assert set(payload) == {"mapping", "rows", "errors"}
    assert "PDF 文件已损坏" in payload["errors"][0]["message"]
