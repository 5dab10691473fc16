"""Accounts and their grants (三员分立): the 系统管理员 keeps accounts; business roles come from the
安委办管理员 of the jurisdiction; administrator roles need another administrator's approval."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from zhiben.audit.services import audit_record, changes
from zhiben.core import crypto
from zhiben.core.exceptions import ApplicationError
from zhiben.core.scoping import assert_in_scope, in_subtree, region_chain
from zhiben.core.services import actor_covers as _in_actor_scope
from zhiben.core.services import ensure_capability as _require
from zhiben.core.services import fail as _fail
from zhiben.notifications.services import notify

from ..choices import ADMIN_ROLES, LinkPurpose, RequestStatus, Role
from ..models import RoleRequest, User, mask_phone
from .credentials import issue_password_link, notify_owner
from .login import password_errors, revoke_tokens

# --- account administration: the 系统管理员 keeps accounts, the 安委办 grants business roles, another
# administrator approves administrator roles, the 安全管理员 handles locks and credentials ---

NO_SELF_GRANT = "不能为自己的账号授予或申请角色，请由他人办理。"
ADMIN_ROLE_REQUIRES_PHONE = "管理员账号须登记本人手机号：三员分立按手机号识别人员，重置链接也发送到该手机。"


def _assignment_errors(*, actor, role, region, unit, enterprise):
    """Check role, jurisdiction, unit and enterprise of a grant against `actor`'s jurisdiction."""
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
    return errors


def _person_errors(*, target, phone, role):
    """三员分立 by person, a person being known by their phone number: an administrator account's phone
    is on no other active account, and an account's phone is not an administrator's."""
    if role in ADMIN_ROLES and not phone:
        return [("phone", ADMIN_ROLE_REQUIRES_PHONE)]
    index = crypto.blind_index(phone)
    if not index:
        return []
    others = User.objects.filter(phone_index=index, is_active=True)
    if target is not None and target.pk:
        others = others.exclude(pk=target.pk)
    if role not in ADMIN_ROLES:
        others = others.filter(role__in=ADMIN_ROLES)
    other = others.first()
    if other is None:
        return []
    if other.role in ADMIN_ROLES:
        return [
            (
                "phone",
                f"该手机号已用于{other.get_role_display()}账号“{other.username}”：管理员须由专人担任，"
                "不能兼任其他管理员或业务账号。",
            )
        ]
    return [
        (
            "phone",
            f"该手机号已用于账号“{other.username}”：三员须由不同人员担任，管理员不能同时持有其他账号。",
        )
    ]


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


def assignment_problems(*, actor, target, role, region, unit, enterprise, phone=None):
    """[(field, message)] for a role/region/unit/enterprise combination (what the services will refuse).
    `phone` None: the account's own phone (a grant on an existing account)."""
    if enterprise is not None and role == Role.ENTERPRISE:
        region = enterprise.region
    errors = _assignment_errors(actor=actor, role=role, region=region, unit=unit, enterprise=enterprise)
    if phone is None:
        phone = target.phone if target is not None else ""
    return errors + _person_errors(target=target, phone=phone, role=role)


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


def _role_label(role):
    return Role(role).label if role in Role.values else role


@transaction.atomic
def user_create(
    *,
    actor,
    username,
    region=None,
    role=Role.NONE,
    unit=None,
    enterprise=None,
    name="",
    phone="",
    reason="",
    password=None,
    must_change_password=True,
    validate_password=True,
):
    """Create an account. `actor` None means the system itself (demo loader, first set-up), which may
    give the role and the password at once.

    A 系统管理员 creates the account inside their jurisdiction with no role and no usable password:
    a one-time link goes to the owner's phone (required) to set it. A `role` they name becomes a role
    request for the 安委办 (business roles) or another administrator (administrator roles) to approve.
    Never a superuser.
    """
    _require(actor, "user.manage", "只有系统管理员可以创建用户。")
    username = (username or "").strip()
    name, phone, role = (name or "").strip(), (phone or "").strip(), role or Role.NONE
    errors = [("username", m) for m in username_problems(username)]
    if enterprise is not None and role == Role.ENTERPRISE:
        region = enterprise.region
    errors += _assignment_errors(actor=actor, role=role, region=region, unit=unit, enterprise=enterprise)
    if actor is not None:
        if password:
            errors.append(("password", "管理员不能为他人设置密码：账号激活链接将发送到本人手机，由本人设置密码。"))
        if not phone:
            errors.append(("phone", "请填写本人手机号：账号激活链接发送到该手机。"))
    if phone:
        errors += _person_errors(target=None, phone=phone, role=role)
    direct = actor is None
    user = User(
        username=username,
        role=role if direct else Role.NONE,
        region=region,
        unit=unit if direct or role != Role.ENTERPRISE else None,
        enterprise=enterprise if direct and role == Role.ENTERPRISE else None,
        name=name,
        phone=phone,
        must_change_password=must_change_password or not direct,
        password_changed_at=timezone.now(),
    )
    if password and validate_password:
        errors += password_errors(password, user)
    if errors:
        _fail(errors)
    if password and direct:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    if actor is not None:
        assert_in_scope(actor, user)
    audit_record(actor=actor, action="user.create", obj=user, data={"after": _snapshot(user)})
    if not user.has_usable_password() and phone:
        issue_password_link(actor=actor, user=user, purpose=LinkPurpose.ACTIVATE)
    if not direct and role:
        _request_grant(
            actor=actor, user=user, role=role, region=region, unit=unit, enterprise=enterprise, reason=reason
        )
    return user


