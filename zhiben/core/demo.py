"""The demo district: 重庆市沙坪坝区 with five towns and their villages, a second county for scope,
the departments named in 凤凰镇's plan, 320 enterprises with valid credit codes and one account per role.

Everything is written through the services (so the audit log is real) and is idempotent.
"""

import random

from django.db import transaction

from zhiben.accounts.choices import Role
from zhiben.accounts.models import User
from zhiben.accounts.services import user_create
from zhiben.enterprises.models import Enterprise
from zhiben.hazards.models import Hazard
from zhiben.plans.models import Plan
from zhiben.enterprises.services import enterprise_import
from zhiben.enterprises.validators import make_credit_code
from zhiben.regions.models import Industry, Region, Unit
from zhiben.regions.services import region_import

DEMO_PASSWORD = "Zhiben@2026"

REGIONS = [
    ("50", "重庆市"), ("5001", "市辖区"),
    ("500106", "沙坪坝区"),
    ("500106104", "青木关镇"), ("500106105", "凤凰镇"), ("500106106", "回龙坝镇"), ("500106108", "曾家镇"), ("500106112", "中梁镇"),
    ("500106104001", "青木关村"), ("500106104002", "关口村"), ("500106104003", "四楞碑村"),
    ("500106105001", "凤凰社区"), ("500106105002", "凤凰村"), ("500106105003", "双碑村"), ("500106105004", "大塘村"),
    ("500106105005", "喻家村"), ("500106105006", "歌乐山村"),
    ("500106106001", "回龙坝社区"), ("500106106002", "五云山村"), ("500106106003", "沙坪村"),
    ("500106108001", "曾家社区"), ("500106108002", "虎溪村"), ("500106108003", "新发村"),
    ("500106112001", "中梁山社区"), ("500106112002", "山洞村"),
    ("500107", "九龙坡区"), ("500107101", "西彭镇"), ("500107101001", "西彭社区"), ("500107101002", "真武宫村"),
]

# (name, kind, region code, industries, document prefix)
UNITS = [
    ("沙坪坝区安委办", "committee", "500106", [], "沙安办"),
    ("沙坪坝区应急管理局", "department", "500106", ["hazchem", "metallurgy", "nonferrous", "building_materials", "machinery", "light", "textile", "tobacco", "fireworks", "mining"], "沙应急"),
    ("沙坪坝区住房城乡建委", "department", "500106", ["construction", "gas"], "沙建委"),
    ("沙坪坝区商务委", "department", "500106", ["commerce"], ""),
    ("沙坪坝区交通局", "department", "500106", ["transport"], ""),
    ("沙坪坝区消防救援支队", "department", "500106", ["fire"], ""),
    ("沙坪坝区市场监管局", "department", "500106", ["special_equipment"], ""),
    ("凤凰镇安委办", "committee", "500106105", [], "凤安办"),
    ("凤凰镇应急办", "department", "500106105", ["hazchem", "metallurgy", "nonferrous", "building_materials", "machinery", "light", "textile", "fireworks", "fire"], "凤应急"),
    ("凤凰镇经发办", "department", "500106105", ["commerce", "agriculture", "culture_tourism"], ""),
    ("凤凰镇规建办", "department", "500106105", ["construction", "gas", "water"], ""),
    ("凤凰镇党建办", "department", "500106105", [], ""),
    ("凤凰镇司法所", "department", "500106105", [], ""),
    ("凤凰镇市场监管所", "department", "500106105", ["special_equipment"], ""),
    ("凤凰镇财政办", "department", "500106105", [], ""),
    ("凤凰镇社事办", "department", "500106105", ["education", "health"], ""),
    ("凤凰镇综合行政执法大队", "department", "500106105", [], ""),
    ("青木关镇安委办", "committee", "500106104", [], "青安办"),
    ("青木关镇应急办", "department", "500106104", ["hazchem", "machinery", "light", "building_materials", "fire"], ""),
    ("九龙坡区安委办", "committee", "500107", [], "九安办"),
    ("九龙坡区应急管理局", "department", "500107", ["hazchem", "metallurgy", "machinery", "light"], ""),
]

