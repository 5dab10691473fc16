"""./manage.py import_enterprises FILE --user USERNAME: the Excel import of the web page, from a shell."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhiben.accounts.models import User
from zhiben.core.excel import sheets_read
from zhiben.core.exceptions import ApplicationError
from zhiben.enterprises.importers import import_file

SHOWN_ERRORS = 200


class Command(BaseCommand):
    help = "从 Excel（.xlsx/.xls）或 CSV 文件导入生产经营单位：全部校验通过才写入，否则逐行列出错误。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="要导入的文件")
        parser.add_argument("--user", required=True, help="以此用户的身份和管辖范围导入（记入审计日志）")

    def handle(self, *args, file, user, **options):
        actor = User.objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"用户“{user}”不存在或已停用。")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在：{file}")
        sheets = []
        try:
            result = import_file(actor=actor, source=path, filename=path.name, sheets=sheets)
        except ApplicationError as exc:
            self._tell_sheets(sheets)
            for error in exc.errors[:SHOWN_ERRORS]:
                self.stderr.write(f"第 {error['row']} 行［{error['column']}］{error['message']}")
            if len(exc.errors) > SHOWN_ERRORS:
                self.stderr.write(f"……另有 {len(exc.errors) - SHOWN_ERRORS} 处错误")
            raise CommandError(exc.message) from exc
        self.stdout.write(self.style.SUCCESS(f"导入成功：新增 {result['created']} 家生产经营单位。"))
        self._tell_sheets(sheets)

    def _tell_sheets(self, sheets):
        """The sheets read (when more than one) and those left out, as the web page tells them (`core.views.tell_sheets`)."""
        if read := sheets_read(sheets):
            self.stdout.write(read)
        for sheet in sheets:
            if sheet.left_out:
                self.stderr.write(self.style.WARNING(sheet.left_out))
