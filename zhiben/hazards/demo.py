"""Demo hazards across channels, levels and stages, all made through the services; the overdue ones
then go up the escalation ladder (reminders, letters, interviews, with their documents)."""

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from zhiben.accounts.choices import Role
from zhiben.accounts.demo import own_enterprise
from zhiben.accounts.models import User
from zhiben.enterprises.models import Enterprise
from zhiben.escalation.services import escalate

from . import services as hz
from .choices import Channel, Status
from .models import CriteriaItem, Hazard

HAZARD_TEXTS = [
    ("配电箱未接地，电线私拉乱接", "behaviour"),
    ("安全出口被货物堵塞", "condition"),
    ("灭火器过期未更换", "condition"),
    ("有限空间未设置安全警示标志", "management"),
    ("特种作业人员无证上岗", "behaviour"),
    ("粉尘作业区积尘严重", "environment"),
    ("危化品仓库未分类存放", "management"),
    ("叉车司机未持证驾驶", "behaviour"),
    ("脚手架连墙件缺失", "condition"),
    ("燃气管道穿越卧室", "condition"),
    ("未建立隐患排查治理台账", "management"),
    ("消防通道被占用", "environment"),
    ("应急照明损坏", "condition"),
    ("员工未佩戴劳动防护用品", "behaviour"),
    ("机械传动部位防护罩缺失", "condition"),
]
# The demo's major hazards, each with the criteria item it meets (issue 25: a "特种作业人员无证上岗" cited
# an item about dust-explosion electrical equipment).
MAJOR_HAZARDS = [
    ("特种作业人员无证上岗", "behaviour", "第三条第（二）项"),
    ("粉尘作业区积尘严重，未落实清理制度", "environment", "第十一条第（八）项"),
    ("粉尘爆炸危险场所电气设备不防爆", "condition", "第十一条第（六）项"),
    ("有限空间作业未履行审批手续", "management", "第十三条第（三）项"),
]
MAJOR_ITEMS = [item for _, _, item in MAJOR_HAZARDS]


def _demo_photo(seed):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (480, 360), (90 + seed * 37 % 120, 140, 90 + seed * 53 % 120))
    ImageDraw.Draw(image).rectangle((60, 60, 420, 300), outline=(255, 255, 255), width=6)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=70)
    return SimpleUploadedFile(f"整改后照片{seed}.jpg", out.getvalue(), content_type="image/jpeg")