# (username, name, role, region code, unit name or None)
ACCOUNTS = [
    ("anweiban", "李安", Role.COMMITTEE_ADMIN, "500106", "沙坪坝区安委办"),
    ("fhanweiban", "周凤", Role.COMMITTEE_ADMIN, "500106105", "凤凰镇安委办"),
    ("yingji", "王应", Role.REGULATOR, "500106105", "凤凰镇应急办"),
    ("guijian", "陈建", Role.REGULATOR, "500106105", "凤凰镇规建办"),
    ("quyingji", "刘急", Role.REGULATOR, "500106", "沙坪坝区应急管理局"),
    ("qujianwei", "杨建", Role.REGULATOR, "500106", "沙坪坝区住房城乡建委"),
    ("wangge", "赵网", Role.GRID, "500106105002", None),
    ("qiye", "孙企", Role.ENTERPRISE, None, None),
    ("zhuanjia", "钱专", Role.EXPERT, "500106", None),
    ("lingdao", "吴领", Role.LEADER, "500106", None),
    ("sysadmin", "郑系", Role.SYS_ADMIN, "500106", None),
    ("secadmin", "冯安", Role.SEC_ADMIN, "500106", None),
    ("auditor", "蒋审", Role.AUDIT_ADMIN, "500106", None),
    ("jlpanweiban", "韩九", Role.COMMITTEE_ADMIN, "500107", "九龙坡区安委办"),
]

