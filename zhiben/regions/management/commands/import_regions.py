from django.core.management.base import BaseCommand, CommandError

from zhiben.core.exceptions import ApplicationError
from zhiben.regions.importers import read_region_rows
from zhiben.regions.services import region_import


class Command(BaseCommand):
    help = (
        "从 CSV 或 Excel 文件导入行政区划（列：区划代码/code、名称/name）；全部校验通过才写入，已有代码按新名称更名。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV（UTF-8 或 GB18030）、.xlsx 或 .xls 文件")

    def handle(self, *args, file, **options):
        try:
            rows, columns = read_region_rows(file, filename=file)
            result = region_import(actor=None, rows=rows, columns=columns)
        except FileNotFoundError as exc:
            raise CommandError(f"文件不存在：{file}") from exc
        except ApplicationError as exc:
            for error in exc.errors[:200]:
                self.stderr.write(f"第 {error['row']} 行［{error['column']}］{error['message']}")
            if len(exc.errors) > 200:
                self.stderr.write(f"……另有 {len(exc.errors) - 200} 处错误")
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"导入完成：新增 {result['created']} 个，更名 {result['renamed']} 个，未变 {result['unchanged']} 个。"
        )
