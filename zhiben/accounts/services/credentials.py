"""Credentials handled for someone else, never seen by an administrator: one-time links to set a
password (new accounts, resets), lockouts, second-factor resets, and API tokens."""

import secrets
import string
from datetime import timedelta
from functools import lru_cache

from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from zhiben.audit.services import audit_record
from zhiben.core.db import prepared_cursor, row_instances, select_list
from zhiben.core.exceptions import ApplicationError
from zhiben.core.scoping import assert_in_scope
from zhiben.core.services import ensure_capability as _require
from zhiben.core.services import fail as _fail
from zhiben.notifications.services import notify

from ..choices import LinkPurpose
from ..models import TOKEN_MAX_DAYS, ApiToken, PasswordLink, User, mask_phone
from .login import password_errors, revoke_tokens


def notify_owner(user, subject, body, *, url="", phone=None):
    """Tell the account's owner: an inbox message, and an SMS to their phone (`phone`: another number,
    e.g. the one just replaced)."""
    phone = user.phone if phone is None else phone
    notify(
        subject=subject,
        body=body,
        url=url,
        users=[user],
        contacts=[(user.display_name, phone)] if phone else [],
        obj=user,
        region_code=user.region_id or "",
    )


def issue_password_link(*, actor, user, purpose):
    """A new one-time link for `user` to set their password, sent to them alone; earlier unused links die."""
    now = timezone.now()
    user.password_links.filter(used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
    key = PasswordLink.new_key()
    link = PasswordLink.objects.create(
        user=user,
        purpose=purpose,
        key_hash=PasswordLink.hash_key(key),
        created_by=actor,
        created_at=now,
        expires_at=now + PasswordLink.lifetime(),
    )
    hours = int(PasswordLink.lifetime().total_seconds() // 3600)
    if purpose == LinkPurpose.ACTIVATE:
        subject = "账号已开通，请设置密码"
        body = (
            f"您的平台账号“{user.username}”已开通。请在 {hours} 小时内打开链接设置登录密码（链接仅能使用一次）。"
            "如非本人申请，请勿打开并联系安全管理员。"
        )
    else:
        subject = "密码已重置，请设置新密码"
        body = (
            f"您的账号“{user.username}”的密码已由安全管理员重置，原密码已失效。请在 {hours} 小时内打开链接设置新密码"
            "（链接仅能使用一次）。如非本人申请，请立即联系安全管理员。"
        )
    notify_owner(user, subject, body, url=reverse("accounts:password_set", args=[key]))
    return link, key


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
    """The 安全管理员 clears a lost second factor: the owner binds a new one at the next login.
    The account's API tokens are revoked and the owner is told."""
    _security_target(actor, user, "重置动态口令")
    user.totp_secret, user.totp_confirmed, user.totp_last_step = "", False, 0
    user.save(update_fields=["totp_secret", "totp_confirmed", "totp_last_step"])
    revoked = revoke_tokens(user)
    audit_record(actor=actor, action="user.totp_reset", obj=user, data={"tokens_revoked": revoked})
    notify_owner(
        user,
        "动态口令已重置",
        f"您的账号“{user.username}”的动态口令已由安全管理员重置，下次登录时须重新绑定认证器；原有接口令牌已吊销。"
        "如非本人申请，请立即联系安全管理员。",
    )
    return user


def temporary_password():
    """Twelve random characters holding all four character classes (tests and scripts; never shown to an
    administrator: resets send the owner a link)."""
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
    """The 安全管理员 resets a password: the old one stops working, the account is unlocked, its API tokens
    are revoked, and a one-time link (LINK_HOURS, single use) goes to the owner's phone and inbox to set a
    new one. Returns the link row; its key is never shown to the administrator."""
    _security_target(actor, user, "重置密码")
    if not user.phone:
        raise ApplicationError(
            f"账号“{user.username}”未登记手机号，无法把重置链接发给本人：请先由系统管理员登记本人手机号。",
            code="no_phone",
        )
    user.set_unusable_password()
    user.must_change_password = True
    user.locked_until, user.failed_logins = None, 0
    user.save(update_fields=["password", "must_change_password", "locked_until", "failed_logins"])
    revoked = revoke_tokens(user)
    link, _ = issue_password_link(actor=actor, user=user, purpose=LinkPurpose.RESET)
    audit_record(
        actor=actor,
        action="user.password_reset",
        obj=user,
        data={"link_expires_at": link.expires_at, "sent_to": mask_phone(user.phone), "tokens_revoked": revoked},
    )
    return link


def password_link_get(key):
    """The usable link for `key` (unused, unexpired, its account active), or None."""
    if not key:
        return None
    link = PasswordLink.objects.select_related("user").filter(key_hash=PasswordLink.hash_key(key)).first()
    if link is None or not link.is_valid or not link.user.is_active:
        return None
    return link


@transaction.atomic
def password_link_use(*, key, password, password2):
    """The owner sets their password through a one-time link; the link is spent (a conditional update,
    so two submissions cannot both succeed). Returns the user."""
    link = password_link_get(key)
    if link is None:
        raise ApplicationError("链接无效、已使用或已过期，请联系安全管理员重新发送。", code="invalid_link")
    user = User.objects.select_for_update(of=("self",)).get(pk=link.user_id)
    errors = password_errors(password, user)
    if password != password2:
        errors.append(("password2", "两次输入的密码不一致。"))
    if errors:
        _fail(errors)
    now = timezone.now()
    if not PasswordLink.objects.filter(pk=link.pk, used_at__isnull=True, expires_at__gt=now).update(used_at=now):
        raise ApplicationError("链接无效、已使用或已过期，请联系安全管理员重新发送。", code="invalid_link")
    user.set_password(password)
    user.password_changed_at = now
    user.must_change_password = False
    user.locked_until, user.failed_logins = None, 0
    user.save(
        update_fields=["password", "password_changed_at", "must_change_password", "locked_until", "failed_logins"]
    )
    audit_record(actor=user, action="auth.password_set", obj=user, data={"purpose": link.purpose})
    return user


# --- API tokens ---


@transaction.atomic
def api_token_create(*, actor, name, days=TOKEN_MAX_DAYS):
    """Create a token for `actor` and return (token, key); only the key's hash is stored.
    Every token expires, after at most TOKEN_MAX_DAYS (one year, also the default)."""
    name = (name or "").strip()
    errors = [] if name else [("name", "请填写令牌用途。")]
    days = TOKEN_MAX_DAYS if days is None else days
    if not 1 <= days <= TOKEN_MAX_DAYS:
        errors.append(("days", f"令牌有效期须为 1 至 {TOKEN_MAX_DAYS} 天。"))
    if errors:
        _fail(errors)
    key = ApiToken.new_key()
    token = ApiToken.objects.create(
        user=actor,
        name=name[:100],
        prefix=key[:10],
        key_hash=ApiToken.hash_key(key),
        expires_at=timezone.now() + timedelta(days=days),
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
    """Return the user owning bearer `key` when the token is live and the account active and not locked, or None."""
    if not key or not key.startswith("zb_"):
        return None
    token = _token_with_user(ApiToken.hash_key(key))
    if token is None or not token.is_valid or not token.user.is_active or token.user.is_locked:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@lru_cache(maxsize=1)
def _token_sql():
    """The statement reading a token by its hash with its user (see select_list), written once per process (every
    integration call authenticates; compiling the same read through the ORM took ~1 ms of it)."""
    quote = connection.ops.quote_name
    user_id = quote(ApiToken._meta.get_field("user").column)
    return (
        f"SELECT {select_list(('t', ApiToken), ('u', User))} FROM {quote(ApiToken._meta.db_table)} t "
        f"JOIN {quote(User._meta.db_table)} u ON u.{quote('id')} = t.{user_id} "
        f"WHERE t.{quote('key_hash')} = %s"
    )


def _token_with_user(key_hash):
    """The token whose hash is `key_hash` (unique) with its user, or None."""
    with prepared_cursor() as cursor:
        cursor.execute(_token_sql(), [key_hash])
        row = cursor.fetchone()
    if row is None:
        return None
    (token, user), _ = row_instances(row, ApiToken, User)
    token.user = user
    return token
