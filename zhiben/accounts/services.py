"""Login security and account writes. Every outcome is audited by the service itself."""

import secrets
import string
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from zhiben.audit.services import audit_record, changes
from zhiben.core.exceptions import ApplicationError
from zhiben.core.scoping import assert_in_scope, in_subtree
from zhiben.core.services import actor_covers as _in_actor_scope
from zhiben.core.services import ensure_capability as _require
from zhiben.core.services import fail as _fail

from . import totp
from .choices import ADMIN_ROLES, Role
from .models import ApiToken, User, mask_phone


def totp_required(user):
    return user.role in settings.TOTP_REQUIRED_ROLES or user.is_superuser


def password_expired(user):
    """True when the user must set a new password: forced, never set by them, or older than the limit."""
    if user.must_change_password or user.password_changed_at is None:
        return True
    max_age = settings.PASSWORD_MAX_AGE_DAYS
    return bool(max_age) and timezone.now() - user.password_changed_at > timedelta(days=max_age)


def _register_failure(user, *, factor):
    """Count one failed attempt on `user` (a row locked FOR UPDATE); lock the account at the limit.

    Returns the audit data. Must run inside the caller's transaction, which must then commit:
    the caller raises its error only after leaving the transaction.
    """
    user.failed_logins += 1
    data = {"failures": user.failed_logins, "factor": factor}
    if user.failed_logins >= settings.LOGIN_MAX_FAILURES:
        user.locked_until = timezone.now() + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
        user.failed_logins = 0
        data["locked_until"] = user.locked_until
    user.save(update_fields=["failed_logins", "locked_until"])
    return data


def _failure_message(user):
    if user.is_locked:
        return ApplicationError(
            f"连续 {settings.LOGIN_MAX_FAILURES} 次登录失败，账号已锁定 {settings.LOGIN_LOCKOUT_MINUTES} 分钟，请稍后再试或联系安全管理员解锁。",
            code="locked",
        )
    left = settings.LOGIN_MAX_FAILURES - user.failed_logins
    return ApplicationError(f"用户名或密码错误，再失败 {left} 次账号将被锁定。", code="bad_credentials")


