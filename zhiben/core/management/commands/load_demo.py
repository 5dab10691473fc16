from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from zhiben.core.registry import ordered


class Command(BaseCommand):
    help = "载入演示区县（可重复执行，不会重复创建）：依次执行各模块登记的演示数据。"

    def handle(self, *args, **options):
        if getattr(settings, "PRODUCTION", False):
            raise CommandError(
                "生产模式（ZHIBEN_DEBUG=0）下不载入演示数据：演示账号的密码是公开的。"
                "第一个管理员请用 python manage.py create_admin 创建。"
            )
        loaders = ordered("demo_loaders")
        with transaction.atomic():
            for loader in loaders:
                loader.load(self.stdout)
        figures = "，".join(loader.summary() for loader in loaders if loader.summary)
        self.stdout.write(f"演示数据就绪：{figures}。")
        for loader in loaders:
            for line in loader.accounts() if loader.accounts else ():
                self.stdout.write(line)