def load(stdout=None, count=240, seed=2026):
    """Hazards across channels, levels and stages, all made through the services; skipped if any exist."""
    if Hazard.objects.exists():
        return
    rng = random.Random(seed)
    users = {u.username: u for u in User.objects.all()}
    reviewers = {u.unit_id: u for u in User.objects.filter(role=Role.REGULATOR)}
    committee = users["anweiban"]
    enterprises = list(
        Enterprise.objects.filter(region__code__startswith="500106").exclude(status="closed").select_related("industry")
    )
    items = {i.number: i for i in CriteriaItem.objects.filter(number__in=MAJOR_ITEMS)}
    channels = [c for c in Channel.values if c != Channel.SELF_REPORT]
    today = timezone.localdate()
    start = date(2023, 9, 1)
    for n in range(count):
        enterprise = rng.choice(enterprises)
        text, category = rng.choice(HAZARD_TEXTS)
        found = start + timedelta(days=rng.randint(0, (today - start).days))
        major = rng.random() < 0.08
        if major:
            text, category, item = rng.choice(MAJOR_HAZARDS)
        data = {
            "enterprise": enterprise.pk,
            "channel": rng.choice(channels),
            "category": category,
            "description": f"{text}（{rng.choice(['一号车间', '二号仓库', '办公楼', '厂区东侧', '配电房', '原料库'])}）",
            "found_date": found,
            "found_by": rng.choice(["张检查", "李督导", "王网格"]),
            "responsible_person": enterprise.safety_manager or enterprise.principal,
            "measures": "立即落实整改，完善管理制度",
            "level": "major" if major else "general",
        }
        if major:
            data["criteria_item"] = items[item].pk
        hazard = hz.hazard_report(actor=committee, data=data, today=found)
        reviewer = reviewers.get(hazard.supervising_unit_id)
        age = (today - found).days
        stage = rng.random()
        if reviewer is None or stage < 0.1 and age < 60:
            continue
        if stage < 0.04:
            hz.hazard_transition(actor=reviewer, hazard=hazard, action="reject", note="经核实不属于事故隐患")
            continue
        hz.hazard_transition(actor=reviewer, hazard=hazard, action="verify", note="经核实属实")
        if major:
            hz.hazard_update_plan(
                actor=reviewer,
                hazard=hazard,
                data={
                    "funds": "50000",
                    "contingency": "设置警戒区域，停用相关设备",
                    "plan_goal": "彻底消除重大隐患",
                    "plan_method": "停产整改，更换不合格设备",
                    "plan_resources": "资金5万元已落实",
                    "plan_team": "企业主要负责人牵头，设备部3人",
                    "plan_schedule": "90日内完成并申请验收",
                    "plan_safety": "整改期间停止相关作业，配备应急器材",
                },
            )
            if rng.random() < 0.5:
                hazard = hz.hazard_list(actor=committee, hazard=hazard, note="区安委办挂牌督办")
        else:
            hz.hazard_update_plan(actor=reviewer, hazard=hazard, data={"funds": str(rng.choice([0, 500, 2000, 8000]))})
        if age < 20 and stage < 0.5:
            continue
        hz.hazard_transition(actor=reviewer, hazard=hazard, action="start")
        if hazard.deadline >= today and stage < 0.6 or stage < 0.15:
            continue  # still rectifying (some of them overdue)
        # the one who applies for 销号 is not the one who signs it off (rule hazard.signoff_by_other)
        signer = committee if hazard.listed_unit_id else reviewer
        applicant = reviewer if signer is committee else committee
        hz.hazard_attach(actor=applicant, hazard=hazard, kind="after", files=[_demo_photo(n)])
        late = timedelta(days=rng.choice([0, 0, 0, 0, 3, 10]))  # a few finish after their deadline
        rectified = min(today, hazard.deadline + late)
        # asked for up to two weeks ago, after the rectification ended: a few wait past their review deadline
        asked = max(rectified, today - timedelta(days=n * 7 % 15))
        hz.hazard_transition(actor=applicant, hazard=hazard, action="submit", rectified_date=rectified, today=asked)
        if stage < 0.25:
            continue
        hz.hazard_transition(actor=signer, hazard=hazard, action="close", note="整改到位，同意销号")
        # signed off a few days after the rectification, as it happens, not all on the day the demo loads
        signed = timezone.make_aware(datetime.combine(rectified + timedelta(days=rng.randint(1, 6)), time(10)))
        Hazard.objects.filter(pk=hazard.pk).update(closed_at=min(signed, timezone.now()))
    _recurring(committee, reviewers, enterprises, today)
    _extensions(committee, reviewers, today)
    _own_notice(committee, reviewers, today)
    escalate("hazard")  # the overdue demo hazards go up the ladder: reminders, letters, interviews (with documents)
    escalate("hazard_review")  # and the requests for 销号 left unreviewed, theirs


