import getpass
import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q

from zhiben.accounts.choices import ADMIN_ROLES, Role
from zhiben.accounts.models import User
from zhiben.accounts.services import user_create
from zhiben.audit.services import audit_record
from zhiben.core.exceptions import ApplicationError
from zhiben.regions.models import Region

ROLES = sorted(str(role) for role in ADMIN_ROLES)


class Command(BaseCommand):
    help = (
        "新部署时在服务器上创建第一个管理员（三员之一）。已有任何管理员时拒绝，除非加 --force "
        "（如接着创建另外两员：管理员角色的授予本需另一名管理员审批，三员齐备前只能由此命令创建）。"
        "密码在终端中输入两次，或用 --password-stdin 从标准输入读取；创建过程写入审计日志。"
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="登录名")
        parser.add_argument("--role", choices=ROLES, default=str(Role.SYS_ADMIN), help="管理员角色（默认 sys_admin）")
        parser.add_argument("--region", required=True, help="管辖区划代码（先用 import_regions 导入区划）")
        parser.add_argument("--phone", required=True, help="本人手机号（三员分立按手机号识别人员）")
        parser.add_argument("--name", default="", help="姓名")
        parser.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码（一行）")
        parser.add_argument("--force", action="store_true", help="已有管理员时仍然创建")

    def handle(self, *args, username, role, region, phone, name, password_stdin, force, **options):
        existing = list(
            User.objects.filter(Q(role__in=ADMIN_ROLES) | Q(is_superuser=True), is_active=True).values_list(
                "username", flat=True
            )[:5]
        )
        if existing and not force:
            raise CommandError(
                f"已有管理员账号（{'、'.join(existing)}）：新的管理员应在系统中创建并经另一名管理员审批。"
                "确需在服务器上再建一个（如补齐三员、找回唯一管理员），请加 --force。"
            )
        if not phone.strip():
            raise CommandError("管理员账号须登记本人手机号：三员分立按手机号识别人员，重置链接也发送到该手机。")
        place = Region.objects.filter(code=region.strip().ljust(12, "0")).first()
        if place is None:
            raise CommandError(f"区划“{region}”不存在：请先用 python manage.py import_regions 文件 导入行政区划。")
        password = self.read_password(password_stdin)
        try:
            with transaction.atomic():
                user = user_create(
                    actor=None,
                    username=username,
                    region=place,
                    role=role,
                    name=name,
                    phone=phone,
                    password=password,
                    must_change_password=True,
                )
                audit_record(
                    actor=None,
                    action="user.create_admin",
                    obj=user,
                    data={"role": role, "force": force, "existing_admins": existing, "via": "manage.py create_admin"},
                )
        except ApplicationError as exc:
            for error in exc.errors or [{"message": exc.message}]:
                self.stderr.write(error["message"])
            raise CommandError("未创建管理员。") from None
        self.stdout.write(
            f"已创建{Role(role).label}“{user.username}”（{place.name}）。首次登录须修改密码并绑定动态口令。"
        )

    def read_password(self, from_stdin):
        if from_stdin or not sys.stdin.isatty():
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            password = getpass.getpass("密码：")
            if password != getpass.getpass("再次输入密码："):
                raise CommandError("两次输入的密码不一致。")
        if not password:
            raise CommandError("密码不能为空。")
        return password