NAME_HEADS = ["渝", "巴", "沙", "凤", "嘉", "川", "江", "山", "华", "联", "金", "鑫", "宏", "永", "恒", "兴", "瑞", "诚", "泰", "佳"]
NAME_MIDS = ["凤", "城", "达", "源", "丰", "盛", "通", "安", "信", "和", "力", "创", "新", "远", "德", "顺"]
TRADES = {
    "hazchem": ["化工", "精细化工", "气体", "涂料"], "metallurgy": ["钢铁", "铸造", "冶炼"], "nonferrous": ["铝业", "铜业"],
    "building_materials": ["建材", "水泥制品", "混凝土"], "machinery": ["机械", "汽车零部件", "摩托车配件", "五金"],
    "light": ["食品", "家具", "印刷", "塑料制品"], "textile": ["纺织", "服装"], "commerce": ["商贸", "超市", "物流"],
    "gas": ["燃气"], "construction": ["建筑工程", "建设"], "transport": ["运输", "客运"], "fire": ["酒店", "商场"],
    "special_equipment": ["电梯工程", "锅炉"], "fireworks": ["烟花爆竹经营"], "culture_tourism": ["旅游开发"],
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚"
STREETS = ["凤凰大道", "青凤路", "西永大道", "曾家大道", "虎溪路", "歌乐山路", "回龙坝街", "中梁路"]


def _org_code(rng):
    chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    return "".join(rng.choice(chars) for _ in range(9))


def demo_enterprise_rows(count=320, seed=2024):
    """Deterministic rows (as an import would give them) spread over the demo villages and industries."""
    rng = random.Random(seed)
    villages = [code.ljust(12, "0") for code, _ in REGIONS if len(code) == 12 and code.startswith("500106")]
    industries = list(TRADES)
    rows, used = [], set()
    for i in range(count):
        industry = industries[i % len(industries)]
        while True:
            body = "91" + "500106" + _org_code(rng)
            if body not in used:
                used.add(body)
                break
        trade = rng.choice(TRADES[industry])
        name = f"重庆{rng.choice(NAME_HEADS)}{rng.choice(NAME_MIDS)}{trade}有限公司"
        if any(r["name"] == name for _, r, _ in rows):
            name = name.replace("有限公司", f"第{i}分公司")
        high = industry in {"hazchem", "metallurgy", "fireworks", "construction", "transport", "gas"}
        rows.append((i + 2, {
            "credit_code": make_credit_code(body), "name": name, "region": rng.choice(villages),
            "address": f"重庆市沙坪坝区{rng.choice(STREETS)}{rng.randint(1, 999)}号",
            "industry": industry,
            "economic_code": "", "high_risk": "是" if high and rng.random() < 0.7 else "否",
            "directly_supervised": "是" if rng.random() < 0.1 else "否",
            "scale": rng.choice(["小型", "微型", "小型", "中型", "大型"]), "employees": str(rng.randint(3, 800)),
            "principal": rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
            "principal_phone": f"13{rng.randint(100000000, 999999999)}",
            "controller": rng.choice(SURNAMES) + rng.choice(GIVEN), "controller_phone": f"139{rng.randint(10000000, 99999999)}",
            "safety_manager": rng.choice(SURNAMES) + rng.choice(GIVEN), "safety_manager_phone": f"138{rng.randint(10000000, 99999999)}",
            "standard_grade": rng.choice(["", "三级", "二级", "小微企业达标"]), "liability_insurance": "是" if rng.random() < 0.6 else "否",
            "status": rng.choice(["在营"] * 12 + ["停产整顿", "关闭"]), "longitude": f"{106.30 + rng.random() * 0.12:.6f}",
            "latitude": f"{29.55 + rng.random() * 0.12:.6f}", "remarks": "",
        }, {}))
    return rows


@transaction.atomic
def load_demo(*, stdout=None):
    say = stdout.write if stdout else (lambda *_: None)
    region_import(actor=None, rows=[(i, code, name) for i, (code, name) in enumerate(REGIONS, start=1)])
    industries = {i.code: i for i in Industry.objects.all()}
    for name, kind, code, domains, prefix in UNITS:
        unit, _ = Unit.objects.get_or_create(region_id=code.ljust(12, "0"), name=name, defaults={"kind": kind, "doc_prefix": prefix})
        unit.industries.set([industries[d] for d in domains])
    rows = demo_enterprise_rows()
    new_rows = [r for r in rows if not Enterprise.objects.filter(credit_code=r[1]["credit_code"]).exists()]
    if new_rows:
        enterprise_import(actor=None, rows=new_rows, source_name="演示数据")
    # a second county's enterprises, so scope can be seen
    other = demo_enterprise_rows(count=20, seed=4051)
    for _, values, _ in other:
        values["region"] = "500107101001" if values["region"] < "500106106" else "500107101002"
        values["credit_code"] = make_credit_code("91500107" + values["credit_code"][8:17])
        values["name"] = values["name"].replace("重庆", "九龙坡")
        values["address"] = values["address"].replace("沙坪坝区", "九龙坡区")
    other = [r for r in other if not Enterprise.objects.filter(credit_code=r[1]["credit_code"]).exists()]
    if other:
        enterprise_import(actor=None, rows=other, source_name="演示数据")
    first_enterprise = Enterprise.objects.filter(region__code__startswith="500106105").order_by("id").first()
    for username, name, role, code, unit_name in ACCOUNTS:
        if User.objects.filter(username=username).exists():
            continue
        unit = Unit.objects.get(name=unit_name) if unit_name else None
        region = Region.objects.get(code=code.ljust(12, "0")) if code else None
        user_create(actor=None, username=username, password=DEMO_PASSWORD, role=role, name=name, region=region, unit=unit,
                    enterprise=first_enterprise if role == Role.ENTERPRISE else None, must_change_password=False)
    load_demo_plan()
    if load_demo_hazards():
        from zhiben.escalation.services import escalate_hazards

        escalate_hazards()  # the overdue demo hazards go up the ladder: reminders, letters, interviews (with documents)
    say(f"演示数据就绪：{Region.objects.count()} 个区划，{Unit.objects.count()} 个单位，{Enterprise.objects.count()} 家生产经营单位，{Hazard.objects.count()} 条隐患，{Plan.objects.count()} 个行动方案，{User.objects.count()} 个账号。\n")


HAZARD_TEXTS = [
    ("配电箱未接地，电线私拉乱接", "behaviour"), ("安全出口被货物堵塞", "condition"), ("灭火器过期未更换", "condition"),
    ("有限空间未设置安全警示标志", "management"), ("特种作业人员无证上岗", "behaviour"), ("粉尘作业区积尘严重", "environment"),
    ("危化品仓库未分类存放", "management"), ("叉车司机未持证驾驶", "behaviour"), ("脚手架连墙件缺失", "condition"),
    ("燃气管道穿越卧室", "condition"), ("未建立隐患排查治理台账", "management"), ("消防通道被占用", "environment"),
    ("应急照明损坏", "condition"), ("员工未佩戴劳动防护用品", "behaviour"), ("机械传动部位防护罩缺失", "condition"),
]
MAJOR_ITEMS = ["第十一条第（六）项", "第十三条第（三）项", "第三条第（二）项", "第十一条第（八）项"]


def _demo_photo(seed):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (480, 360), (90 + seed * 37 % 120, 140, 90 + seed * 53 % 120))
    ImageDraw.Draw(image).rectangle((60, 60, 420, 300), outline=(255, 255, 255), width=6)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=70)
    return SimpleUploadedFile(f"整改后照片{seed}.jpg", out.getvalue(), content_type="image/jpeg")


