from django.core.management.base import BaseCommand

from zhiben.core.jobs import run_once


class Command(BaseCommand):
    help = "执行一轮后台任务（逾期告知、发送通知等），供 cron 定时调用。"

    def handle(self, *args, **options):
        run_once(stdout=self.stdout)
