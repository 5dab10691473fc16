"""Login security and account writes. Every outcome is audited by the service itself."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from zhiben.audit.services import audit_record
from zhiben.core.exceptions import ApplicationError
from zhiben.core.scoping import assert_in_scope

from . import totp
from .models import ApiToken, User


def totp_required(user):
    return user.role in settings.TOTP_REQUIRED_ROLES or user.is_superuser


def password_expired(user):
    """True when the user must set a new password: forced, never set by them, or older than the limit."""
    if user.must_change_password or user.password_changed_at is None:
        return True
    max_age = settings.PASSWORD_MAX_AGE_DAYS
    return bool(max_age) and timezone.now() - user.password_changed_at > timedelta(days=max_age)


def login_check_password(*, username, password):
    """First login step. Returns the user, or raises ApplicationError with the reason in Chinese.

    Failed attempts are counted; after LOGIN_MAX_FAILURES the account is locked for
    LOGIN_LOCKOUT_MINUTES. Attempts on a locked account are refused without checking the password.
    """
    username = (username or "").strip()
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=username).first()
        if user is not None and user.is_locked:
            audit_record(actor=user, action="auth.login_refused_locked", obj=user, success=False)
            minutes = max(1, int((user.locked_until - timezone.now()).total_seconds() // 60) + 1)
            raise ApplicationError(f"账号因连续登录失败已被锁定，请 {minutes} 分钟后再试，或联系安全管理员解锁。", code="locked")
        authenticated = authenticate(username=username, password=password) if user is not None else None
        if authenticated is None:
            if user is None:
                audit_record(actor=None, action="auth.login_failed", object_type="accounts.user", object_repr=username[:150],
                             data={"reason": "unknown_user"}, success=False)
                raise ApplicationError("用户名或密码错误。", code="bad_credentials")
            user.failed_logins += 1
            data = {"failures": user.failed_logins}
            if user.failed_logins >= settings.LOGIN_MAX_FAILURES:
                user.locked_until = timezone.now() + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
                user.failed_logins = 0
                data["locked_until"] = user.locked_until
            user.save(update_fields=["failed_logins", "locked_until"])
            audit_record(actor=user, action="auth.login_failed", obj=user, data=data, success=False)
            if user.locked_until and user.is_locked:
                raise ApplicationError(
                    f"连续 {settings.LOGIN_MAX_FAILURES} 次登录失败，账号已锁定 {settings.LOGIN_LOCKOUT_MINUTES} 分钟。", code="locked")
            left = settings.LOGIN_MAX_FAILURES - user.failed_logins
            raise ApplicationError(f"用户名或密码错误，再失败 {left} 次账号将被锁定。", code="bad_credentials")
        if user.failed_logins:
            user.failed_logins = 0
            user.save(update_fields=["failed_logins"])
    return user


def login_completed(*, user, method="password"):
    """Record a successful login (after the second factor when one is required)."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(last_login=timezone.now(), failed_logins=0)
        audit_record(actor=user, action="auth.login", obj=user, data={"method": method})


def logout_recorded(*, user):
    if user is not None and user.is_authenticated:
        audit_record(actor=user, action="auth.logout", obj=user)


def totp_begin(*, user):
    """Give `user` a fresh, unconfirmed secret (shown once for the authenticator app)."""
    if user.totp_confirmed:
        raise ApplicationError("已绑定动态口令；如需更换请联系安全管理员重置。")
    user.totp_secret = totp.new_secret()
    user.save(update_fields=["totp_secret"])
    return user.totp_secret


