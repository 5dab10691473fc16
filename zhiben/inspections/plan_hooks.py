"""Registry entries of inspection plans, draws and the expert pool (imported by hooks.py), and their demo:
a few experts, 执法证 for the demo regulators and their unit colleagues, and an enforcement plan of the
county's 应急管理局 drawn with a fixed seed, confirmed and published — all through the services."""

from datetime import timedelta

from zhiben.core.registry import DemoLoader, MenuEntry, RuleDef, register

DEMO_PLAN = "2026年危险化学品和机械行业执法检查双随机抽查"
DEMO_SEED = "20260315"  # e.g. the number of a public lottery draw, announced before the draw
COLLEAGUES = [("quzhifa", "张法"), ("quzhifa2", "黄执")]  # colleagues of quyingji in 沙坪坝区应急管理局
EXPERTS = [
    ("赵安全", "13800000001", "注册安全工程师", "重庆市安全生产科学研究院", ["hazchem", "metallurgy"]),
    ("钱化工", "13800000002", "高级工程师（化工）", "重庆化工设计研究院", ["hazchem"]),
    ("孙机械", "13800000003", "高级工程师（机械）", "重庆大学", ["machinery", "light"]),
    ("李特设", "13800000004", "特种设备检验师", "沙坪坝区特种设备检验所", ["machinery", "special_equipment"]),
    ("周消防", "13800000005", "注册消防工程师", "重庆消防技术服务中心", ["fire", "commerce", "hazchem"]),
]


def demo_load(stdout=None):
    from django.utils import timezone

    from zhiben.accounts.demo import demo_user
    from zhiben.accounts.models import User
    from zhiben.regions.models import Region

    from . import draws, plan_services
    from .models import Expert, InspectionPlan, InspectorCredential

    if InspectionPlan.objects.filter(name=DEMO_PLAN).exists():
        return
    users = {u.username: u for u in User.objects.filter(username__in=["anweiban", "yingji", "quyingji"])}
    if len(users) < 3:
        return
    bureau_user = users["quyingji"]
    county = Region.objects.get(code="500106000000")
    for username, name in COLLEAGUES:
        if not User.objects.filter(username=username).exists():
            demo_user(username=username, role=bureau_user.role, name=name, region=county, unit=bureau_user.unit)
    today = timezone.localdate()
    holders = [users["yingji"], users["quyingji"], *User.objects.filter(username__in=[u for u, _ in COLLEAGUES])]
    for n, user in enumerate(holders, start=1):
        if not InspectorCredential.objects.filter(user=user).exists():
            InspectorCredential.objects.create(
                user=user,
                number=f"渝执500106{n + 10:05d}",
                issuer="重庆市人民政府",
                valid_from=today - timedelta(days=400),
                valid_until=today + timedelta(days=900),
            )
    committee = users["anweiban"]
    for name, phone, title, employer, specialties in EXPERTS:
        if not Expert.objects.filter(name=name).exists():
            plan_services.expert_save(
                actor=committee,
                data={
                    "name": name,
                    "phone": phone,
                    "title": title,
                    "employer": employer,
                    "specialties": specialties,
                    "region": county.code,
                },
            )
    plan = plan_services.plan_save(
        actor=bureau_user,
        data={
            "name": DEMO_PLAN,
            "region": county.code,
            "kind": "enforcement",
            "start": today + timedelta(days=7),
            "end": today + timedelta(days=37),
            "industries": ["hazchem", "machinery"],
            "quotas": {"hazchem": 2, "machinery": 2},
            "team_size": 2,
            "experts_per_team": 1,
        },
    )
    draws.plan_draw(actor=bureau_user, plan=plan, seed=DEMO_SEED)
    plan_services.plan_confirm(actor=bureau_user, plan=plan)
    plan_services.plan_publish(actor=bureau_user, plan=plan)


def demo_summary():
    from .models import Expert, InspectionPlan

    return f"{InspectionPlan.objects.count()} 个检查计划，{Expert.objects.count()} 名专家"


def demo_accounts():
    from .models import InspectionPlan

    plan = InspectionPlan.objects.filter(name=DEMO_PLAN, published_at__isnull=False).first()
    lines = [f"  {u:<12} 行业监管人员 · 沙坪坝区应急管理局（持执法证）" for u, _ in COLLEAGUES]
    if plan is not None:
        lines.append(f"  双随机公示页（无需登录）：/inspections/public/{plan.public_token}/")
    return lines


register(
    MenuEntry("检查计划", "inspections:plan_list", "inspection.plan", order=36, group="方案"),
    MenuEntry("专家库", "inspections:expert_list", "expert.view", order=37, group="台账"),
    RuleDef(
        "inspection.draw_exclude_days",
        180,
        "双随机抽取时排除近期已检查企业的天数（检查完成日期在此天数内的企业不再抽取）",
        "days",
        "监督检查",
        order=60,
    ),
    DemoLoader("inspection_plans", demo_load, demo_summary, demo_accounts, order=75),
)
