# The user's phone and TOTP secret are stored encrypted (zhiben.core.crypto), with a blind index for
# exact phone search; accounts start without a role; role requests and one-time password links.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.db.models.functions import Cast

import zhiben.accounts.models
import zhiben.core.crypto


def encrypt_existing(apps, schema_editor):
    """Read the stored (clear) values as they are and write them back encrypted, with the phone's index."""
    from zhiben.core import crypto

    User = apps.get_model("accounts", "User")
    rows = User.objects.annotate(
        raw_phone=Cast("phone", models.TextField()), raw_secret=Cast("totp_secret", models.TextField())
    ).values_list("pk", "raw_phone", "raw_secret")
    for pk, phone, secret in rows.iterator():
        phone, secret = phone or "", secret or ""
        if not phone and not secret:
            continue
        clear_phone = crypto.decrypt(phone)
        User.objects.filter(pk=pk).update(
            phone=phone if crypto.is_encrypted(phone) else crypto.encrypt(phone),
            phone_index=crypto.blind_index(clear_phone),
            totp_secret=secret if crypto.is_encrypted(secret) else crypto.encrypt(secret),
        )


def decrypt_existing(apps, schema_editor):
    """Back to clear text (before the fields become CharFields again)."""
    from zhiben.core import crypto

    User = apps.get_model("accounts", "User")
    rows = User.objects.annotate(
        raw_phone=Cast("phone", models.TextField()), raw_secret=Cast("totp_secret", models.TextField())
    ).values_list("pk", "raw_phone", "raw_secret")
    for pk, phone, secret in rows.iterator():
        if crypto.is_encrypted(phone) or crypto.is_encrypted(secret):
            # a queryset update() would encrypt again: write through a raw UPDATE
            with schema_editor.connection.cursor() as cursor:
                table = schema_editor.quote_name(User._meta.db_table)
                cursor.execute(
                    f"UPDATE {table} SET phone = %s, totp_secret = %s WHERE id = %s",
                    [crypto.decrypt(phone), crypto.decrypt(secret), pk],
                )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_initial"),
        ("enterprises", "0001_initial"),
        ("regions", "0003_remove_industry_gbt4754_prefixes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="user",
            name="phone",
            field=zhiben.core.crypto.EncryptedTextField(blank=True, verbose_name="手机号"),
        ),
        migrations.AlterField(
            model_name="user",
            name="totp_secret",
            field=zhiben.core.crypto.EncryptedTextField(blank=True, verbose_name="动态口令密钥"),
        ),
        migrations.AddField(
            model_name="user",
            name="phone_index",
            field=zhiben.accounts.models.BlindIndexField(
                blank=True, db_index=True, editable=False, max_length=64, source="phone", verbose_name="手机号检索摘要"
            ),
        ),
        migrations.RunPython(encrypt_existing, decrypt_existing),
        migrations.AlterField(
            model_name="user",
            name="role",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "无角色（待授权）"),
                    ("anweiban_admin", "安委办管理员"),
                    ("regulator", "行业监管人员"),
                    ("grid", "网格员"),
                    ("enterprise", "企业安全管理员"),
                    ("expert", "专家"),
                    ("leader", "领导（只读）"),
                    ("sys_admin", "系统管理员"),
                    ("sec_admin", "安全管理员"),
                    ("audit_admin", "审计管理员"),
                ],
                default="",
                max_length=20,
                verbose_name="角色",
            ),
        ),
        migrations.CreateModel(
            name="PasswordLink",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "purpose",
                    models.CharField(
                        choices=[("activate", "激活账号"), ("reset", "重置密码")], max_length=10, verbose_name="用途"
                    ),
                ),
                ("key_hash", models.CharField(max_length=64, unique=True, verbose_name="摘要")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="创建时间")),
                ("expires_at", models.DateTimeField(verbose_name="到期时间")),
                ("used_at", models.DateTimeField(blank=True, null=True, verbose_name="使用时间")),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="发起人",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="password_links",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="用户",
                    ),
                ),
            ],
            options={
                "verbose_name": "设置密码链接",
                "verbose_name_plural": "设置密码链接",
                "ordering": ["-created_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="RoleRequest",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "role",
                    models.CharField(
                        choices=[
                            ("", "无角色（待授权）"),
                            ("anweiban_admin", "安委办管理员"),
                            ("regulator", "行业监管人员"),
                            ("grid", "网格员"),
                            ("enterprise", "企业安全管理员"),
                            ("expert", "专家"),
                            ("leader", "领导（只读）"),
                            ("sys_admin", "系统管理员"),
                            ("sec_admin", "安全管理员"),
                            ("audit_admin", "审计管理员"),
                        ],
                        max_length=20,
                        verbose_name="申请角色",
                    ),
                ),
                ("reason", models.CharField(blank=True, max_length=200, verbose_name="申请说明")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "待审批"),
                            ("approved", "已批准"),
                            ("refused", "已拒绝"),
                            ("withdrawn", "已撤回"),
                        ],
                        default="pending",
                        max_length=10,
                        verbose_name="状态",
                    ),
                ),
                ("requested_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="申请时间")),
                ("decided_at", models.DateTimeField(blank=True, null=True, verbose_name="审批时间")),
                ("decision_note", models.CharField(blank=True, max_length=200, verbose_name="审批意见")),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="审批人",
                    ),
                ),
                (
                    "enterprise",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="enterprises.enterprise",
                        verbose_name="所属企业",
                    ),
                ),
                (
                    "region",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="role_requests",
                        to="regions.region",
                        verbose_name="管辖区划",
                    ),
                ),
                (
                    "requested_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="申请人",
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="regions.unit",
                        verbose_name="所在单位",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="role_requests",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="账号",
                    ),
                ),
            ],
            options={
                "verbose_name": "授权申请",
                "verbose_name_plural": "授权申请",
                "ordering": ["-requested_at", "-id"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("status", "pending")),
                        fields=("user",),
                        name="role_request_one_pending_per_user",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("role", ""), _negated=True), name="role_request_names_a_role"
                    ),
                ],
            },
        ),
    ]
