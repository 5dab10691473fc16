"""What the home page shows, per role and scope."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone


def _card(label, value, url, tone=""):
    return {"label": label, "value": value, "url": url, "tone": tone}


def home_summary(*, user):
    """Cards for the home page. Business roles see their jurisdiction's figures, an enterprise user their
    own enterprise, and each of the three administrators only what their duty needs."""
    summary = {"cards": []}
    cards = summary["cards"]
    if user.can("hazard.view"):
        _hazard_cards(user, cards)
    if user.enterprise_id:
        summary["enterprise"] = user.enterprise
    elif user.can("enterprise.view"):
        _business_cards(user, summary)
    if user.can("unit.view") and not user.enterprise_id:
        from zhiben.regions.models import Unit

        cards.append(_card("单位", Unit.objects.for_user(user).filter(is_active=True).count(), reverse("regions:unit_list")))
    if user.can("user.manage"):
        _system_cards(user, cards)
    if user.can("security.manage"):
        _security_cards(user, cards)
    if user.can("audit.view"):
        _audit_cards(user, summary)
    return summary


def _hazard_cards(user, cards):
    """重大事故隐患动态清零 at a glance: open, overdue, major, stock left, increment, listed."""
    from zhiben.hazards.selectors import hazard_counts

    counts = hazard_counts(user=user)
    url = reverse("hazards:list")
    cards += [
        _card("未销号隐患", counts["open"], f"{url}?status=open"),
        _card("逾期未整改", counts["overdue"], f"{url}?overdue=1", "red" if counts["overdue"] else ""),
        _card("重大隐患（未销号）", counts["major_open"], f"{url}?status=open&level=major", "red" if counts["major_open"] else ""),
        _card(f"存量未清零（{counts['baseline']:%Y-%m-%d}前）", counts["stock_open"], f"{url}?stock=stock&status=open", "orange" if counts["stock_open"] else ""),
        _card("增量隐患", counts["increment"], f"{url}?stock=increment"),
        _card("挂牌督办中", counts["listed_open"], f"{url}?listed=1&status=open"),
    ]


def _business_cards(user, summary):
    from zhiben.enterprises.models import Enterprise

    enterprises = Enterprise.objects.for_user(user)
    figures = enterprises.aggregate(
        total=Count("id"),
        high_risk=Count("id", filter=Q(high_risk=True)),
        suspended=Count("id", filter=Q(status="suspended")),
    )
    url = reverse("enterprises:list")
    summary["cards"] += [
        _card("生产经营单位", figures["total"], url),
        _card("高危企业", figures["high_risk"], f"{url}?high_risk=1", "red"),
        _card("停产整顿", figures["suspended"], f"{url}?status=suspended", "orange"),
    ]
    summary["by_industry"] = list(enterprises.values("industry__name").annotate(n=Count("id")).order_by("-n")[:8])


def _system_cards(user, cards):
    from zhiben.accounts.models import User
    from zhiben.regions.models import Region

    users = User.objects.for_user(user).aggregate(active=Count("id", filter=Q(is_active=True)),
                                                  inactive=Count("id", filter=Q(is_active=False)))
    cards += [
        _card("在用账号", users["active"], reverse("accounts:user_list") + "?active=1"),
        _card("已停用账号", users["inactive"], reverse("accounts:user_list") + "?active=0"),
        _card("行政区划", Region.objects.for_user(user).count(), reverse("regions:region_list")),
    ]


def _security_cards(user, cards):
    from zhiben.accounts.models import User

    users = User.objects.for_user(user).filter(is_active=True)
    privileged = Q(role__in=settings.TOTP_REQUIRED_ROLES) | Q(is_superuser=True)
    url = reverse("accounts:security")
    cards += [
        _card("已锁定账号", users.filter(locked_until__gt=timezone.now()).count(), url, "red"),
        _card("特权账号未绑定动态口令", users.filter(privileged, totp_confirmed=False).count(), url, "orange"),
    ]


def _audit_cards(user, summary):
    from zhiben.audit.models import AuditEvent

    since = timezone.now() - timedelta(days=7)
    events = AuditEvent.objects.for_user(user).filter(at__gte=since)
    figures = events.aggregate(total=Count("id"), failed=Count("id", filter=Q(success=False)),
                               logins_failed=Count("id", filter=Q(action__startswith="auth.", success=False)))
    url = reverse("audit:list")
    day = since.astimezone(timezone.get_current_timezone()).date().isoformat()
    summary["cards"] += [
        _card("近7天审计事件", figures["total"], f"{url}?date_from={day}"),
        _card("近7天失败操作", figures["failed"], f"{url}?date_from={day}&success=0", "red"),
        _card("近7天登录验证失败", figures["logins_failed"], f"{url}?date_from={day}&action=auth.&success=0", "orange"),
    ]
    summary["audit_verify"] = True
