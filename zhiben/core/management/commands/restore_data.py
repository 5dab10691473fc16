from django.core.management.base import BaseCommand, CommandError

from zhiben.core.backup import restore
from zhiben.core.exceptions import ApplicationError


class Command(BaseCommand):
    help = (
        "从 backup_data 生成的备份恢复数据库与文件：先按清单核对每个文件的 SHA-256 与签名，"
        "只恢复到空的数据库（没有用户与审计事件）和空的文件目录，恢复后校验审计链。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="备份文件（.tar.gz）")

    def handle(self, *args, file, **options):
        try:
            manifest, counts, files, ok, message = restore(file)
        except FileNotFoundError:
            raise CommandError(f"备份文件不存在：{file}") from None
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"恢复完成：备份时间 {manifest['created_at']}，数据库 {sum(counts.values())} 行、文件 {files} 个。"
        )
        if not ok:
            raise CommandError(f"数据已恢复，但审计链校验未通过：{message}")
        self.stdout.write(message)