EDITABLE = ("name", "phone")
GRANTED = ("role", "region", "unit", "enterprise")


@transaction.atomic
def user_update(*, actor, user, data):
    """Change an account's name or phone (keys of `data`); the owner is told of a new phone, on the old one.

    Role, jurisdiction, unit and enterprise are a grant: `user_grant`. Superuser accounts are out of reach.
    """
    _require(actor, "user.manage", "只有系统管理员可以修改用户。")
    if actor is not None:
        assert_in_scope(actor, user)
    locked = User.objects.select_for_update(of=("self",)).select_related("unit", "enterprise").get(pk=user.pk)
    if locked.is_superuser and not (actor is None or actor.is_superuser):
        raise ApplicationError("不能修改超级管理员账号。", code="forbidden")
    granted = [f for f in GRANTED if f in data and data[f] != getattr(locked, f)]
    if granted:
        _fail(
            [
                (
                    granted[0],
                    "角色、管辖区划、单位和企业属于授权，不能在此修改：请使用“授权”（由安委办管理员授予业务角色，"
                    "管理员角色须另一名管理员审批）。",
                )
            ]
        )
    before = _snapshot(locked)
    old_phone = locked.phone
    name = (data.get("name", locked.name) or "").strip()
    phone = (data.get("phone", locked.phone) or "").strip()
    if phone != old_phone:
        errors = _person_errors(target=locked, phone=phone, role=locked.role)
        if errors:
            _fail(errors)
        if old_phone or phone:
            notify_owner(
                locked,
                "账号手机号已变更",
                f"您的账号“{locked.username}”登记的手机号已由管理员改为 {mask_phone(phone) or '（空）'}。"
                "如非本人申请，请立即联系安全管理员。",
                phone=old_phone,
            )
    locked.name, locked.phone = name, phone
    locked.save(update_fields=["name", "phone", "phone_index"])
    diff = changes(before, _snapshot(locked))
    if diff:
        audit_record(actor=actor, action="user.update", obj=locked, data={"changes": diff})
    return locked


def _grant_mode(actor, target, role):
    """How `actor` may give `role` to `target`: "direct" or "request"; raises when neither."""
    if actor is None:
        return "direct"
    if actor.pk == target.pk:
        raise ApplicationError(NO_SELF_GRANT, code="forbidden")
    if target.is_superuser and not actor.is_superuser:
        raise ApplicationError("不能修改超级管理员账号。", code="forbidden")
    if actor.is_superuser:
        return "direct"
    if not role:
        if actor.can("user.manage") or (actor.can("user.grant") and target.role not in ADMIN_ROLES):
            return "direct"
        raise ApplicationError("管理员账号的角色只能由系统管理员撤销。", code="forbidden")
    if role in ADMIN_ROLES:
        if actor.can("user.manage"):
            return "request"
        raise ApplicationError("管理员角色只能由系统管理员申请，并须另一名管理员审批。", code="forbidden")
    if target.role in ADMIN_ROLES:
        _fail(
            [
                (
                    "role",
                    "管理员账号不能直接改为业务角色：请系统管理员先撤销其管理员角色（改为无角色），再授予业务角色。",
                )
            ]
        )
    if actor.can("user.grant"):
        return "direct"
    if actor.can("user.manage"):
        return "request"
    raise ApplicationError("业务角色只能由辖区安委办管理员授予。", code="forbidden")


def _grant_values(role, region, unit, enterprise):
    if role == Role.ENTERPRISE and enterprise is not None:
        region = enterprise.region
    if role != Role.ENTERPRISE:
        enterprise = None
    return role or Role.NONE, region, unit, enterprise


