from django.core.management.base import BaseCommand
from django.db import transaction

from zhiben.core.registry import ordered


class Command(BaseCommand):
    help = "载入演示区县（可重复执行，不会重复创建）：依次执行各模块登记的演示数据。"

    def handle(self, *args, **options):
        loaders = ordered("demo_loaders")
        with transaction.atomic():
            for loader in loaders:
                loader.load(self.stdout)
        figures = "，".join(loader.summary() for loader in loaders if loader.summary)
        self.stdout.write(f"演示数据就绪：{figures}。")
        for loader in loaders:
            for line in loader.accounts() if loader.accounts else ():
                self.stdout.write(line)
