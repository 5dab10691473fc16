"""`python manage.py import_criteria FILE [--user NAME]`: import 判定标准 items.

Without --user the operator imports into the national catalogue; with it, the rows are imported as
that user would on the criteria page (a 安委办管理员: local items under its own region only)."""

import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from zhiben.core.excel import read_table
from zhiben.core.exceptions import ApplicationError
from zhiben.hazards.criteria import criteria_import, header_fields


class Command(BaseCommand):
    help = (
        "从 Excel/CSV 导入重大事故隐患判定标准条款（列：标准代码、版本、标准名称、文号、施行日期、部分、条款号、条款内容）。"
        "不加 --user 时导入国家标准目录；加 --user 时以该用户身份导入本地细则。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--user", help="以该用户的身份导入（安委办管理员：本辖区地方细则）")

    def handle(self, *args, file, **options):
        actor = None
        if options.get("user"):
            try:
                actor = get_user_model().objects.get(username=options["user"])
            except get_user_model().DoesNotExist:
                raise CommandError(f"用户“{options['user']}”不存在。") from None
        try:
            _, headers, rows = read_table(file, columns=header_fields)
            result = criteria_import(actor=actor, headers=headers, rows=rows, source_name=os.path.basename(file))
        except ApplicationError as exc:
            for error in exc.errors:
                self.stderr.write(f"第 {error['row']} 行 [{error['column']}]：{error['message']}")
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"已导入：标准 {result['standards']} 个（新增 {result['new_standards']}），条款 {result['items']} 条。"
        )
