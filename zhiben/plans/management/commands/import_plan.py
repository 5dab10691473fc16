"""`python manage.py import_plan FILE [--year 2024] [--dry-run] [--json] [--user NAME]`.

Extracts the task list of a plan document and prints it (a table, or with --json the task dicts on
stdout and the warnings on stderr). Without --dry-run the plan is then saved as a draft by
`plan_import` as --user, in the user's own region, exactly like the import page.
"""

import hashlib
import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from zhiben.core.exceptions import ApplicationError
from zhiben.plans.parsing import parse_plan
from zhiben.plans.services import plan_import

RECURRENCE_LABELS = {
    "once": "一次性",
    "yearly": "每年",
    "semiannual": "每半年",
    "quarterly": "每季度",
    "monthly": "每月",
    "ongoing": "长期",
}


class Command(BaseCommand):
    help = (
        "从行动方案文件（.txt、Word、Excel、PDF）中提取任务清单（行动 → 重点任务 → 具体任务、完成时间、责任单位、配合单位）。"
        "加 --dry-run 只预览不保存；加 --json 输出机器可读的任务列表。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="方案文件路径（.txt、.docx/.doc/.wps/.rtf、.xlsx/.xls/.ods、.pdf）")
        parser.add_argument(
            "--year", type=int, help="方案年度，用于解析“年底前”“12月”等；默认从文件识别，识别不到用当年"
        )
        parser.add_argument("--dry-run", action="store_true", help="只提取并输出，不写入数据库")
        parser.add_argument("--json", action="store_true", help="以 JSON 列表输出任务（警告写到标准错误）")
        parser.add_argument("--user", help="导入人用户名（保存时必填）")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        actor = None if options["dry_run"] else self._actor(options["user"])
        try:
            data = path.read_bytes()
            result = parse_plan(data, path.name, year=options["year"])
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        except OSError as exc:
            raise CommandError(f"无法读取文件“{path.name}”：{exc.strerror or exc}") from exc

        if options["json"]:
            self.stdout.write(json.dumps(result.as_dicts(), ensure_ascii=False, indent=2))
            for warning in result.warnings:
                self.stderr.write(f"警告：{warning}")
        else:
            self._print_table(result)
        if actor is None:
            return
        try:
            tasks = [{**task.as_dict(), "source": task.source} for task in result.tasks]
            plan = plan_import(
                actor=actor,
                tasks=tasks,
                parse=result,
                year=result.year,
                title=result.title,
                filename=path.name,
                warnings=result.warnings,
                sha256=hashlib.sha256(data).hexdigest(),
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"已导入：{plan}（{len(result.tasks)} 条任务）")

    def _print_table(self, result):
        self.stdout.write(f"方案：{result.title or '（未识别）'}　年度：{result.year}　共 {len(result.tasks)} 条任务")
        action = key = None
        for task in result.tasks:
            if task.action != action:
                action, key = task.action, None
                self.stdout.write(f"\n【{action or '（未分行动）'}】")
            if task.key_task != key:
                key = task.key_task
                if key:
                    self.stdout.write(f"  ▶ {key}")
            deadline = task.deadline.as_json()
            if isinstance(deadline, list):
                deadline = "、".join(deadline)
            when = "；".join(x for x in (deadline, RECURRENCE_LABELS.get(task.recurrence or "", "")) if x) or "—"
            self.stdout.write(f"    {task.row}. {task.content}")
            self.stdout.write(
                f"       完成时间：{task.deadline_text or '—'}（{when}）"
                f"　责任：{'、'.join(task.responsible) or '—'}"
                f"　配合：{'、'.join(task.cooperating) or '—'}"
            )
        if result.warnings:
            self.stdout.write(f"\n警告（{len(result.warnings)} 条）：")
            for warning in result.warnings:
                self.stdout.write(f"  - {warning}")

    def _actor(self, username):
        """The importing user, checked before anything is parsed."""
        if not username:
            raise CommandError("保存时请用 --user 指定导入人用户名。")
        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist as exc:
            raise CommandError(f"用户不存在：{username}") from exc