def load_demo_hazards(count=240, seed=2026):
    """Hazards across channels, levels and stages, all made through the services; skipped if any exist."""
    from datetime import date, timedelta

    from django.utils import timezone

    from zhiben.hazards import services as hz
    from zhiben.hazards.choices import Channel
    from zhiben.hazards.models import CriteriaItem

    if Hazard.objects.exists():
        return False
    rng = random.Random(seed)
    users = {u.username: u for u in User.objects.all()}
    reviewers = {u.unit_id: u for u in User.objects.filter(role=Role.REGULATOR)}
    committee = users["anweiban"]
    enterprises = list(Enterprise.objects.filter(region__code__startswith="500106").exclude(status="closed").select_related("industry"))
    items = {i.number: i for i in CriteriaItem.objects.filter(number__in=MAJOR_ITEMS)}
    channels = [c for c in Channel.values if c != Channel.SELF_REPORT]
    today = timezone.localdate()
    start = date(2023, 9, 1)
    for n in range(count):
        enterprise = rng.choice(enterprises)
        text, category = rng.choice(HAZARD_TEXTS)
        found = start + timedelta(days=rng.randint(0, (today - start).days))
        major = rng.random() < 0.08
        data = {"enterprise": enterprise.pk, "channel": rng.choice(channels), "category": category,
                "description": f"{text}（{rng.choice(['一号车间', '二号仓库', '办公楼', '厂区东侧', '配电房', '原料库'])}）",
                "found_date": found, "found_by": rng.choice(["张检查", "李督导", "王网格"]),
                "responsible_person": enterprise.safety_manager or enterprise.principal, "measures": "立即落实整改，完善管理制度",
                "level": "major" if major else "general"}
        if major:
            data["criteria_item"] = items[rng.choice(MAJOR_ITEMS)].pk
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
            hz.hazard_update_plan(actor=reviewer, hazard=hazard, data={
                "funds": "50000", "contingency": "设置警戒区域，停用相关设备", "plan_goal": "彻底消除重大隐患",
                "plan_method": "停产整改，更换不合格设备", "plan_resources": "资金5万元已落实", "plan_team": "企业主要负责人牵头，设备部3人",
                "plan_schedule": "90日内完成并申请验收", "plan_safety": "整改期间停止相关作业，配备应急器材"})
            if rng.random() < 0.5:
                hazard = hz.hazard_list(actor=committee, hazard=hazard, note="区安委办挂牌督办")
        else:
            hz.hazard_update_plan(actor=reviewer, hazard=hazard, data={"funds": str(rng.choice([0, 500, 2000, 8000]))})
        if age < 20 and stage < 0.5:
            continue
        hz.hazard_transition(actor=reviewer, hazard=hazard, action="start")
        if hazard.deadline >= today and stage < 0.6 or stage < 0.15:
            continue  # still rectifying (some of them overdue)
        hz.hazard_attach(actor=reviewer, hazard=hazard, kind="after", files=[_demo_photo(n)])
        hz.hazard_transition(actor=reviewer, hazard=hazard, action="submit", rectified_date=min(today, hazard.deadline))
        if stage < 0.25:
            continue
        signer = committee if hazard.listed_unit_id else reviewer
        hz.hazard_transition(actor=signer, hazard=hazard, action="close", note="整改到位，同意销号")
    return True


def load_demo_plan():
    """凤凰镇's real 2024–2026 plan (seed 000), imported through the plan importer and published."""
    from pathlib import Path

    from zhiben.plans.parsing import parse_plan
    from zhiben.plans.services import plan_import

    if Plan.objects.exists():
        return
    path = Path(__file__).parent / "demo_data" / "fenghuang_plan_2024.txt"
    parsed = parse_plan(path.read_bytes(), path.name, year=2024)
    actor = User.objects.get(username="fhanweiban")
    plan_import(actor=actor, tasks=parsed.as_dicts(), parse=parsed, year=parsed.year, title=parsed.title, filename=path.name,
                warnings=parsed.warnings, region=actor.region, publish=True)
