"""Account endpoints under /api/v1/users/, following the same rules as the pages (三员分立).

Every endpoint checks the caller's capability before it looks anything up, so a caller without the
right gets 403 for every id and cannot tell which accounts exist; inside the right, accounts outside
the caller's jurisdiction are 404. Phones are returned masked; `phone=` searches a whole number only.
"""

from datetime import datetime

from ninja import Router, Schema, Status
from ninja.pagination import paginate

from zhiben.core.api import Pages, refusals
from zhiben.core.exceptions import ApplicationError
from zhiben.core.views import require_capability
from zhiben.enterprises.models import Enterprise
from zhiben.regions.models import Region, Unit

from . import selectors, services
from .models import RoleRequest, mask_phone

router = Router(tags=["用户"])


def _require_any(user, *capabilities):
    if not any(user.can(c) for c in capabilities):
        require_capability(user, capabilities[0])


def _refuse(field, message):
    raise ApplicationError(message, errors=[{"field": field, "message": message}])


def _region(user, code):
    if not code:
        return None
    region = Region.objects.for_user(user).filter(code=str(code).strip().ljust(12, "0")).first()
    return region or _refuse("region", f"区划“{code}”不存在或不在您的管辖范围内。")


def _unit(user, pk):
    if not pk:
        return None
    unit = Unit.objects.for_user(user).filter(pk=pk).first()
    return unit or _refuse("unit", f"单位 {pk} 不存在或不在您的管辖范围内。")


def _enterprise(user, code):
    if not code:
        return None
    enterprise = Enterprise.objects.for_user(user).filter(credit_code=code.strip().upper()).first()
    return enterprise or _refuse("enterprise_code", "未找到该统一社会信用代码的企业，或企业不在您的管辖范围内。")


class UserOut(Schema):
    id: int
    username: str
    name: str
    role: str
    role_label: str
    region_id: str | None
    unit_id: int | None
    enterprise_id: int | None
    phone: str
    is_active: bool
    is_locked: bool
    totp_confirmed: bool
    last_login: datetime | None

    @staticmethod
    def resolve_role_label(obj):
        return obj.get_role_display()

    @staticmethod
    def resolve_phone(obj):
        return mask_phone(obj.phone)


class RoleRequestOut(Schema):
    id: int
    user_id: int
    username: str
    role: str
    role_label: str
    region_id: str
    unit_id: int | None
    enterprise_id: int | None
    reason: str
    status: str
    requested_by: str | None
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str

    @staticmethod
    def resolve_username(obj):
        return obj.user.username

    @staticmethod
    def resolve_role_label(obj):
        return obj.get_role_display()

    @staticmethod
    def resolve_requested_by(obj):
        return obj.requested_by.username if obj.requested_by_id else None

    @staticmethod
    def resolve_decided_by(obj):
        return obj.decided_by.username if obj.decided_by_id else None


class GrantOut(Schema):
    """`granted`: the role is in force now; otherwise `request` waits for a second person."""

    granted: bool
    user: UserOut
    request: RoleRequestOut | None = None


class UserCreateIn(Schema):
    username: str
    name: str = ""
    phone: str
    region: str = ""
    role: str = ""
    unit: int | None = None
    enterprise_code: str = ""
    reason: str = ""


class UserUpdateIn(Schema):
    name: str | None = None
    phone: str | None = None


class GrantIn(Schema):
    role: str = ""
    region: str = ""
    unit: int | None = None
    enterprise_code: str = ""
    reason: str = ""


class ActiveIn(Schema):
    active: bool


class DecisionIn(Schema):
    note: str = ""


class ResetOut(Schema):
    detail: str
    expires_at: datetime | None = None


def _grant_args(user, payload):
    return {
        "role": payload.role,
        "region": _region(user, payload.region),
        "unit": _unit(user, payload.unit),
        "enterprise": _enterprise(user, payload.enterprise_code),
        "reason": payload.reason,
    }


@router.get("/", response={200: list[UserOut], **refusals(403)})
@paginate(Pages, page_size=50)
def list_users(request, q: str = "", phone: str = "", role: str = "", region: str = "", active: str = ""):
    """Accounts in the caller's jurisdiction; `q` matches part of a username or name (or a whole phone),
    `phone` a whole number."""
    require_capability(request.user, "user.view")
    filters = {"q": q, "phone": phone, "role": role, "region": region, "active": active}
    return selectors.user_list(user=request.user, filters=filters)


@router.post("/", response={201: GrantOut, **refusals(400, 403)})
def create_user(request, payload: UserCreateIn):
    """A new account without a role or a password: the activation link goes to the owner's phone; a
    named role becomes a request for another person to approve."""
    require_capability(request.user, "user.manage")
    user = services.user_create(
        actor=request.user,
        username=payload.username,
        name=payload.name,
        phone=payload.phone,
        **_grant_args(request.user, payload),
    )
    pending = user.role_requests.filter(status="pending").first()
    return Status(201, {"granted": False, "user": user, "request": pending})


