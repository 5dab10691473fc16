"""Accounts in the menu, on the administrators' home pages and in the demo (registered from `AccountsConfig.ready()`)."""

from django.conf import settings
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from zhiben.core.registry import DemoLoader, HomeSection, MenuEntry, register

from . import demo, selectors
from .models import User


def system_cards(user):
    """The 系统管理员: accounts in use and stopped, and the region tree."""
    from zhiben.regions.models import Region

    users = User.objects.for_user(user).aggregate(
        active=Count("id", filter=Q(is_active=True)), inactive=Count("id", filter=Q(is_active=False))
    )
    return [
        {"label": "在用账号", "value": users["active"], "url": reverse("accounts:user_list") + "?active=1", "tone": ""},
        {
            "label": "已停用账号",
            "value": users["inactive"],
            "url": reverse("accounts:user_list") + "?active=0",
            "tone": "",
        },
        {
            "label": "行政区划",
            "value": Region.objects.for_user(user).count(),
            "url": reverse("regions:region_list"),
            "tone": "",
        },
    ]


def security_cards(user):
    """The 安全管理员: locked accounts and privileged accounts without a second factor."""
    users = User.objects.for_user(user).filter(is_active=True)
    privileged = Q(role__in=settings.TOTP_REQUIRED_ROLES) | Q(is_superuser=True)
    url = reverse("accounts:security")
    return [
        {
            "label": "已锁定账号",
            "value": users.filter(locked_until__gt=timezone.now()).count(),
            "url": url,
            "tone": "red",
        },
        {
            "label": "特权账号未绑定动态口令",
            "value": users.filter(privileged, totp_confirmed=False).count(),
            "url": url,
            "tone": "orange",
        },
    ]


def request_cards(user):
    """Role requests waiting for this person's decision (安委办: business roles; administrators: each other's)."""
    return [
        {
            "label": "待我审批的授权申请",
            "value": selectors.pending_role_requests(user=user),
            "url": reverse("accounts:role_requests"),
            "tone": "orange",
        }
    ]


register(
    MenuEntry("用户", "accounts:user_list", "user.view", order=120, group="设置"),
    MenuEntry("账号安全", "accounts:security", "security.manage", order=130, group="设置"),
    HomeSection("accounts", lambda user: user.can("user.manage"), system_cards, order=70, title="系统与安全管理"),
    HomeSection("security", lambda user: user.can("security.manage"), security_cards, order=80, title="系统与安全管理"),
    HomeSection(
        "role_requests", lambda user: user.can("role_request.view"), request_cards, order=85, title="系统与安全管理"
    ),
    DemoLoader("accounts", demo.load, demo.summary, demo.account_lines, order=20),
)
