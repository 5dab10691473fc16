"""The audit log in the menu and on the 审计管理员's home page (registered from `AuditConfig.ready()`)."""

from datetime import timedelta

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from zhiben.core.registry import HomeSection, MenuEntry, register

from .models import AuditEvent


def home_cards(user):
    since = timezone.now() - timedelta(days=7)
    figures = (
        AuditEvent.objects.for_user(user)
        .filter(at__gte=since)
        .aggregate(
            total=Count("id"),
            failed=Count("id", filter=Q(success=False)),
            logins_failed=Count("id", filter=Q(action__startswith="auth.", success=False)),
        )
    )
    url = reverse("audit:list")
    day = since.astimezone(timezone.get_current_timezone()).date().isoformat()
    return [
        {"label": "近7天审计事件", "value": figures["total"], "url": f"{url}?date_from={day}", "tone": ""},
        {
            "label": "近7天失败操作",
            "value": figures["failed"],
            "url": f"{url}?date_from={day}&success=0",
            "tone": "red",
        },
        {
            "label": "近7天登录验证失败",
            "value": figures["logins_failed"],
            "url": f"{url}?date_from={day}&action=auth.&success=0",
            "tone": "orange",
        },
    ]


def offer_verify(user, summary):
    summary["audit_verify"] = True


register(
    MenuEntry("审计日志", "audit:list", "audit.view", order=140, group="设置"),
    HomeSection("audit", lambda user: user.can("audit.view"), home_cards, offer_verify, order=90, title="安全审计"),
)
