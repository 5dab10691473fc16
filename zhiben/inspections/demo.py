"""Demo: a checklist from the 工贸 criteria plus free items, inspections by the town's 应急办 and the county
bureau (one 四不两直, one 执法检查 with two certified inspectors), results recorded and a failed item filed
as a hazard — all through the services."""

from datetime import timedelta

from django.utils import timezone

from zhiben.accounts.models import User
from zhiben.enterprises.models import Enterprise
from zhiben.hazards.models import CriteriaItem

from . import services
from .models import ChecklistTemplate, Inspection, InspectorCredential


def load(stdout=None):
    if Inspection.objects.exists():
        return
    users = {u.username: u for u in User.objects.filter(username__in=["anweiban", "yingji", "quyingji"])}
    if len(users) < 3:
        return
    today = timezone.localdate()
    committee, town, bureau = users["anweiban"], users["yingji"], users["quyingji"]
    checklist = services.checklist_save(actor=committee, data={"name": "工贸企业重大事故隐患检查表（通用）"})
    items = CriteriaItem.objects.filter(standard__code__icontains="gongmao").order_by("sort")[:8]
    if not items:
        items = CriteriaItem.objects.order_by("standard_id", "sort")[:8]
    services.checklist_add_items(
        actor=committee,
        template=checklist,
        criteria_ids=[i.pk for i in items],
        texts=["安全出口、疏散通道畅通，未被占用、堵塞", "灭火器材在有效期内并定点摆放"],
    )
    for n, user in enumerate((bureau, committee)):
        InspectorCredential.objects.get_or_create(
            number=f"500106{n + 1:05d}",
            defaults={"user": user, "issuer": "重庆市人民政府", "valid_until": today + timedelta(days=700)},
        )
    for n in range(4):
        kind = "enforcement" if n == 0 else "supervision"
        actor = bureau if kind == "enforcement" else town
        team = [bureau.pk, committee.pk] if kind == "enforcement" else [town.pk]
        enterprise = (
            Enterprise.objects.for_user(actor)
            .filter(region__code__startswith="500106105", status="operating")
            .order_by("id")[n]
        )
        inspection = services.inspection_create(
            actor=actor,
            data={
                "kind": kind,
                "enterprise": enterprise.pk,
                "planned_date": today - timedelta(days=10 - n),
                "unannounced": n == 1,
                "inspectors": team,
            },
        )
        if n == 3:
            continue  # planned, not yet carried out
        services.inspection_transition(actor=actor, inspection=inspection, action="start", checklist=checklist)
        for m, item in enumerate(inspection.items.all()):
            failed = m == n + 1
            services.item_record(
                actor=actor,
                item=item,
                result="fail" if failed else ("na" if m % 5 == 4 else "pass"),
                note="现场发现不符合要求" if failed else "",
            )
            if failed:
                services.item_to_hazard(actor=actor, item=item, level="general")
        if n != 2:
            services.inspection_transition(
                actor=actor, inspection=inspection, action="complete", summary="现场检查完毕。"
            )


def summary():
    return f"{Inspection.objects.count()} 次监督检查，{ChecklistTemplate.objects.count()} 张检查表"
