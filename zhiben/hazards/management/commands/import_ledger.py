"""`python manage.py import_ledger FILE [--dry-run] [--json] [--user NAME] [--historic]`: import a hazard ledger.

With --dry-run nothing is written: the command reads the file, maps its columns and checks every
row. Without it the rows are written by `hazard_import_ledger` as --user (all or nothing, audited,
like the import page): they enter the workflow at the state that user may create. With --historic
(an 安委办管理员 only) the ledger is an archive: rows keep their recorded states and are marked
historic, out of on-time/overdue figures. With --json it prints exactly one JSON object on stdout:
{"mapping": {original header: field or null}, "rows": N, "errors": [{"row", "column", "message"} (and "sheet" when
several sheets under the same header were read as one ledger)]}
(plus "created": N after a write).
Exit status: 0 when the file was read (row errors, if any, are in "errors"), 1 when the file is not
a usable ledger, when a write was refused, or when rows had errors on a real import.
"""

import json
import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from zhiben.core.exceptions import ApplicationError
from zhiben.hazards.ledger import FIELD_LABELS, parse_ledger
from zhiben.hazards.services import hazard_import_ledger


def _actor(username):
    try:
        return get_user_model().objects.get(username=username)
    except get_user_model().DoesNotExist:
        raise CommandError(f"用户“{username}”不存在。") from None


class Command(BaseCommand):
    requires_system_checks = []  # reading a file needs no project checks; the import service checks what it writes
    help = "导入隐患台账（.xlsx/.xls/.csv 或 Word 表格 .docx/.doc、PDF 表格）：自动识别表头、逐行校验；--dry-run 只检查不写入，--json 输出机器可读结果。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="台账文件路径")
        parser.add_argument("--dry-run", action="store_true", help="只识别和校验，不写入任何数据")
        parser.add_argument("--json", action="store_true", help="输出一个 JSON 对象：mapping、rows、errors")
        parser.add_argument("--user", help="以该用户的身份写入（不加 --dry-run 时必填）")
        parser.add_argument(
            "--historic",
            action="store_true",
            help="历史台账：保留台账中的整改、销号状态，标记为历史记录，不计入按期/逾期统计（仅安委办管理员）",
        )

    def handle(self, *args, **options):
        path, as_json = options["file"], options["json"]
        actor = None
        if not options["dry_run"]:
            if not options["user"]:
                raise CommandError("写入需要用 --user 指定操作人（或加 --dry-run 只做检查）。")
            actor = _actor(options["user"])
        try:
            if not os.path.isfile(path):
                raise ApplicationError(f"文件不存在：{path}")
            result = parse_ledger(path, os.path.basename(path))
        except ApplicationError as exc:
            self._emit(
                as_json, {"mapping": {}, "rows": 0, "errors": [{"row": None, "column": None, "message": exc.message}]}
            )
            raise CommandError(exc.message) from None
        if options["dry_run"]:
            self._emit(as_json, result.as_json(), result)
            return
        if result.errors:
            self._emit(as_json, result.as_json(), result)
            raise CommandError(f"台账有 {len(result.errors)} 处错误，未写入任何数据。")
        try:
            outcome = hazard_import_ledger(
                actor=actor,
                rows=result.rows,
                source_name=os.path.basename(path),
                historic=options["historic"],
                columns=result.headers(),
            )
        except ApplicationError as exc:
            self._emit(
                as_json,
                {**result.as_json(), "errors": exc.errors or [{"row": None, "column": None, "message": exc.message}]},
            )
            raise CommandError(exc.message) from None
        if as_json:
            self.stdout.write(
                json.dumps({**result.as_json(), "created": outcome["created"]}, ensure_ascii=False, default=str)
            )
        else:
            self.stdout.write(f"已导入 {outcome['created']} 条隐患。")

    def _emit(self, as_json, payload, result=None):
        if as_json:
            self.stdout.write(json.dumps(payload, ensure_ascii=False, default=str))
            return
        if result is not None:
            rows = "、".join(str(n) for n in result.header_rows)
            self.stdout.write(f"工作表：{result.sheet}，表头在第 {rows} 行。")
            self.stdout.write("列识别：")
            for header, field in payload["mapping"].items():
                label = FIELD_LABELS.get(field, "未识别，不导入") if field else "未识别，不导入"
                self.stdout.write(f"  {header.replace(chr(10), ' ')} → {field or '-'}（{label}）")
            self.stdout.write(f"数据行：{payload['rows']} 行。")
        errors = payload["errors"]
        if errors:
            self.stdout.write(f"错误 {len(errors)} 处：")
            for e in errors:
                where = "、".join(
                    x
                    for x in (
                        f"工作表“{e['sheet']}”" if e.get("sheet") else "",
                        f"第 {e['row']} 行" if e["row"] else "",
                        f"“{e['column']}”列" if e["column"] else "",
                    )
                    if x
                )
                self.stdout.write(f"  {where + '：' if where else ''}{e['message']}")
        elif result is not None:
            self.stdout.write("未发现错误。")