def locked_message(user):
    minutes = max(1, int((user.locked_until - timezone.now()).total_seconds() // 60) + 1)
    return f"账号因连续登录失败已被锁定，请 {minutes} 分钟后再试，或联系安全管理员解锁。"


def login_check_password(*, username, password):
    """First login step. Returns the user, or raises ApplicationError with the reason in Chinese.

    Failed attempts are counted; after LOGIN_MAX_FAILURES the account is locked for
    LOGIN_LOCKOUT_MINUTES. Attempts on a locked account are refused without checking the password.
    The counter and the audit row are committed before the error is raised.
    """
    username = (username or "").strip()
    error = None
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=username).first()
        if user is not None and user.is_locked:
            audit_record(actor=user, action="auth.login_refused_locked", obj=user, success=False)
            error = ApplicationError(locked_message(user), code="locked")
        elif user is None:
            audit_record(
                actor=None,
                action="auth.login_failed",
                object_type="accounts.user",
                object_repr=username[:150],
                data={"reason": "unknown_user"},
                success=False,
            )
            error = ApplicationError("用户名或密码错误。", code="bad_credentials")
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


def _password_errors(password, user, field="password"):
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
    errors = _password_errors(new_password, user, "new_password")
    if errors:
        _fail(errors)
    user.set_password(new_password)
    user.password_changed_at = timezone.now()
    user.must_change_password = False
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    audit_record(actor=user, action="auth.password_changed", obj=user)
    return user


# --- account administration: 系统管理员 creates and edits, 安全管理员 handles credentials ---


def _assignment_errors(*, actor, target, role, region, unit, enterprise, phone):
    """Check role, jurisdiction, unit and enterprise of an account being created or edited."""
    errors = []
    if role not in Role.values:
        errors.append(("role", f"角色“{role}”无效。"))
        return errors
    if role == Role.ENTERPRISE:
        if enterprise is None:
            errors.append(("enterprise", "企业安全管理员须指定所属企业。"))
        elif not _in_actor_scope(actor, enterprise.region_id):
            errors.append(("enterprise", "该企业不在您的管辖范围内。"))
    if region is None:
        errors.append(("region", "请指定管辖区划。"))
    elif not _in_actor_scope(actor, region.code):
        errors.append(("region", f"区划“{region.name}”不在您的管辖范围内，不能分配。"))
    if role == Role.REGULATOR and unit is None:
        errors.append(("unit", "行业监管人员须指定所在单位（决定其监管行业）。"))
    if unit is not None:
        if not _in_actor_scope(actor, unit.region_id):
            errors.append(("unit", f"单位“{unit.name}”不在您的管辖范围内。"))
        elif region is not None and not in_subtree(region.code, unit.region_id):
            errors.append(("unit", f"管辖区划须在所在单位“{unit.name}”的区划之内。"))
    if role in ADMIN_ROLES and phone:
        # 三员分立: one person (identified by the phone number) may hold only one of the three administrator roles.
        clash = User.objects.filter(phone=phone, role__in=ADMIN_ROLES - {role}, is_active=True)
        if target is not None:
            clash = clash.exclude(pk=target.pk)
        other = clash.first()
        if other is not None:
            errors.append(
                ("phone", f"该手机号已用于{other.get_role_display()}账号“{other.username}”：三员须由不同人员担任。")
            )
    return errors


def username_problems(username):
    """Why `username` cannot be used for a new account (empty list when it can)."""
    if not username:
        return ["用户名不能为空。"]
    problems = []
    try:
        User.username_validator(username)
    except ValidationError:
        problems.append("用户名只能包含字母、数字及 @ . + - _ 字符。")
    if User.objects.filter(username__iexact=username).exists():
        problems.append(f"用户名“{username}”已存在。")
    return problems


def assignment_problems(*, actor, target, role, region, unit, enterprise, phone):
    """[(field, message)] for a role/region/unit/enterprise combination (what the services will refuse)."""
    if enterprise is not None and role == Role.ENTERPRISE:
        region = enterprise.region
    return _assignment_errors(
        actor=actor, target=target, role=role, region=region, unit=unit, enterprise=enterprise, phone=phone
    )


def password_problems(password, user):
    """The password policy's complaints about `password` for `user` (empty list when it passes)."""
    return [m for _, m in _password_errors(password, user)]


def _snapshot(user):
    return {
        "role": user.role,
        "region": user.region_id,
        "unit": user.unit.name if user.unit_id else None,
        "enterprise": user.enterprise.name if user.enterprise_id else None,
        "name": user.name,
        "phone": mask_phone(user.phone),
        "is_active": user.is_active,
    }


@transaction.atomic
def user_create(
    *,
    actor,
    username,
    password,
    role,
    region=None,
    unit=None,
    enterprise=None,
    name="",
    phone="",
    must_change_password=True,
    validate_password=True,
):
    """Create an account. `actor` None means the system itself (demo loader, first set-up).

    A 系统管理员 may only place accounts inside their own jurisdiction and never creates a
    superuser; the new user must change the initial password at first login.
    """
    _require(actor, "user.manage", "只有系统管理员可以创建用户。")
    username = (username or "").strip()
    name, phone = (name or "").strip(), (phone or "").strip()
    errors = [("username", m) for m in username_problems(username)]
    if enterprise is not None and role == Role.ENTERPRISE:
        region = enterprise.region
    errors += _assignment_errors(
        actor=actor, target=None, role=role, region=region, unit=unit, enterprise=enterprise, phone=phone
    )
    user = User(
        username=username,
        role=role,
        region=region,
        unit=unit,
        enterprise=enterprise if role == Role.ENTERPRISE else None,
        name=name,
        phone=phone,
        must_change_password=must_change_password,
        password_changed_at=timezone.now(),
    )
    if validate_password:
        errors += _password_errors(password, user)
    if errors:
        _fail(errors)
    user.set_password(password)
    user.save()
    if actor is not None:
        assert_in_scope(actor, user)
    audit_record(actor=actor, action="user.create", obj=user, data={"after": _snapshot(user)})
    return user


EDITABLE = ("name", "phone", "role", "region", "unit", "enterprise")
SELF_LOCKED = ("role", "region", "unit", "enterprise")


@transaction.atomic
def user_update(*, actor, user, data):
    """Change an account's name, phone, role, jurisdiction, unit or enterprise (keys of `data`).

    Nobody edits their own role or jurisdiction, and superuser accounts are out of reach.
    """
    _require(actor, "user.manage", "只有系统管理员可以修改用户。")
    if actor is not None:
        assert_in_scope(actor, user)
    locked = User.objects.select_for_update(of=("self",)).select_related("unit", "enterprise").get(pk=user.pk)
    if locked.is_superuser and not (actor is None or actor.is_superuser):
        raise ApplicationError("不能修改超级管理员账号。", code="forbidden")
    before = _snapshot(locked)
    values = {field: data.get(field, getattr(locked, field)) for field in EDITABLE}
    values["name"], values["phone"] = (values["name"] or "").strip(), (values["phone"] or "").strip()
    if values["role"] == Role.ENTERPRISE and values["enterprise"] is not None:
        values["region"] = values["enterprise"].region
    if values["role"] != Role.ENTERPRISE:
        values["enterprise"] = None
    errors = []
    if actor is not None and actor.pk == locked.pk:
        for field in SELF_LOCKED:
            if values[field] != getattr(locked, field):
                errors.append((field, "不能修改自己账号的角色、管辖区划、单位或企业，请由另一名系统管理员办理。"))
    errors += _assignment_errors(
        actor=actor,
        target=locked,
        role=values["role"],
        region=values["region"],
        unit=values["unit"],
        enterprise=values["enterprise"],
        phone=values["phone"],
    )
    if errors:
        _fail(errors)
    for field, value in values.items():
        setattr(locked, field, value)
    locked.save(update_fields=list(EDITABLE))
    if actor is not None:
        assert_in_scope(actor, locked)
    diff = changes(before, _snapshot(locked))
    if diff:
        audit_record(actor=actor, action="user.update", obj=locked, data={"changes": diff})
    return locked


@transaction.atomic
def user_set_active(*, actor, user, active):
    """Deactivate (停用) or reactivate an account. Deactivation also revokes the account's API tokens."""
    _require(actor, "user.manage", "只有系统管理员可以停用或启用用户。")
    if actor is not None:
        assert_in_scope(actor, user)
        if actor.pk == user.pk:
            raise ApplicationError("不能停用自己的账号。", code="forbidden")
    if user.is_superuser and not (actor is None or actor.is_superuser):
        raise ApplicationError("不能停用超级管理员账号。", code="forbidden")
    if user.is_active == active:
        return user
    user.is_active = active
    user.save(update_fields=["is_active"])
    revoked = 0
    if not active:
        revoked = user.api_tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit_record(
        actor=actor,
        action="user.activate" if active else "user.deactivate",
        obj=user,
        data={"changes": {"is_active": [not active, active]}, "tokens_revoked": revoked},
    )
    return user


def _security_target(actor, user, what):
    _require(actor, "security.manage", f"只有安全管理员可以{what}。")
    if actor is not None:
        assert_in_scope(actor, user)
        if actor.pk == user.pk:
            raise ApplicationError(f"不能为自己的账号{what}。", code="forbidden")
    if user.is_superuser and not (actor is None or actor.is_superuser):
        raise ApplicationError("不能处理超级管理员账号。", code="forbidden")


@transaction.atomic
def user_unlock(*, actor, user):
    """The 安全管理员 lifts a lockout."""
    _security_target(actor, user, "解锁账号")
    was = user.locked_until
    user.locked_until = None
    user.failed_logins = 0
    user.save(update_fields=["locked_until", "failed_logins"])
    audit_record(actor=actor, action="user.unlock", obj=user, data={"locked_until": was})
    return user


@transaction.atomic
def user_reset_totp(*, actor, user):
    """The 安全管理员 clears a lost second factor; the user binds a new one at the next login."""
    _security_target(actor, user, "重置动态口令")
    user.totp_secret, user.totp_confirmed, user.totp_last_step = "", False, 0
    user.save(update_fields=["totp_secret", "totp_confirmed", "totp_last_step"])
    audit_record(actor=actor, action="user.totp_reset", obj=user)
    return user


def temporary_password():
    """Twelve random characters holding all four character classes."""
    rng = secrets.SystemRandom()
    chars = [
        rng.choice(string.ascii_lowercase),
        rng.choice(string.ascii_uppercase),
        rng.choice(string.digits),
        rng.choice("@#%+=!"),
    ]
    chars += [rng.choice(string.ascii_letters + string.digits) for _ in range(8)]
    rng.shuffle(chars)
    return "".join(chars)


@transaction.atomic
def user_reset_password(*, actor, user):
    """Give `user` a random temporary password (returned once, never stored in clear); it must be changed at login."""
    _security_target(actor, user, "重置密码")
    password = temporary_password()
    user.set_password(password)
    user.must_change_password = True
    user.password_changed_at = timezone.now()
    user.locked_until, user.failed_logins = None, 0
    user.save(
        update_fields=["password", "must_change_password", "password_changed_at", "locked_until", "failed_logins"]
    )
    audit_record(actor=actor, action="user.password_reset", obj=user)
    return password


# --- API tokens ---


@transaction.atomic
def api_token_create(*, actor, name, days=365):
    """Create a token for `actor` and return (token, key); only the key's hash is stored."""
    name = (name or "").strip()
    if not name:
        _fail([("name", "请填写令牌用途。")])
    key = ApiToken.new_key()
    token = ApiToken.objects.create(
        user=actor,
        name=name[:100],
        prefix=key[:10],
        key_hash=ApiToken.hash_key(key),
        expires_at=timezone.now() + timedelta(days=days) if days else None,
    )
    audit_record(
        actor=actor,
        action="api_token.create",
        obj=token,
        region_code=actor.region_id or "",
        data={"name": token.name, "expires_at": token.expires_at},
    )
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
