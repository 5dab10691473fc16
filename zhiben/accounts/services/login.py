"""Login (password, lockout, second factor), password change, and the token revocation every
credential event shares. Every outcome is audited here."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from zhiben.audit.services import audit_record
from zhiben.core.exceptions import ApplicationError
from zhiben.core.services import fail as _fail

from .. import totp
from ..models import User


def totp_required(user):
    return user.role in settings.TOTP_REQUIRED_ROLES or user.is_superuser


PASSWORD_CHANGE_REQUIRED = (
    "您须先修改密码才能继续使用平台（首次登录、密码已重置或已过期）：请登录网页修改密码后再调用接口。"
)


def password_expired(user):
    """True when the user must set a new password: forced, never set by them, or older than the limit."""
    if user.must_change_password or user.password_changed_at is None:
        return True
    max_age = settings.PASSWORD_MAX_AGE_DAYS
    return bool(max_age) and timezone.now() - user.password_changed_at > timedelta(days=max_age)


def revoke_tokens(user):
    """Revoke every live API token of `user` (a reset, a role change, a lockout, a deactivation);
    returns how many. Call inside the caller's transaction, which audits it."""
    return user.api_tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())


def _register_failure(user, *, factor):
    """Count one failed attempt on `user` (a row locked FOR UPDATE); lock the account at the limit
    (which also revokes its API tokens).

    Returns the audit data. Must run inside the caller's transaction, which must then commit:
    the caller raises its error only after leaving the transaction.
    """
    user.failed_logins += 1
    data = {"failures": user.failed_logins, "factor": factor}
    if user.failed_logins >= settings.LOGIN_MAX_FAILURES:
        user.locked_until = timezone.now() + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
        user.failed_logins = 0
        data["locked_until"] = user.locked_until
        data["tokens_revoked"] = revoke_tokens(user)
    user.save(update_fields=["failed_logins", "locked_until"])
    return data


def bad_credentials_message():
    """One message for an unknown username and a wrong password, so neither tells whether the account exists."""
    return (
        f"用户名或密码错误。连续 {settings.LOGIN_MAX_FAILURES} 次登录失败，"
        f"账号将被锁定 {settings.LOGIN_LOCKOUT_MINUTES} 分钟。"
    )


def _failure_message(user):
    if user.is_locked:
        return ApplicationError(
            f"连续 {settings.LOGIN_MAX_FAILURES} 次登录失败，账号已锁定 {settings.LOGIN_LOCKOUT_MINUTES} 分钟，请稍后再试或联系安全管理员解锁。",
            code="locked",
        )
    return ApplicationError(bad_credentials_message(), code="bad_credentials")


def locked_message(user):
    minutes = max(1, int((user.locked_until - timezone.now()).total_seconds() // 60) + 1)
    return f"账号因连续登录失败已被锁定，请 {minutes} 分钟后再试，或联系安全管理员解锁。"


def login_check_password(*, username, password):
    """First login step. Returns the user, or raises ApplicationError with the reason in Chinese.

    Failed attempts are counted; after LOGIN_MAX_FAILURES the account is locked for
    LOGIN_LOCKOUT_MINUTES. Attempts on a locked account are refused without checking the password.
    The counter and the audit row are committed before the error is raised. An unknown username gets
    the wrong-password message, after hashing the password once like a real check (same timing).
    """
    username = (username or "").strip()
    error = None
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=username).first()
        if user is not None and user.is_locked:
            audit_record(actor=user, action="auth.login_refused_locked", obj=user, success=False)
            error = ApplicationError(locked_message(user), code="locked")
        elif user is None:
            make_password(password)  # the work a real password check does, so the reply takes as long
            audit_record(
                actor=None,
                action="auth.login_failed",
                object_type="accounts.user",
                object_repr=username[:150],
                data={"reason": "unknown_user"},
                success=False,
            )
            error = ApplicationError(bad_credentials_message(), code="bad_credentials")
        elif authenticate(username=username, password=password) is None:
            data = _register_failure(user, factor="password")
            audit_record(actor=user, action="auth.login_failed", obj=user, data=data, success=False)
            error = _failure_message(user)
        elif user.failed_logins:
            user.failed_logins = 0
            user.save(update_fields=["failed_logins"])
    if error is not None:
        raise error
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
    """Verify a code; on first use (`confirm`) bind the secret to the account. Replays are refused.

    A wrong code counts as a failed login (the same lockout as passwords), so the six digits
    cannot be guessed by brute force once the password is known.
    """
    error = None
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.is_locked:
            error = ApplicationError(locked_message(locked), code="locked")
            step = None
        else:
            step = totp.verify(locked.totp_secret, code, last_step=locked.totp_last_step)
        if error is None and step is None:
            data = _register_failure(locked, factor="totp")
            audit_record(actor=locked, action="auth.totp_failed", obj=locked, data=data, success=False)
            if locked.is_locked:
                error = ApplicationError(
                    f"连续 {settings.LOGIN_MAX_FAILURES} 次登录失败，账号已锁定 {settings.LOGIN_LOCKOUT_MINUTES} 分钟，请稍后再试或联系安全管理员解锁。",
                    code="locked",
                )
            else:
                error = ApplicationError("动态口令错误或已使用，请输入认证器上当前显示的6位数字。", code="bad_totp")
        elif error is None:
            locked.totp_last_step = step
            locked.failed_logins = 0
            fields = ["totp_last_step", "failed_logins"]
            if confirm and not locked.totp_confirmed:
                locked.totp_confirmed = True
                fields.append("totp_confirmed")
                audit_record(actor=locked, action="auth.totp_bound", obj=locked)
            locked.save(update_fields=fields)
    if error is not None:
        raise error
    user.totp_last_step, user.totp_confirmed = locked.totp_last_step, locked.totp_confirmed
    return user


def password_errors(password, user, field="password"):
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        return [(field, m) for m in exc.messages]
    return []


@transaction.atomic
def user_change_password(*, user, old_password, new_password):
    if not user.check_password(old_password):
        _fail([("old_password", "原密码错误。")])
    if old_password == new_password:
        _fail([("new_password", "新密码不能与原密码相同。")])
    errors = password_errors(new_password, user, "new_password")
    if errors:
        _fail(errors)
    user.set_password(new_password)
    user.password_changed_at = timezone.now()
    user.must_change_password = False
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    audit_record(actor=user, action="auth.password_changed", obj=user)
    return user


def password_problems(password, user):
    """The password policy's complaints about `password` for `user` (empty list when it passes)."""
    return [m for _, m in password_errors(password, user)]
