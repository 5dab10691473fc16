from django.core.management.base import BaseCommand

from zhiben.notifications.services import send_pending


class Command(BaseCommand):
    help = "发送待发的短信/邮件等通知（失败的按退避时间重试）。"

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500)

    def handle(self, *args, limit, **options):
        sent, failed = send_pending(limit=limit)
        self.stdout.write(f"已发送 {sent} 条，失败 {failed} 条。")
