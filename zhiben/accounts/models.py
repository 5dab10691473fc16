"""Users (one role each, a jurisdiction, and a unit or an enterprise), role requests awaiting a second
person, one-time links for setting a password, API tokens."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from zhiben.core import crypto
from zhiben.core.models import ScopedQuerySet

from .choices import ADMIN_ROLES, ROLE_CAPABILITIES, LinkPurpose, RequestStatus, Role

mask_phone = crypto.mask_phone  # phone numbers are shown masked in lists, pages, the API and audit data

TOKEN_MAX_DAYS = 365  # an API token lives at most one year, whatever its expiry says


class BlindIndexField(models.CharField):
    """The keyed hash (`crypto.blind_index`) of the encrypted field `source`, recomputed on every save
    that writes this field: exact search (a phone typed in a search box) without storing the value."""

    def __init__(self, *args, source, **kwargs):
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = crypto.blind_index(getattr(model_instance, self.source) or "")
        setattr(model_instance, self.attname, value)
        return value


class ScopedUserManager(UserManager.from_queryset(ScopedQuerySet)):
    pass


class User(AbstractUser):
    """A person who logs in. The role says what they may do; region/unit/enterprise say on what."""

    SCOPE = {"region": "region_id", "enterprise": "enterprise_id"}

    name = models.CharField("姓名", max_length=50, blank=True)
    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.NONE, blank=True)
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
    phone = crypto.EncryptedTextField("手机号", blank=True)
    phone_index = BlindIndexField("手机号检索摘要", source="phone")
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)
    must_change_password = models.BooleanField("下次登录须改密码", default=False)
    failed_logins = models.PositiveIntegerField("连续登录失败次数", default=0)
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)
    totp_secret = crypto.EncryptedTextField("动态口令密钥", blank=True)
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
        from zhiben.regions.selectors import unit_industry_ids

        return unit_industry_ids(self.unit_id)

    @property
    def phone_masked(self):
        return mask_phone(self.phone)

    @property
    def is_locked(self):
        return bool(self.locked_until and self.locked_until > timezone.now())

    @property
    def is_administrator(self):
        return self.role in ADMIN_ROLES


class RoleRequest(models.Model):
    """A grant (role, jurisdiction, unit, enterprise) proposed for an account, waiting for a second person.

    三员分立: no administrator grants a role alone. A business role is granted by the 安委办管理员 of
    the jurisdiction (directly, or by approving the 系统管理员's proposal); an administrator role only
    when another administrator approves. Neither the requester nor the account's owner may decide."""

    SCOPE = {"region": "region_id"}

    user = models.ForeignKey(User, verbose_name="账号", on_delete=models.CASCADE, related_name="role_requests")
    role = models.CharField("申请角色", max_length=20, choices=Role.choices)
    region = models.ForeignKey(
        "regions.Region", verbose_name="管辖区划", on_delete=models.PROTECT, related_name="role_requests"
    )
    unit = models.ForeignKey(
        "regions.Unit", verbose_name="所在单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name="所属企业",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.CharField("申请说明", max_length=200, blank=True)
    status = models.CharField("状态", max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    requested_by = models.ForeignKey(
        User, verbose_name="申请人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField("申请时间", default=timezone.now)
    decided_by = models.ForeignKey(
        User, verbose_name="审批人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = verbose_name_plural = "授权申请"
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(status="pending"), name="role_request_one_pending_per_user"
            ),
            models.CheckConstraint(condition=~Q(role=""), name="role_request_names_a_role"),
        ]

    def __str__(self):
        return f"{self.user} → {self.get_role_display()}（{self.get_status_display()}）"

    @property
    def for_administrator(self):
        """An administrator role: another administrator decides (else the 安委办 of the jurisdiction)."""
        return self.role in ADMIN_ROLES

    @property
    def is_pending(self):
        return self.status == RequestStatus.PENDING


class PasswordLink(models.Model):
    """A one-time link, sent to the owner only, to set their own password (a new account or a reset).

    Only the key's SHA-256 is stored; the link expires after LINK_HOURS and works once."""

    LINK_HOURS = 24

    user = models.ForeignKey(User, verbose_name="用户", on_delete=models.CASCADE, related_name="password_links")
    purpose = models.CharField("用途", max_length=10, choices=LinkPurpose.choices)
    key_hash = models.CharField("摘要", max_length=64, unique=True)
    created_by = models.ForeignKey(
        User, verbose_name="发起人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    expires_at = models.DateTimeField("到期时间")
    used_at = models.DateTimeField("使用时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "设置密码链接"

    def __str__(self):
        return f"{self.get_purpose_display()}：{self.user}"

    @staticmethod
    def hash_key(key):
        return crypto.key_digest(key)

    @staticmethod
    def new_key():
        return secrets.token_urlsafe(32)

    @classmethod
    def lifetime(cls):
        return timedelta(hours=getattr(settings, "PASSWORD_LINK_HOURS", cls.LINK_HOURS))

    @property
    def is_valid(self):
        return self.used_at is None and self.expires_at > timezone.now()


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
        return crypto.key_digest(key)

    @staticmethod
    def new_key():
        return "zb_" + secrets.token_urlsafe(32)

    @property
    def valid_until(self):
        """The expiry, capped at TOKEN_MAX_DAYS after creation (older tokens made for ten years included)."""
        cap = self.created_at + timedelta(days=TOKEN_MAX_DAYS)
        return min(self.expires_at, cap) if self.expires_at else cap

    @property
    def is_valid(self):
        return self.revoked_at is None and self.valid_until > timezone.now()
