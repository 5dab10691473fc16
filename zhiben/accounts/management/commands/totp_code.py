from django.core.management.base import BaseCommand, CommandError

from zhiben.accounts import totp
from zhiben.accounts.models import User


class Command(BaseCommand):
    help = "显示某账号当前的动态口令（供无手机认证器的演示或运维现场使用；需要服务器命令行权限）。"

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"用户 {username} 不存在。")
        if not user.totp_secret:
            user.totp_secret = totp.new_secret()
            user.save(update_fields=["totp_secret"])
        self.stdout.write(totp.code_at(user.totp_secret, totp.current_step()))
