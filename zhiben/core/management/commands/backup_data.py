from pathlib import Path

from django.core.management.base import BaseCommand

from zhiben.audit.services import audit_record
from zhiben.core.backup import backup


class Command(BaseCommand):
    help = (
        "把数据库与存储的文件（证据、缩略图、公文）一起备份到一个 .tar.gz 文件：一致的快照，"
        "附 SHA-256 清单并以审计密钥签名；运行中的系统无需停机。用 restore_data 恢复。"
    )

    def add_arguments(self, parser):
        parser.add_argument("out", help="备份文件路径，如 /var/backups/zhiben/zhiben-20260101.tar.gz")

    def handle(self, *args, out, **options):
        manifest = backup(out)
        rows = sum(manifest["counts"].values())
        files = len(manifest["members"]) - 1
        size = Path(out).stat().st_size
        audit_record(
            actor=None,
            action="system.backup",
            object_repr="数据备份",
            data={"file": Path(out).name, "rows": rows, "files": files, "bytes": size},
        )
        self.stdout.write(
            f"备份完成：{out}（{size / 1048576:.1f} MB），数据库 {rows} 行、文件 {files} 个，"
            f"审计事件 {manifest['counts'].get('audit.auditevent', 0)} 条。"
        )