@router.get("/role-requests", response={200: list[RoleRequestOut], **refusals(403)})
def list_role_requests(request, status: str = "pending"):
    """Role requests in the caller's jurisdiction (`status`: pending, approved, refused, withdrawn, or '' for all)."""
    require_capability(request.user, "role_request.view")
    qs = RoleRequest.objects.for_user(request.user).select_related("user", "requested_by", "decided_by")
    return list(qs.filter(status=status)[:200] if status else qs[:200])


@router.post("/role-requests/{pk}/approve", response={200: RoleRequestOut, **refusals(400, 403, 404)})
def approve_role_request(request, pk: int, payload: DecisionIn):
    _require_any(request.user, "admin.approve", "user.grant")
    role_request = selectors.role_request_get(user=request.user, pk=pk)
    return services.role_request_decide(actor=request.user, role_request=role_request, approve=True, note=payload.note)


@router.post("/role-requests/{pk}/refuse", response={200: RoleRequestOut, **refusals(400, 403, 404)})
def refuse_role_request(request, pk: int, payload: DecisionIn):
    _require_any(request.user, "admin.approve", "user.grant")
    role_request = selectors.role_request_get(user=request.user, pk=pk)
    return services.role_request_decide(actor=request.user, role_request=role_request, approve=False, note=payload.note)


@router.post("/role-requests/{pk}/withdraw", response={200: RoleRequestOut, **refusals(400, 403, 404)})
def withdraw_role_request(request, pk: int):
    require_capability(request.user, "user.manage")
    role_request = selectors.role_request_get(user=request.user, pk=pk)
    return services.role_request_withdraw(actor=request.user, role_request=role_request)


@router.get("/{pk}", response={200: UserOut, **refusals(403, 404)})
def get_user(request, pk: int):
    require_capability(request.user, "user.view")
    return selectors.user_get(user=request.user, pk=pk)


@router.patch("/{pk}", response={200: UserOut, **refusals(400, 403, 404)})
def update_user(request, pk: int, payload: UserUpdateIn):
    """Name and phone; a role, jurisdiction, unit or enterprise goes through POST /users/{id}/grant."""
    require_capability(request.user, "user.manage")
    target = selectors.user_get(user=request.user, pk=pk)
    return services.user_update(actor=request.user, user=target, data=payload.dict(exclude_none=True))


@router.post("/{pk}/grant", response={200: GrantOut, **refusals(400, 403, 404)})
def grant_user(request, pk: int, payload: GrantIn):
    """Granted at once by the 安委办管理员 (business roles, in their jurisdiction); a request for another
    person to approve when the 系统管理员 asks. `role` "" withdraws the role."""
    _require_any(request.user, "user.grant", "user.manage")
    target = selectors.user_get(user=request.user, pk=pk)
    user, pending = services.user_grant(actor=request.user, user=target, **_grant_args(request.user, payload))
    return {"granted": pending is None, "user": user, "request": pending}


@router.post("/{pk}/active", response={200: UserOut, **refusals(400, 403, 404)})
def set_user_active(request, pk: int, payload: ActiveIn):
    require_capability(request.user, "user.manage")
    target = selectors.user_get(user=request.user, pk=pk)
    return services.user_set_active(actor=request.user, user=target, active=payload.active)


@router.post("/{pk}/unlock", response={200: UserOut, **refusals(400, 403, 404)})
def unlock_user(request, pk: int):
    require_capability(request.user, "security.manage")
    target = selectors.user_get(user=request.user, pk=pk)
    return services.user_unlock(actor=request.user, user=target)


@router.post("/{pk}/reset-password", response={200: ResetOut, **refusals(400, 403, 404)})
def reset_password(request, pk: int):
    """The old password stops working; a one-time link goes to the owner. No password is returned."""
    require_capability(request.user, "security.manage")
    target = selectors.user_get(user=request.user, pk=pk)
    link = services.user_reset_password(actor=request.user, user=target)
    return {
        "detail": f"设置新密码的一次性链接已发送到本人手机 {mask_phone(target.phone)} 和站内消息。",
        "expires_at": link.expires_at,
    }


@router.post("/{pk}/reset-totp", response={200: ResetOut, **refusals(400, 403, 404)})
def reset_totp(request, pk: int):
    require_capability(request.user, "security.manage")
    target = selectors.user_get(user=request.user, pk=pk)
    services.user_reset_totp(actor=request.user, user=target)
    return {"detail": "动态口令已重置，本人下次登录时重新绑定；已通知本人。"}