@transaction.atomic
def user_grant(*, actor, user, role, region=None, unit=None, enterprise=None, reason=""):
    """Give `user` a role with its jurisdiction, unit and enterprise (`role` "" takes the role away).

    Returns (user, None) when granted at once — a business role by the 安委办管理员 of the jurisdiction,
    any withdrawal of a role, the system itself — or (user, RoleRequest) when it waits for a second
    person: business roles the 系统管理员 asks for, and every administrator role.
    """
    if actor is not None:
        if not (actor.can("user.manage") or actor.can("user.grant")):
            raise ApplicationError("只有系统管理员或安委办管理员可以办理授权。", code="forbidden")
        assert_in_scope(actor, user)
    locked = User.objects.select_for_update(of=("self",)).select_related("region", "unit").get(pk=user.pk)
    if not role:  # a withdrawal keeps the account where it is
        region, unit, enterprise = locked.region, locked.unit, None
    role, region, unit, enterprise = _grant_values(role, region or locked.region, unit, enterprise)
    if _grant_mode(actor, locked, role) == "request":
        return locked, _request_grant(
            actor=actor, user=locked, role=role, region=region, unit=unit, enterprise=enterprise, reason=reason
        )
    if role:
        errors = _assignment_errors(actor=actor, role=role, region=region, unit=unit, enterprise=enterprise)
        errors += _person_errors(target=locked, phone=locked.phone, role=role)
        if errors:
            _fail(errors)
    _apply_grant(actor=actor, user=locked, role=role, region=region, unit=unit, enterprise=enterprise)
    return locked, None


def _apply_grant(*, actor, user, role, region, unit, enterprise, request=None):
    """Write the grant on `user` (locked), revoke its API tokens, audit it and tell the owner."""
    before = _snapshot(user)
    user.role, user.region, user.unit, user.enterprise = role, region, unit, enterprise
    user.save(update_fields=list(GRANTED))
    if actor is not None:
        assert_in_scope(actor, user)
    diff = changes(before, _snapshot(user))
    if not diff:
        return user
    revoked = revoke_tokens(user)
    data = {"changes": diff, "tokens_revoked": revoked}
    if request is not None:
        data["request"] = request.pk
        data["requested_by"] = request.requested_by.username if request.requested_by_id else None
    audit_record(actor=actor, action="user.grant" if role else "user.revoke_role", obj=user, data=data)
    where = f"{user.region.name}" if user.region_id else ""
    body = (
        f"您的账号“{user.username}”的角色已变更为“{_role_label(role)}”"
        + (f"（管辖区划：{where}）" if where and role else "")
        + "。原有接口令牌已吊销。如有疑问，请联系安全管理员。"
    )
    notify_owner(user, "账号角色已变更", body)
    return user


def _approvers(request):
    """Who may decide `request`: the 安委办管理员 over its jurisdiction, or for an administrator role the
    other administrators over it (neither the requester nor the owner)."""
    qs = User.objects.filter(is_active=True, region_id__in=region_chain(request.region_id))
    if request.for_administrator:
        qs = qs.filter(role__in=ADMIN_ROLES)
    else:
        qs = qs.filter(role=Role.COMMITTEE_ADMIN)
    return qs.exclude(pk__in=[request.user_id, request.requested_by_id or 0])


def _request_grant(*, actor, user, role, region, unit, enterprise, reason=""):
    """Record a pending request for a second person to approve, and tell those who may approve it."""
    role, region, unit, enterprise = _grant_values(role, region, unit, enterprise)
    errors = _assignment_errors(actor=actor, role=role, region=region, unit=unit, enterprise=enterprise)
    errors += _person_errors(target=user, phone=user.phone, role=role)
    if RoleRequest.objects.filter(user=user, status=RequestStatus.PENDING).exists():
        errors.append(("role", f"账号“{user.username}”已有待审批的授权申请，请等待审批或先撤回。"))
    if errors:
        _fail(errors)
    request = RoleRequest.objects.create(
        user=user,
        role=role,
        region=region,
        unit=unit,
        enterprise=enterprise,
        reason=(reason or "").strip()[:200],
        requested_by=actor,
    )
    audit_record(
        actor=actor,
        action="role_request.create",
        obj=request,
        region_code=region.code,
        data={"user": user.username, "role": role, "region": region.code, "unit": unit.name if unit else None},
    )
    who = "另一名管理员" if request.for_administrator else "辖区安委办管理员"
    notify(
        subject=f"待审批：为“{user.display_name}”授予{_role_label(role)}",
        body=(
            f"{actor.display_name if actor else '系统'}申请为账号“{user.username}”授予“{_role_label(role)}”"
            f"（{region.name}），须由{who}审批。" + (f"说明：{request.reason}" if request.reason else "")
        ),
        url=reverse("accounts:role_requests"),
        users=list(_approvers(request)),
        obj=request,
        region_code=region.code,
    )
    return request


