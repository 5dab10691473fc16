"""Demo: the county bureau's cases (a fine decided and marked typical, one under 告知, a 停产整顿 decision)
and orders (one open from a demo inspection, one overdue, one reviewed) — through the services."""

from datetime import timedelta

from django.utils import timezone

from zhiben.accounts.models import User
from zhiben.enterprises.models import Enterprise

from . import services
from .models import EnforcementCase, RectificationOrder


def load(stdout=None):
    if EnforcementCase.objects.exists():
        return
    bureau = User.objects.filter(username="quyingji").first()
    if bureau is None or not bureau.unit_id:
        return
    today = timezone.localdate()
    enterprises = list(Enterprise.objects.for_user(bureau).filter(status="operating").order_by("id")[:5])
    if len(enterprises) < 5:
        return
    fined = services.case_create(
        actor=bureau,
        data={
            "enterprise": enterprises[0].pk,
            "violation": "未按规定对重大危险源进行定期检测、评估、监控",
            "legal_basis": "《中华人民共和国安全生产法》第一百零一条第（三）项",
            "filed_date": today - timedelta(days=40),
        },
        today=today,
    )
    services.case_transition(
        actor=bureau, case=fined, action="notify", data={"notice_date": today - timedelta(days=35)}
    )
    services.case_transition(
        actor=bureau,
        case=fined,
        action="decide",
        data={"measures": ["fine"], "fine": "50000", "decision_number": f"沙应急罚〔{today.year}〕1号"},
    )
    services.case_mark_typical(actor=bureau, case=fined)
    services.case_create(
        actor=bureau,
        data={
            "enterprise": enterprises[1].pk,
            "violation": "特种作业人员未持证上岗",
            "legal_basis": "《中华人民共和国安全生产法》第九十七条",
        },
    )
    suspended = services.case_create(
        actor=bureau,
        data={"enterprise": enterprises[2].pk, "violation": "重大事故隐患排除前无法保证安全仍继续生产"},
    )
    services.case_transition(
        actor=bureau,
        case=suspended,
        action="decide",
        data={"measures": ["suspension", "fine"], "fine": "80000", "decision_number": f"沙应急罚〔{today.year}〕2号"},
    )
    services.order_create(
        actor=bureau,
        data={
            "enterprise": enterprises[3].pk,
            "items": "1. 安全出口被货物堵塞\n2. 应急照明损坏",
            "deadline": today + timedelta(days=10),
        },
    )
    late = services.order_create(
        actor=bureau,
        data={"enterprise": enterprises[4].pk, "items": "1. 配电箱未接地", "deadline": today + timedelta(days=1)},
    )
    RectificationOrder.objects.filter(pk=late.pk).update(deadline=today - timedelta(days=8))
    done = services.order_create(
        actor=bureau,
        data={"enterprise": enterprises[1].pk, "items": "1. 灭火器过期未更换", "deadline": today + timedelta(days=2)},
    )
    services.order_review(actor=bureau, order=done, passed=True, opinion="已全部更换，整改到位。")


def summary():
    return f"{EnforcementCase.objects.count()} 件执法案件，{RectificationOrder.objects.count()} 份责令整改指令"
