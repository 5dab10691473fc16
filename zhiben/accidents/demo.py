"""Demo: the county's accidents through the services — a general one closed after 四不放过, a larger one
under investigation and 挂牌督办, a fresh one whose report to the city is late, last year's for comparison —
and the county's annual target."""

from datetime import timedelta

from django.utils import timezone

from zhiben.accounts.models import User
from zhiben.enterprises.models import Enterprise

from . import services
from .models import Accident, Target


def _at(days, hours=0):
    return timezone.localtime(timezone.now() - timedelta(days=days, hours=hours)).strftime("%Y-%m-%d %H:%M")


def load(stdout=None):
    if Accident.objects.exists():
        return
    bureau = User.objects.filter(username="quyingji").first()
    office = User.objects.filter(username="anweiban").first()
    if bureau is None or office is None:
        return
    enterprises = list(Enterprise.objects.for_user(bureau).filter(status="operating").order_by("id")[:4])
    if len(enterprises) < 4:
        return
    today = timezone.localdate()

    def record(enterprise, days, kind, account, hours=2, **figures):
        return services.accident_report(
            actor=bureau,
            data={
                "enterprise": enterprise.pk,
                "occurred_at": _at(days, hours),
                "learned_at": _at(days, hours),
                "reported_at": _at(days, hours - 0.5),
                "type": kind,
                "account": account,
                **figures,
            },
        )

    # last year, for the year-on-year figures
    record(
        enterprises[0], 380, "fall", "一名工人在厂房屋顶检修时未系安全带，从约6米高处坠落，经抢救无效死亡。", deaths=1
    )
    record(
        enterprises[1], 400, "electric", "电工带电检修配电柜，触电后经抢救无效死亡。", deaths=1, direct_loss="900000"
    )
    # a general accident, investigated and closed after 四不放过
    closed = record(
        enterprises[0],
        70,
        "machinery",
        "员工清理破碎机卡料时未停机断电，手臂被卷入，经抢救无效死亡。",
        deaths=1,
        direct_loss="1350000",
    )
    for _ in range(closed.steps.filter(reported_at__isnull=True).count()):
        services.step_report(
            actor=bureau,
            accident=closed,
            data={"reported_at": _at(70, 0.5), "recipient": "重庆市应急管理局值班室", "method": "电话"},
        )
    services.investigation_start(
        actor=bureau,
        accident=closed,
        data={
            "lead_unit": "沙坪坝区应急管理局",
            "leader": "刘急",
            "members": "区应急局、区公安分局、区总工会、凤凰镇政府",
            "started_on": today - timedelta(days=68),
        },
    )
    services.investigation_update(
        actor=bureau,
        accident=closed,
        data={
            "causes": "直接原因：作业人员违章清理运转中的破碎机。间接原因：企业未落实停机断电挂牌上锁制度，安全培训流于形式。",
            "education_on": today - timedelta(days=3),
            "education_note": "全区建材企业警示教育会，120人参加",
        },
    )
    party = services.party_add(
        actor=bureau,
        accident=closed,
        data={"name": enterprises[0].name, "kind": "enterprise", "responsibility": "未落实安全生产主体责任"},
    )
    services.party_handle(
        actor=bureau, party=party, data={"handling": "罚款30万元", "handled_on": today - timedelta(days=10)}
    )
    measure = services.measure_add(
        actor=bureau,
        accident=closed,
        data={"text": "全厂转动设备安装联锁并推行挂牌上锁", "responsible": enterprises[0].name, "deadline": today},
    )
    services.measure_done(actor=bureau, measure=measure)
    services.investigation_submit(actor=bureau, accident=closed, data={"submitted_on": today - timedelta(days=20)})
    services.accident_approve(
        actor=bureau,
        accident=closed,
        data={"approved_on": today - timedelta(days=12), "approval_number": f"沙府批〔{today.year}〕3号"},
    )
    services.accident_close(actor=bureau, accident=closed)
    # a larger accident: under investigation, 挂牌督办
    larger = record(
        enterprises[2],
        20,
        "poisoning",
        "三名工人进入污水池清淤，未检测、未通风，先后中毒窒息，经抢救无效死亡。",
        deaths=3,
        direct_loss="4200000",
    )
    for _ in range(2):
        services.step_report(
            actor=bureau,
            accident=larger,
            data={"reported_at": _at(20, 0.5), "recipient": "上级应急管理部门值班室", "method": "电话"},
        )
    services.investigation_start(
        actor=bureau,
        accident=larger,
        data={"lead_unit": "重庆市应急管理局", "leader": "市应急局副局长", "started_on": today - timedelta(days=19)},
    )
    services.accident_list(
        actor=office, accident=larger, note="典型有限空间事故，市安委办挂牌督办，60日内查清原因、严肃追责"
    )
    # a fresh accident: reported to the county 4½ hours ago, the report to the city (due 2 hours later) is late
    record(
        enterprises[3], 0, "struck", "吊装作业时钢管滑落，砸伤地面一名工人，已送医院救治。", hours=5, serious_injuries=1
    )
    last_year_deaths = 2
    Target.objects.get_or_create(
        region_id=bureau.region_id,
        year=today.year,
        defaults={
            "max_larger": 0,
            "max_deaths": int(last_year_deaths * 0.95),
            "created_by": office,
            "note": "杜绝较大以上事故，死亡人数同比下降",
        },
    )


def summary():
    return f"{Accident.objects.count()} 起生产安全事故"
