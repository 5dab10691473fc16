"""`manage.py import_ledger FILE --dry-run --json`: one JSON object, nothing written, Chinese errors."""

import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from zhiben.hazards.management.commands import import_ledger

from .ledger_fixtures import biff8_xls, csv_bytes, ledger_grid, ledger_xlsx

ROOT = Path(__file__).resolve().parents[3]
HEADERS = ["序号", "单位名称", "隐患内容", "隐患级别", "整改情况/整改措施", "整改情况/责任人", "整改情况/完成时限", "整改资金（万元）"]


def good_ledger(tmp_path, name="台账.xlsx"):
    path = tmp_path / name
    path.write_bytes(ledger_xlsx(HEADERS, [[1, "甲公司", "配电房无挡鼠板", "一般", "加装", "甲", "2024-06-30", "0.2"],
                                           [2, "乙公司", "氨站无喷淋", "重大", "增设喷淋", "乙", "2024-09-30", "3"]],
                                 titles=["隐患排查治理台账"], numbering=True, footers=["填表人：     审核人："]))
    return path


def run(*args):
    out = __import__("io").StringIO()
    call_command("import_ledger", *map(str, args), stdout=out)
    return out.getvalue()


@pytest.fixture
def writer(monkeypatch):
    calls = []

    def fake(*, actor, rows):
        calls.append((actor, rows))
        return {"created": len(rows)}

    monkeypatch.setattr(import_ledger, "_writer", lambda: fake)
    monkeypatch.setattr(import_ledger, "_actor", lambda username: SimpleNamespace(username=username))
    return calls


def test_dry_run_json_prints_exactly_one_object_and_writes_nothing(tmp_path, writer):
    output = run(good_ledger(tmp_path), "--dry-run", "--json")
    payload = json.loads(output)
    assert list(payload) == ["mapping", "rows", "errors"]
    assert payload == {
        "mapping": {"序号": "seq", "单位名称": "enterprise", "隐患内容": "description", "隐患级别": "level",
                    "整改情况/整改措施": "measures", "整改情况/责任人": "responsible_person",
                    "整改情况/完成时限": "deadline", "整改资金（万元）": "funds"},
        "rows": 2,
        "errors": [],
    }
    assert writer == []


def test_dry_run_json_lists_row_errors_with_excel_row_numbers(tmp_path, writer):
    path = tmp_path / "bad-rows.xlsx"
    path.write_bytes(ledger_xlsx(["序号", "隐患描述", "隐患等级", "整改期限", "整改资金"],
                                 [[1, "甲", "一般", "2024-05-01", "100"], [2, "", "较大", "不知道", "很多"]], titles=["台账"]))
    payload = json.loads(run(path, "--dry-run", "--json"))
    assert payload["rows"] == 2
    assert [(e["row"], e["column"]) for e in payload["errors"]] == [(4, "隐患描述"), (4, "隐患等级"), (4, "整改期限"), (4, "整改资金")]
    assert all(set(e) == {"row", "column", "message"} for e in payload["errors"])
    assert writer == []


@pytest.mark.parametrize("name, data", [
    ("empty.xlsx", b""),
    ("corrupt.xlsx", b"PK\x03\x04broken"),
    ("notes.csv", "只是一些文字\n".encode()),
])
def test_a_bad_file_prints_json_errors_and_fails(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    out = __import__("io").StringIO()
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


def test_without_dry_run_the_import_service_gets_the_actor_and_the_rows(tmp_path, writer):
    output = run(good_ledger(tmp_path), "--json", "--user", "alice")
    assert json.loads(output)["created"] == 2
    (actor, rows), = writer
    assert actor.username == "alice"
    assert [r["description"] for r in rows] == ["配电房无挡鼠板", "氨站无喷淋"]


def test_without_dry_run_rows_with_errors_are_not_written(tmp_path, writer):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes([["序号", "隐患描述", "整改期限"], ["1", "", "2024-05-01"]]))
    with pytest.raises(CommandError, match="未写入"):
        run(path, "--user", "alice")
    assert writer == []


def test_without_dry_run_a_user_is_required(tmp_path, writer):
    with pytest.raises(CommandError, match="--user"):
        run(good_ledger(tmp_path))


def test_without_the_import_service_writing_is_refused_in_chinese(tmp_path, monkeypatch):
    monkeypatch.setattr(import_ledger, "import_module", lambda name: SimpleNamespace())
    with pytest.raises(CommandError, match="暂不支持写入"):
        run(good_ledger(tmp_path), "--user", "alice")


def test_the_real_command_line_exit_codes_and_stdout(tmp_path):
    good = good_ledger(tmp_path)
    rows, merges = ledger_grid(HEADERS, [[1, "甲公司", "配电房无挡鼠板", "一般", "加装", "甲", 45473, "0.2"]], titles=["台账"])
    old = tmp_path / "old.xls"
    old.write_bytes(biff8_xls(rows, merges))
    fake = tmp_path / "report.xlsx"
    fake.write_bytes(b"%PDF-1.4 not a workbook")
    manage = [sys.executable, str(ROOT / "manage.py"), "import_ledger"]
    for path, code in ((good, 0), (old, 0), (fake, 1)):
        done = subprocess.run([*manage, str(path), "--dry-run", "--json"], capture_output=True, text=True, cwd=ROOT, timeout=60)
        assert done.returncode == code, done.stderr
        payload = json.loads(done.stdout)  # exactly one JSON object, nothing else on stdout
        assert set(payload) == {"mapping", "rows", "errors"}
    assert payload["errors"][0]["message"].startswith("这是 PDF 文件")
