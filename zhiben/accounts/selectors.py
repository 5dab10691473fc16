"""Reads of user accounts, always through `for_user`."""

from datetime import timedelta

from django.conf import settings
from django.db.models import F, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from zhiben.core import crypto
from zhiben.core.scoping import subtree_q

from .choices import RequestStatus, Role
from .models import RoleRequest, User

DORMANT_DAYS = 90


# the orders the user list offers (?sort=), the username breaking ties
USER_SORTS = {
    "username": ("username",),
    "name": ("name", "username"),
    "role": ("role", "username"),
    "region": ("region_id", "username"),
    "-last_login": (F("last_login").desc(nulls_last=True), "username"),
    "last_login": (F("last_login").asc(nulls_first=True), "username"),
}


def user_list(*, user, filters=None):
    """Accounts `user` may see, narrowed by role ("none": no role yet), region subtree, active state and
    text: part of the username or name, or a whole phone number (matched through its blind index only,
    so a search never reveals a number digit by digit); ordered by `sort` (USER_SORTS, username by default)."""
    filters = filters or {}
    qs = User.objects.for_user(user).select_related("region", "unit", "enterprise")
    if filters.get("role") == "none":
        qs = qs.filter(role=Role.NONE)
    elif filters.get("role"):
        qs = qs.filter(role=filters["role"])
    if (filters.get("region") or "").strip():
        region = subtree_q(filters["region"])
        qs = qs.filter(region) if region is not None else qs.none()
    if filters.get("active") == "1":
        qs = qs.filter(is_active=True)
    elif filters.get("active") == "0":
        qs = qs.filter(is_active=False)
    text = (filters.get("q") or "").strip()
    if text:
        qs = qs.filter(Q(username__icontains=text) | Q(name__icontains=text) | Q(phone_index=crypto.blind_index(text)))
    phone = crypto.blind_index(filters.get("phone") or "")
    if phone:
        qs = qs.filter(phone_index=phone)
    return qs.order_by(*USER_SORTS.get(filters.get("sort") or "", USER_SORTS["username"]))


def user_get(*, user, pk):
    return get_object_or_404(User.objects.for_user(user).select_related("region", "unit", "enterprise"), pk=pk)


def security_overview(*, user):
    """What the 安全管理员 watches: locked accounts, second factors, dormant accounts."""
    now = timezone.now()
    users = User.objects.for_user(user).filter(is_active=True).select_related("region")
    privileged = Q(role__in=settings.TOTP_REQUIRED_ROLES) | Q(is_superuser=True)
    return {
        "locked": list(users.filter(locked_until__gt=now).order_by("locked_until")),
        "totp_bound": users.filter(totp_confirmed=True).order_by("username"),
        "totp_missing": users.filter(privileged, totp_confirmed=False).order_by("username"),
        "dormant": users.filter(
            Q(last_login__lt=now - timedelta(days=DORMANT_DAYS))
            | Q(last_login__isnull=True, date_joined__lt=now - timedelta(days=DORMANT_DAYS))
        ).order_by("last_login"),
        "dormant_days": DORMANT_DAYS,
    }


def role_requests(*, user):
    """The role requests `user` deals with: pending ones they may decide, pending ones they asked for, and
    the latest decided ones in their jurisdiction."""
    from .services import decision_refusal

    qs = RoleRequest.objects.for_user(user).select_related(
        "user", "region", "unit", "enterprise", "requested_by", "decided_by"
    )
    pending = list(qs.filter(status=RequestStatus.PENDING).order_by("requested_at", "id"))
    return {
        "to_decide": [r for r in pending if decision_refusal(user, r) is None],
        "mine": [r for r in pending if r.requested_by_id == user.pk],
        "others": [r for r in pending if r.requested_by_id != user.pk and decision_refusal(user, r) is not None],
        "decided": list(qs.exclude(status=RequestStatus.PENDING)[:50]),
    }


def role_request_get(*, user, pk):
    return get_object_or_404(
        RoleRequest.objects.for_user(user).select_related("user", "region", "unit", "enterprise", "requested_by"),
        pk=pk,
    )


def pending_role_requests(*, user):
    """How many pending requests `user` may decide now (the home card and the user list's link)."""
    from .services import decision_refusal

    qs = RoleRequest.objects.for_user(user).filter(status=RequestStatus.PENDING).select_related("user")
    return sum(1 for r in qs if decision_refusal(user, r) is None)
