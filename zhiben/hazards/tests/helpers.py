"""Small builders for hazard tests (on top of the fixed cast in zhiben.testing)."""

import io
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from zhiben.hazards import services
from zhiben.hazards.choices import AttachmentKind, Status
from zhiben.hazards.models import CriteriaItem, Hazard


def png_bytes(color=(200, 30, 30)):
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(out, "PNG")
    return out.getvalue()


def photo(name="after.png", color=(20, 160, 40)):
    return SimpleUploadedFile(name, png_bytes(color), content_type="image/png")


PLAN = {
    "responsible_person": "张三",
    "measures": "更换防爆电气，清理积尘",
    "funds": "20000",
    "contingency": "设置警戒区，停用相关设备",
    "plan_goal": "消除粉尘爆炸风险",
    "plan_method": "改造除尘系统",
    "plan_resources": "资金2万元已落实",
    "plan_team": "设备科3人",
    "plan_schedule": "30日内完成",
    "plan_safety": "整改期间停产，配备灭火器",
}


def report(actor, enterprise, **data):
    base = {
        "enterprise": enterprise.pk,
        "channel": "supervision",
        "level": "general",
        "description": "配电箱未接地，电线私拉乱接",
        "location": "一号车间",
    }
    base.update(data)
    return services.hazard_report(actor=actor, data=base)


def major(actor, enterprise, **data):
    item = CriteriaItem.objects.get(number="第十一条第（六）项")
    return report(
        actor, enterprise, level="major", criteria_item=item.pk, description="粉尘爆炸危险场所电气设备不防爆", **data
    )


def ready(hazard, actor, *, status=Status.VERIFIED, with_photo=True):
    """Fill the plan and evidence directly, then set `status` (for table-driven tests)."""
    due = timezone.localdate() + timedelta(days=20)
    Hazard.objects.filter(pk=hazard.pk).update(**PLAN, deadline=due, original_deadline=due)
    if with_photo:
        services._attach(hazard, actor, AttachmentKind.AFTER, photo())
    Hazard.objects.filter(pk=hazard.pk).update(status=status)
    hazard.refresh_from_db()
    return hazard
