"""Demo: the county bureau's cases (a fine decided and marked typical, one just filed, a 停产整顿 decision)
and orders (one open, one overdue, one reviewed), and an order and a case from the bureau's completed
enforcement inspection — through the services."""

from datetime import timedelta

from django.utils import timezone

from zhiben.accounts.models import User
from zhiben.enterprises.models import Enterprise
from zhiben.inspections.models import Inspection

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
    _from_inspection(bureau, today)


def _from_inspection(bureau, today):
    """The bureau's completed enforcement inspection with failed items: an order prefilled from it and a
    case citing it (the 执法检查 → 责令整改 → 立案 chain)."""
    inspection = (
        Inspection.objects.for_user(bureau)
        .filter(unit_id=bureau.unit_id, kind="enforcement", status="completed", items__result="fail")
        .order_by("-date", "-id")
        .first()
    )
    if inspection is None or inspection.enterprise.status != "operating":
        return
    services.order_create(
        actor=bureau,
        data={
            "enterprise": inspection.enterprise_id,
            "inspection": inspection.pk,
            "deadline": today + timedelta(days=15),
        },
    )
    services.case_create(
        actor=bureau,
        data={
            "enterprise": inspection.enterprise_id,
            "inspection": inspection.pk,
            "violation": "执法检查发现未按规定开展安全生产教育和培训，未如实记录教育培训情况",
            "legal_basis": "《中华人民共和国安全生产法》第九十七条第（三）项、第（四）项",
            "filed_date": max(inspection.date, today - timedelta(days=30)),
        },
        today=today,
    )


def summary():
    return f"{EnforcementCase.objects.count()} 件执法案件，{RectificationOrder.objects.count()} 份责令整改指令"
