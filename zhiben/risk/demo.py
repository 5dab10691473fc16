"""Demo: risk points of all four colours at three of the county's enterprises (the demo enterprise user's
own first), with control measures; a site plan drawn with Pillow and the points placed on it; one point
whose review is overdue; one point cited by an open hazard."""

import io
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from zhiben.enterprises.choices import Status
from zhiben.enterprises.models import Enterprise

from . import services
from .models import RiskHazardLink, RiskPoint

# name, kind, location, factors, accident types, method, scores, exposed, measures [(type, level, text, who)], (x, y)
POINTS = [
    (
        "甲类罐区",
        "place",
        "厂区东北角",
        "易燃液体储罐泄漏，遇点火源引发火灾爆炸；罐区防火堤破损",
        "火灾、其他爆炸、中毒和窒息",
        "lec",
        {"l": "3", "e": "6", "c": "40"},
        12,
        [
            ("engineering", "company", "储罐设置液位、温度、可燃气体检测报警及紧急切断装置", "厂长 王厂"),
            ("emergency", "company", "编制罐区火灾爆炸专项应急预案，每半年演练一次", "安全科 李安全"),
        ],
        (78, 20),
    ),
    (
        "硝化反应工艺",
        "process",
        "一车间1号反应釜",
        "硝化反应放热失控，冷却中断导致超温超压",
        "其他爆炸、灼烫",
        "lec",
        {"l": "3", "e": "6", "c": "15"},
        8,
        [("engineering", "workshop", "反应釜温度与进料联锁，设置安全仪表系统", "一车间主任 赵车")],
        (32, 38),
    ),
    (
        "有限空间作业（污水池清理）",
        "activity",
        "污水处理站",
        "硫化氢、缺氧，未检测即进入",
        "中毒和窒息",
        "ls",
        {"l": "2", "s": "4"},
        3,
        [
            ("management", "team", "执行作业审批，先通风、再检测、后作业，设监护人", "班组长 钱班"),
            ("protection", "post", "配备正压式空气呼吸器和四合一气体检测仪", "作业人员"),
        ],
        (62, 72),
    ),
    (
        "配电室",
        "equipment",
        "综合楼一层",
        "带电设备绝缘老化，误操作触电",
        "触电、火灾",
        "ls",
        {"l": "1", "s": "3"},
        2,
        [("training", "post", "电工持证上岗，每年开展电气安全培训", "电工 孙电")],
        (15, 80),
    ),
]


def site_plan_png():
    """A plain site plan drawn with Pillow: fence, buildings, tank farm, roads and labels in Latin letters."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1000, 640), "#f4f1e8")
    draw = ImageDraw.Draw(image)
    draw.rectangle([20, 20, 980, 620], outline="#555", width=4)
    draw.rectangle([20, 290, 980, 330], fill="#d6d6d6")  # main road
    draw.rectangle([480, 20, 520, 620], fill="#d6d6d6")
    for box in ([100, 60, 440, 260], [100, 360, 440, 580], [560, 360, 940, 580]):
        draw.rectangle(box, fill="#e3e9f2", outline="#446", width=2)
    draw.rectangle([620, 50, 940, 240], fill="#f6e4e4", outline="#844", width=2)
    for cx in (690, 780, 870):
        for cy in (100, 190):
            draw.ellipse([cx - 32, cy - 32, cx + 32, cy + 32], outline="#844", width=3)
    for text, xy in (
        ("WORKSHOP 1", (200, 150)),
        ("OFFICE", (230, 460)),
        ("TANK FARM", (735, 140)),
        ("WWTP", (720, 460)),
    ):
        draw.text(xy, text, fill="#333")
    draw.text((30, 600), "N ^", fill="#333")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def load(stdout=None):
    if RiskPoint.objects.exists():
        return
    from zhiben.accounts.demo import own_enterprise

    county = "500106"
    plants = list(
        Enterprise.objects.filter(region__code__startswith=county, status=Status.OPERATING).order_by("id")[:3]
    )
    own = own_enterprise()
    if own is not None and own not in plants:
        plants = [own, *plants[:2]]
    if not plants:
        return
    today = timezone.localdate()
    first = plants[0]
    services.plan_upload(
        actor=None,
        enterprise=first,
        upload=SimpleUploadedFile("厂区平面布置图.png", site_plan_png(), content_type="image/png"),
    )
    made = []
    for number, enterprise in enumerate(plants):
        chosen = POINTS if number == 0 else POINTS[number::2]
        for name, kind, location, factors, types, method, scores, exposed, measures, xy in chosen:
            point = services.point_create(
                actor=None,
                data={
                    "enterprise": enterprise.pk,
                    "name": name,
                    "kind": kind,
                    "location": location,
                    "factors": factors,
                    "accident_types": types,
                    "method": method,
                    "exposed": exposed,
                    "responsible": measures[0][3],
                    "next_review": today + timedelta(days=90 + 30 * len(made)),
                    **scores,
                },
            )
            for kind_, level, text, who in measures:
                services.measure_add(
                    actor=None,
                    point=point,
                    data={"type": kind_, "control_level": level, "text": text, "responsible": who},
                )
            if number == 0:
                services.point_place(actor=None, point=point, x=xy[0], y=xy[1])
            made.append(point)
    # a review that was due three weeks ago (set directly: the service refuses a past date, as it should)
    late = made[1]
    RiskPoint.objects.filter(pk=late.pk).update(
        next_review=today - timedelta(days=21), reviewed_on=today - timedelta(days=386)
    )
    # an open hazard of the first enterprise cites the tank farm whose control failed
    from zhiben.hazards.choices import OPEN_STATUSES
    from zhiben.hazards.models import Hazard

    for enterprise in plants:
        hazard = Hazard.objects.filter(enterprise=enterprise, status__in=OPEN_STATUSES).order_by("id").first()
        point = next((p for p in made if p.enterprise_id == enterprise.pk), None)
        if hazard is not None and point is not None:
            services.hazard_link(actor=None, point=point, hazard=hazard, note="日常巡检发现管控措施未落实")
            break


def summary():
    return f"{RiskPoint.objects.filter(active=True).count()} 个风险点（{RiskHazardLink.objects.count()} 项隐患关联）"
