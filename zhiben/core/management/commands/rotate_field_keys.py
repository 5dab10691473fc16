"""Re-encrypt every encrypted field under the current key and cipher, and recompute the blind indexes.

Key rotation: put the new key first in ZHIBEN_FIELD_KEYS and keep the old one after it
(`new:…,old:…`), restart, run this command, then drop the old key. Switching to 国密 works the same
way (ZHIBEN_FIELD_CIPHER=sm4). The command also encrypts clear text left from before encryption.
The fields are found through django.apps (every `crypto.EncryptedTextField`), so a new app's fields
are included without registration.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connections, router

from zhiben.core import crypto


class Command(BaseCommand):
    help = "按当前密钥与算法重新加密所有加密字段并重算检索摘要（--dry-run 只统计）。"

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="只统计需要改写的行，不写入")
        parser.add_argument("--batch-size", type=int, default=500, help="每批行数，每批一个事务（默认 500）")

    def handle(self, *args, dry_run=False, batch_size=500, **options):
        if batch_size < 1:
            raise CommandError("--batch-size 至少为 1。")
        crypto.reset_keys()
        cipher, key_id, keys = crypto.keyring()
        others = "、".join(k for k in keys if k != key_id) or "无"
        self.stdout.write(
            f"{'试运行（不写入）' if dry_run else '密钥轮换'}：当前密钥 {key_id}，算法 {cipher}；其他可解密的密钥：{others}"
        )
        total_rows = total_changed = 0
        failures = []
        for model, columns in crypto.encrypted_tables():
            connection = connections[router.db_for_write(model)]
            label = f"{model._meta.label}（{'、'.join(columns)}）"
            count = model._base_manager.using(connection.alias).count()
            self.stdout.write(f"{label}：共 {count} 行")

            def progress(done, changed, label=label, count=count):
                self.stdout.write(
                    f"  {label}：已检查 {done}/{count} 行，{'需改写' if dry_run else '已改写'} {changed} 行"
                )

            result = crypto.reseal_table(
                connection,
                model._meta.db_table,
                columns,
                pk=model._meta.pk.column,
                batch_size=batch_size,
                dry_run=dry_run,
                progress=progress,
            )
            total_rows += result["rows"]
            total_changed += result["changed"]
            failures += [(model._meta.label, pk, column, message) for pk, column, message in result["failed"]]
        verb = "需改写" if dry_run else "已改写"
        self.stdout.write(f"完成：检查 {total_rows} 行，{verb} {total_changed} 行，无法解密 {len(failures)} 处。")
        if failures:
            for label, pk, column, message in failures[:20]:
                self.stderr.write(f"  {label} id={pk} 列 {column}：{message}")
            raise CommandError(
                f"{len(failures)} 处数据无法用已配置的密钥解开（已跳过，其余已处理）："
                "请把旧密钥加回 ZHIBEN_FIELD_KEYS 后重新运行。"
            )
