from django.core.management.base import BaseCommand, CommandError

from zhiben.core.excel import read_table
from zhiben.core.exceptions import ApplicationError
from zhiben.hazards.criteria import criteria_import


class Command(BaseCommand):
    help = "从 Excel/CSV 导入重大事故隐患判定标准条款（列：标准代码、版本、标准名称、文号、施行日期、部分、条款号、条款内容）。"

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        try:
            _, headers, rows = read_table(file)
            result = criteria_import(headers=headers, rows=rows)
        except ApplicationError as exc:
            for error in exc.errors:
                self.stderr.write(f"第 {error['row']} 行 [{error['column']}]：{error['message']}")
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"已导入：标准 {result['standards']} 个（新增 {result['new_standards']}），条款 {result['items']} 条。"
        )
