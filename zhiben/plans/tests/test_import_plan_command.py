"""`manage.py import_plan FILE [--year] [--dry-run] [--json] [--user]`: the dry run prints the task
list; without --dry-run `plan_import` saves it as a draft plan on the test database."""

import hashlib
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

import zhiben.plans
from zhiben.audit.models import AuditEvent
from zhiben.plans.models import Plan, Task
from zhiben.plans.parsing import JSON_KEYS
from zhiben.testing import CastTestCase

FIXTURES = Path(__file__).parent / "fixtures"
SEED_000 = FIXTURES / "000_a050215f287c916e.txt"
SEED_001 = FIXTURES / "001_7102c7c32a80523c.txt"
MANAGE = Path(zhiben.plans.__file__).resolve().parents[2] / "manage.py"


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_plan", *[str(a) for a in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_dry_run_json_prints_the_task_list():
    out, err = run(SEED_000, "--year", "2024", "--dry-run", "--json")
    tasks = json.loads(out)
    assert len(tasks) == 79
    assert all(tuple(t) == JSON_KEYS for t in tasks)
    assert tasks[0] == {
        "action": "一、开展重大安全风险源头管控行动",
        "key_task": "1.强化重大安全风险源头管控。",
        "content": "建立完善各类发展规划的安全风险评估会商机制，配合落实青凤科创园等重点区域安全生产禁止和限制类产业目录，严格安全准入。",
        "deadline_text": "2024年",
        "deadline": "2024-12-31",
        "recurrence": "once",
        "responsible": ["经发办"],
        "cooperating": [],
    }
    assert tasks[18]["deadline"] == ["2025-12-31", "2026-12-31"]
    assert tasks[5]["deadline"] is None and tasks[5]["recurrence"] == "ongoing"
    assert err == ""


def test_json_warnings_go_to_stderr():
    out, err = run(SEED_001, "--dry-run", "--json")
    assert len(json.loads(out)) == 55
    assert "警告：第1条任务（第28行）：未注明完成时间" in err


def test_year_option_and_default_detection(tmp_path):
    plan = tmp_path / "plan.txt"
    plan.write_text(
        "某镇安全生产工作方案（2025—2027年）\n\n"
        "\t序号\n\t工作任务\n\t完成时限\n\t责任单位\n\n\t1\n\t完善预案\n\t年底前\n\t应急办\n",
        encoding="utf-8",
    )
    assert json.loads(run(plan, "--dry-run", "--json")[0])[0]["deadline"] == "2025-12-31"
    assert json.loads(run(plan, "--dry-run", "--json", "--year", "2026")[0])[0]["deadline"] == "2026-12-31"


def test_human_output_lists_tasks_and_warnings():
    out, _ = run(SEED_001, "--dry-run")
    assert "方案：先锋镇安全生产专项整治三年行动工作方案　年度：2020　共 55 条任务" in out
    assert "【（一）学习贯彻习近平总书记关于安全生产重要论述专题】" in out
    assert "责任：镇应急办" in out
    assert "警告（" in out and "未注明完成时间" in out


def test_saving_needs_a_user():
    with pytest.raises(CommandError, match="--user"):
        run(SEED_000)


@pytest.mark.django_db
def test_saving_with_unknown_user():
    with pytest.raises(CommandError, match="用户不存在：nobody"):
        run(SEED_000, "--user", "nobody")


class SaveTests(CastTestCase):
    """Without --dry-run the plan is written by `plan_import` itself, as a draft in the user's region."""

    def test_saving_creates_a_draft_plan_with_its_tasks_and_an_audit_row(self):
        out, _ = run(SEED_000, "--user", "alice", "--json")
        printed = json.loads(out[: out.rindex("]") + 1])
        plan = Plan.objects.get()
        self.assertEqual(
            (plan.status, plan.region, plan.created_by, plan.source_filename),
            ("draft", self.county_a, self.alice, SEED_000.name),
        )
        self.assertEqual(plan.source_sha256, hashlib.sha256(SEED_000.read_bytes()).hexdigest())
        self.assertEqual((plan.start_year, plan.end_year), (2024, 2026))
        tasks = list(Task.objects.filter(plan=plan).order_by("sort"))
        self.assertEqual([t.content for t in tasks], [t["content"] for t in printed])
        self.assertEqual(len(tasks), 79)
        self.assertEqual(
            (tasks[0].deadline_text, tasks[0].due_dates, tasks[0].recurrence), ("2024年", ["2024-12-31"], "once")
        )
        self.assertTrue(tasks[0].source.startswith("第") and tasks[0].source.endswith("行"))
        self.assertEqual(tasks[18].due_dates, ["2025-12-31", "2026-12-31"])
        audit = AuditEvent.objects.get(action="plan.import")
        self.assertEqual((audit.actor, audit.object_id, audit.data["tasks"]), (self.alice, str(plan.pk), 79))
        self.assertIn(f"已导入：{plan}（79 条任务）", out)

    def test_a_user_who_may_not_manage_plans_is_refused_and_nothing_is_written(self):
        with self.assertRaisesMessage(CommandError, "只有安委办管理员可以导入行动方案"):
            run(SEED_000, "--user", "dave")
        self.assertFalse(Plan.objects.exists())


def test_missing_and_unreadable_files(tmp_path):
    with pytest.raises(CommandError, match="文件不存在"):
        run(tmp_path / "none.txt", "--dry-run")
    junk = tmp_path / "junk.docx"
    junk.write_bytes(b"\x00\xff" * 500)
    with pytest.raises(CommandError, match="不是有效的 Word"):
        run(junk, "--dry-run", "--json")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(CommandError, match="是空的"):
        run(empty, "--dry-run")


def test_exit_status_is_non_zero_on_bad_input(tmp_path):
    junk = tmp_path / "junk.txt"
    junk.write_bytes(bytes(range(256)) * 20)
    proc = subprocess.run(
        [sys.executable, str(MANAGE), "import_plan", str(junk), "--dry-run", "--json"],
        capture_output=True,
        text=True,
        cwd=MANAGE.parent,
        timeout=60,
    )
    assert proc.returncode != 0
    assert "不是文本文件" in proc.stderr
    assert proc.stdout == ""
