import os

from django.core.management.base import BaseCommand, CommandError

from zhiben.audit.services import audit_record, audit_reseal, audit_verify, derived_key
from zhiben.core.exceptions import ApplicationError


class Command(BaseCommand):
    help = (
        "用当前审计密钥（ZHIBEN_AUDIT_KEY）重新封存审计链：先按旧方式校验整条链，未通过则拒绝。"
        "旧方式默认是升级前的无密钥 SHA-256；更换密钥时用 --old-key-env 指出存放旧密钥的环境变量，"
        "从开发时由 SECRET_KEY 派生的密钥改为正式密钥时用 --old-derived。"
    )

    def add_arguments(self, parser):
        old = parser.add_mutually_exclusive_group()
        old.add_argument(
            "--old-key-env",
            metavar="变量名",
            help="存放旧审计密钥的环境变量名（如 ZHIBEN_AUDIT_OLD_KEY）；密钥不出现在命令行上",
        )
        old.add_argument(
            "--old-derived", action="store_true", help="旧密钥是未设置 ZHIBEN_AUDIT_KEY 时由 SECRET_KEY 派生的开发密钥"
        )
        parser.add_argument(
            "--mask", action="store_true", help="同时对旧记录中的手机号、身份证号做脱敏（内容改变的记录数写入审计）"
        )

    def handle(self, *args, old_key_env=None, old_derived=False, mask=False, **options):
        if old_key_env:
            value = os.environ.get(old_key_env, "")
            if not value:
                raise CommandError(f"环境变量 {old_key_env} 未设置或为空。")
            old_key, scheme = value.encode(), f"旧密钥（{old_key_env}）"
        elif old_derived:
            old_key, scheme = derived_key(), "由 SECRET_KEY 派生的开发密钥"
        else:
            old_key, scheme = None, "无密钥 SHA-256"
        try:
            count, masked = audit_reseal(old_key=old_key, mask=mask)
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        audit_record(
            actor=None,
            action="audit.rekey",
            object_type="audit.auditevent",
            object_repr="以审计密钥重新封存审计链",
            data={"events": count, "from": scheme, "masked": masked},
        )
        ok, message = audit_verify()
        if not ok:
            raise CommandError(f"重新封存后校验失败：{message}")
        self.stdout.write(
            f"已按{scheme}校验并用当前审计密钥重新封存 {count} 条事件" + (f"，脱敏 {masked} 条" if mask else "") + "。"
        )
        self.stdout.write(message)
