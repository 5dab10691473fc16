"""Users (one role each, a jurisdiction, and a unit or an enterprise), API tokens."""

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from zhiben.core.models import ScopedQuerySet

from .choices import ROLE_CAPABILITIES, Role


def mask_phone(phone):
    """138****5678: phone numbers are shown masked in lists and audit data."""
    phone = phone or ""
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


class ScopedUserManager(UserManager.from_queryset(ScopedQuerySet)):
    pass


class User(AbstractUser):
    """A person who logs in. The role says what they may do; region/unit/enterprise say on what."""

    SCOPE = {"region": "region_id", "enterprise": "enterprise_id"}

    name = models.CharField("姓名", max_length=50, blank=True)
    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.LEADER)
    region = models.ForeignKey(
        "regions.Region", verbose_name="管辖区划", null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    unit = models.ForeignKey(
        "regions.Unit", verbose_name="所在单位", null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name="所属企业",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    phone = models.CharField("手机号", max_length=20, blank=True)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)
    must_change_password = models.BooleanField("下次登录须改密码", default=False)
    failed_logins = models.PositiveIntegerField("连续登录失败次数", default=0)
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)
    totp_secret = models.CharField("动态口令密钥", max_length=200, blank=True)
    totp_confirmed = models.BooleanField("已绑定动态口令", default=False)
    totp_last_step = models.BigIntegerField("最近使用的口令时间片", default=0)

    objects = ScopedUserManager()

    class Meta:
        ordering = ["username"]
        verbose_name = verbose_name_plural = "用户"

    def __str__(self):
        return self.name or self.username

    def get_absolute_url(self):
        return reverse("accounts:user_detail", args=[self.pk])

    @property
    def display_name(self):
        return self.name or self.username

    @cached_property
    def capabilities(self):
        if not self.is_active:
            return frozenset()
        if self.is_superuser:
            return frozenset(set().union(*ROLE_CAPABILITIES.values()))
        return frozenset(ROLE_CAPABILITIES.get(self.role, ()))

    def can(self, capability):
        return capability in self.capabilities

    @property
    def limited_to_domains(self):
        """Department staff see only the industries their unit supervises (管行业必须管安全)."""
        return self.role == Role.REGULATOR and not self.is_superuser

    @cached_property
    def domain_ids(self):
        if not self.unit_id:
            return []
        return list(self.unit.industries.values_list("id", flat=True))

    @property
    def phone_masked(self):
        return mask_phone(self.phone)

    @property
    def is_locked(self):
        return bool(self.locked_until and self.locked_until > timezone.now())


class ApiToken(models.Model):
    """A bearer token for integrations. Only its SHA-256 is stored; the key is shown once."""

    user = models.ForeignKey(User, verbose_name="用户", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("用途", max_length=100)
    prefix = models.CharField("前缀", max_length=12, db_index=True)
    key_hash = models.CharField("摘要", max_length=64, unique=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    expires_at = models.DateTimeField("到期时间", null=True, blank=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = verbose_name_plural = "接口令牌"

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key):
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def new_key():
        return "zb_" + secrets.token_urlsafe(32)

    @property
    def is_valid(self):
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
