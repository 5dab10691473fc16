from django.core.management.base import BaseCommand, CommandError

from zhiben.audit.services import audit_verify


class Command(BaseCommand):
    help = "校验审计日志哈希链；发现被修改或删除的记录时以非零状态退出并指出第一条问题事件。"

    def handle(self, *args, **options):
        ok, message = audit_verify()
        if not ok:
            raise CommandError(message)
        self.stdout.write(message)