def decision_refusal(actor, request):
    """Why `actor` may not approve or refuse `request` (None when they may). Pages show buttons by it."""
    if actor is None:
        return None
    if not request.is_pending:
        return f"该申请已{request.get_status_display()}。"
    if request.requested_by_id == actor.pk:
        return "不能审批自己提出的申请：须由另一人审批。"
    if request.user_id == actor.pk:
        return "不能审批授予自己账号的角色。"
    if actor.is_superuser:
        return None
    if request.for_administrator:
        if not actor.can("admin.approve"):
            return "管理员角色须由另一名管理员（系统、安全或审计管理员）审批。"
    elif not actor.can("user.grant"):
        return "业务角色须由辖区安委办管理员审批。"
    if not _in_actor_scope(actor, request.region_id):
        return "该申请的管辖区划不在您的管辖范围内。"
    return None


def _lock_pending(request):
    current = RoleRequest.objects.select_for_update().select_related("user", "region").get(pk=request.pk)
    if not current.is_pending:
        raise ApplicationError(f"该申请已{current.get_status_display()}，不能再处理。", code="conflict")
    return current


@transaction.atomic
def role_request_decide(*, actor, role_request, approve, note=""):
    """Approve (the grant is written) or refuse a pending request. The decider is another person than the
    requester and the owner: the 安委办 for a business role, another administrator for an administrator role."""
    current = _lock_pending(role_request)
    refusal = decision_refusal(actor, current)
    if refusal:
        raise ApplicationError(refusal, code="forbidden")
    note = (note or "").strip()[:200]
    if approve:
        user = User.objects.select_for_update(of=("self",)).get(pk=current.user_id)
        if not user.is_active:
            raise ApplicationError(f"账号“{user.username}”已停用，不能授权。")
        if not current.for_administrator and user.role in ADMIN_ROLES:
            raise ApplicationError("该账号现为管理员账号，不能直接改为业务角色：请系统管理员先撤销其管理员角色。")
        errors = _assignment_errors(
            actor=actor, role=current.role, region=current.region, unit=current.unit, enterprise=current.enterprise
        )
        errors += _person_errors(target=user, phone=user.phone, role=current.role)
        if errors:
            _fail(errors)
    current.status = RequestStatus.APPROVED if approve else RequestStatus.REFUSED
    current.decided_by, current.decided_at, current.decision_note = actor, timezone.now(), note
    current.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit_record(
        actor=actor,
        action="role_request.approve" if approve else "role_request.refuse",
        obj=current,
        region_code=current.region_id,
        data={"user": current.user.username, "role": current.role, "note": note},
    )
    if approve:
        _apply_grant(
            actor=actor,
            user=user,
            role=current.role,
            region=current.region,
            unit=current.unit,
            enterprise=current.enterprise,
            request=current,
        )
    if current.requested_by_id:
        verdict = "已批准" if approve else "被拒绝"
        notify(
            subject=f"授权申请{verdict}：{current.user.display_name} → {_role_label(current.role)}",
            body=f"{actor.display_name if actor else '系统'}{verdict}该申请。" + (f"意见：{note}" if note else ""),
            url=reverse("accounts:role_requests"),
            users=[current.requested_by],
            obj=current,
            region_code=current.region_id,
        )
    return current


@transaction.atomic
def role_request_withdraw(*, actor, role_request):
    """The requester takes back a pending request."""
    current = _lock_pending(role_request)
    if actor is not None and current.requested_by_id != actor.pk:
        raise ApplicationError("只能撤回自己提出的申请。", code="forbidden")
    current.status, current.decided_by, current.decided_at = RequestStatus.WITHDRAWN, actor, timezone.now()
    current.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(actor=actor, action="role_request.withdraw", obj=current, region_code=current.region_id)
    return current


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
    if active and user.phone:
        errors = _person_errors(target=user, phone=user.phone, role=user.role)
        if errors:
            _fail(errors)
    user.is_active = active
    user.save(update_fields=["is_active"])
    revoked = 0 if active else revoke_tokens(user)
    audit_record(
        actor=actor,
        action="user.activate" if active else "user.deactivate",
        obj=user,
        data={"changes": {"is_active": [not active, active]}, "tokens_revoked": revoked},
    )
    return user