def _recurring(committee, reviewers, enterprises, today):
    """One hazard found three times at the same enterprise, closed after each of the first two: the third goes before
    the department and the 安委办 (hazard.repeat_alert_times)."""
    enterprise, reviewer = next(
        (e, reviewers[unit.pk])
        for e in enterprises
        if (unit := hz.supervising_unit_for(e.region_id, e.industry)) is not None and unit.pk in reviewers
    )
    for ago in (200, 120, 20):
        data = {
            "enterprise": enterprise.pk,
            "channel": Channel.SUPERVISION,
            "category": "condition",
            "description": "危化品仓库防爆电器损坏，可燃气体报警器失效（二号仓库）",
            "found_date": today - timedelta(days=ago),
            "found_by": "李督导",
            "responsible_person": enterprise.safety_manager or enterprise.principal,
            "measures": "更换防爆电器，检修报警器并联网",
            "level": "general",
        }
        hazard = hz.hazard_report(actor=committee, data=data, today=today - timedelta(days=ago))
        if ago == 20:
            continue
        hz.hazard_transition(actor=reviewer, hazard=hazard, action="verify", note="经核实属实")
        hz.hazard_update_plan(actor=reviewer, hazard=hazard, data={"funds": "3000"})
        hz.hazard_transition(actor=reviewer, hazard=hazard, action="start")
        hz.hazard_attach(actor=committee, hazard=hazard, kind="after", files=[_demo_photo(ago)])
        done = today - timedelta(days=ago - 10)
        hz.hazard_transition(actor=committee, hazard=hazard, action="submit", rectified_date=done)
        hz.hazard_transition(actor=reviewer, hazard=hazard, action="close", note="已更换防爆电器，同意销号")
        Hazard.objects.filter(pk=hazard.pk).update(closed_at=timezone.make_aware(datetime.combine(done, time(10))))


EXTENSION_REASONS = ["防爆电机订货周期长，预计下月到货", "整改须停产施工，需避开订单交付期", "改造方案须经专家论证"]


def _extensions(committee, reviewers, today):
    """Requests to move a deadline, the latest deadlines first (some asked only after theirs passed): one granted, one
    refused, the others waiting for their unit (the home page's 待审批延期)."""
    running = Hazard.objects.filter(status__in=(Status.VERIFIED, Status.RECTIFYING), historic=False)
    for n, hazard in enumerate(running.order_by("-deadline", "-id")[:4]):
        reviewer = reviewers.get(hazard.supervising_unit_id)
        extension = hz.hazard_request_extension(
            actor=committee,
            hazard=hazard,
            new_deadline=max(hazard.deadline, today) + timedelta(days=30),
            reason=EXTENSION_REASONS[n % len(EXTENSION_REASONS)],
            today=today,
        )
        if reviewer is not None and n < 2:
            note = "同意延期，请按期完成" if n == 0 else "理由不充分，请按原期限整改"
            hz.hazard_decide_extension(actor=reviewer, extension=extension, grant=n == 0, note=note)


def _own_notice(committee, reviewers, today):
    """The demo enterprise user's factory: a hazard its department found last week, verified and in rectification,
    with the 隐患整改通知书 the department issued (what an enterprise finds under 公文 and on its home page)."""
    from zhiben.documents.services import document_issue

    own = own_enterprise()
    if own is None:
        return
    found = today - timedelta(days=5)
    hazard = hz.hazard_report(
        actor=committee,
        data={
            "enterprise": own.pk,
            "channel": Channel.SUPERVISION,
            "description": "喷漆房排风机故障未修复，作业时漆雾积聚（涂装车间）",
            "found_date": found,
            "found_by": "李督导",
            "responsible_person": own.safety_manager or own.principal,
            "measures": "更换排风机电机并检测风量，修复前停止喷漆作业",
            "level": "general",
        },
        today=found,
    )
    reviewer = reviewers.get(hazard.supervising_unit_id)
    if reviewer is None:
        return
    hz.hazard_transition(actor=reviewer, hazard=hazard, action="verify", note="经核实属实")
    hazard = hz.hazard_transition(actor=reviewer, hazard=hazard, action="start")
    document_issue(
        actor=reviewer,
        kind="rectification_notice",
        subject=hazard,
        extra={"联系人": reviewer.display_name, "联系电话": "023-65000000"},
    )


def summary():
    return f"{Hazard.objects.count()} 条隐患"
