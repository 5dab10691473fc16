"""Reads of user accounts, always through `for_user`."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from zhiben.core.scoping import subtree_q

from .models import User

DORMANT_DAYS = 90


def user_list(*, user, filters=None):
    """Accounts `user` may see, narrowed by role, region subtree, active state and text."""
    filters = filters or {}
    qs = User.objects.for_user(user).select_related("region", "unit", "enterprise")
    if filters.get("role"):
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
        qs = qs.filter(Q(username__icontains=text) | Q(name__icontains=text) | Q(phone__contains=text))
    return qs.order_by("username")


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
