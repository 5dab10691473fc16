from django.core.management.base import BaseCommand

from zhiben.core.demo import ACCOUNTS, DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "载入演示区县（可重复执行，不会重复创建）。"

    def handle(self, *args, **options):
        load_demo(stdout=self.stdout)
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        from zhiben.accounts.models import User
        from zhiben.accounts.services import totp_required

        for username, name, role, *_ in ACCOUNTS:
            user = User.objects.get(username=username)
            extra = "，首次登录按页面提示绑定动态口令（或运行 python manage.py totp_code " + username + "）" if totp_required(user) else ""
            self.stdout.write(f"  {username:<12} {user.get_role_display()} · {user.region.name if user.region else ''}{extra}")