def totp_check(*, user, code, confirm=False):
    """Verify a code; on first use (`confirm`) bind the secret to the account. Replays are refused."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        step = totp.verify(locked.totp_secret, code, last_step=locked.totp_last_step)
        if step is None:
            audit_record(actor=locked, action="auth.totp_failed", obj=locked, success=False)
            raise ApplicationError("动态口令错误或已使用，请输入认证器上当前显示的6位数字。", code="bad_totp")
        locked.totp_last_step = step
        fields = ["totp_last_step"]
        if confirm and not locked.totp_confirmed:
            locked.totp_confirmed = True
            fields.append("totp_confirmed")
            audit_record(actor=locked, action="auth.totp_bound", obj=locked)
        locked.save(update_fields=fields)
    user.totp_last_step, user.totp_confirmed = locked.totp_last_step, locked.totp_confirmed
    return user


def _validate_password(password, user):
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ApplicationError("；".join(exc.messages), code="weak_password") from exc


@transaction.atomic
def user_change_password(*, user, old_password, new_password):
    if not user.check_password(old_password):
        raise ApplicationError("原密码错误。")
    if old_password == new_password:
        raise ApplicationError("新密码不能与原密码相同。")
    _validate_password(new_password, user)
    user.set_password(new_password)
    user.password_changed_at = timezone.now()
    user.must_change_password = False
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    audit_record(actor=user, action="auth.password_changed", obj=user)
    return user


@transaction.atomic
def user_unlock(*, actor, user):
    """The 安全管理员 lifts a lockout or resets a lost second factor."""
    if not actor.can("security.manage"):
        raise ApplicationError("只有安全管理员可以解锁账号。", code="forbidden")
    assert_in_scope(actor, user)
    user.locked_until = None
    user.failed_logins = 0
    user.save(update_fields=["locked_until", "failed_logins"])
    audit_record(actor=actor, action="user.unlock", obj=user)
    return user


@transaction.atomic
def user_reset_totp(*, actor, user):
    if not actor.can("security.manage"):
        raise ApplicationError("只有安全管理员可以重置动态口令。", code="forbidden")
    assert_in_scope(actor, user)
    user.totp_secret, user.totp_confirmed, user.totp_last_step = "", False, 0
    user.save(update_fields=["totp_secret", "totp_confirmed", "totp_last_step"])
    audit_record(actor=actor, action="user.totp_reset", obj=user)
    return user


@transaction.atomic
def api_token_create(*, actor, name, days=365):
    """Create a token for `actor` and return (token, key); only the key's hash is stored."""
    name = (name or "").strip()
    if not name:
        raise ApplicationError("请填写令牌用途。")
    key = ApiToken.new_key()
    token = ApiToken.objects.create(
        user=actor, name=name[:100], prefix=key[:10], key_hash=ApiToken.hash_key(key),
        expires_at=timezone.now() + timedelta(days=days) if days else None,
    )
    audit_record(actor=actor, action="api_token.create", obj=token, region_code=actor.region_id or "",
                 data={"name": token.name, "expires_at": token.expires_at})
    return token, key


@transaction.atomic
def api_token_revoke(*, actor, token):
    if token.user_id != actor.pk:
        raise ApplicationError("只能吊销自己的令牌。", code="forbidden")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(actor=actor, action="api_token.revoke", obj=token, region_code=actor.region_id or "")
    return token


def api_token_user(key):
    """Return the active user owning bearer `key`, or None."""
    if not key or not key.startswith("zb_"):
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=ApiToken.hash_key(key)).first()
    if token is None or not token.is_valid or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


ROLE_NEEDS = {
    "regulator": "unit",
    "enterprise": "enterprise",
}


@transaction.atomic
def user_create(*, actor, username, password, role, region=None, unit=None, enterprise=None, name="", phone="",
                must_change_password=True, validate_password=True):
    """Create an account. `actor` None means the system itself (demo loader, first set-up)."""
    from .choices import Role

    if actor is not None and not actor.can("user.manage"):
        raise ApplicationError("只有系统管理员可以创建用户。", code="forbidden")
    username = (username or "").strip()
    if not username:
        raise ApplicationError("用户名不能为空。")
    if User.objects.filter(username=username).exists():
        raise ApplicationError(f"用户名“{username}”已存在。")
    if role not in Role.values:
        raise ApplicationError(f"角色“{role}”无效。")
    if enterprise is not None and region is None:
        region = enterprise.region
    if region is None:
        raise ApplicationError("请指定管辖区划。")
    needed = ROLE_NEEDS.get(role)
    if needed == "unit" and unit is None:
        raise ApplicationError("行业监管人员须指定所在单位（决定其监管行业）。")
    if needed == "enterprise" and enterprise is None:
        raise ApplicationError("企业安全管理员须指定所属企业。")
    user = User(username=username, role=role, region=region, unit=unit, enterprise=enterprise if role == Role.ENTERPRISE else None,
                name=name, phone=phone, must_change_password=must_change_password, password_changed_at=timezone.now())
    if validate_password:
        _validate_password(password, user)
    user.set_password(password)
    user.save()
    if actor is not None:
        assert_in_scope(actor, user)
    audit_record(actor=actor, action="user.create", obj=user, data={"role": role, "region": region.code,
                                                                  "unit": unit.pk if unit else None})
    return user
