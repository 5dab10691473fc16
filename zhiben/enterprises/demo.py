"""Demo enterprises: 320 in 沙坪坝区 with valid credit codes, 20 in 九龙坡区 for scope, and the enterprise
user of the first one in 凤凰镇. Deterministic, idempotent, written through the import service."""

import random
from datetime import date, datetime

from django.utils import timezone

from zhiben.accounts.choices import Role
from zhiben.accounts.demo import ACCOUNTS, create_account
from zhiben.regions.demo import REGIONS

from .models import Enterprise
from .services import enterprise_import
from .validators import make_credit_code

DEMO_REGISTERED = timezone.make_aware(datetime(2023, 6, 1))

NAME_HEADS = [
    "渝",
    "巴",
    "沙",
    "凤",
    "嘉",
    "川",
    "江",
    "山",
    "华",
    "联",
    "金",
    "鑫",
    "宏",
    "永",
    "恒",
    "兴",
    "瑞",
    "诚",
    "泰",
    "佳",
]
NAME_MIDS = ["凤", "城", "达", "源", "丰", "盛", "通", "安", "信", "和", "力", "创", "新", "远", "德", "顺"]
TRADES = {
    "hazchem": ["化工", "精细化工", "气体", "涂料"],
    "metallurgy": ["钢铁", "铸造", "冶炼"],
    "nonferrous": ["铝业", "铜业"],
    "building_materials": ["建材", "水泥制品", "混凝土"],
    "machinery": ["机械", "汽车零部件", "摩托车配件", "五金"],
    "light": ["食品", "家具", "印刷", "塑料制品"],
    "textile": ["纺织", "服装"],
    "commerce": ["商贸", "超市", "物流"],
    "gas": ["燃气"],
    "construction": ["建筑工程", "建设"],
    "transport": ["运输", "客运"],
    "fire": ["酒店", "商场"],
    "special_equipment": ["电梯工程", "锅炉"],
    "fireworks": ["烟花爆竹经营"],
    "culture_tourism": ["旅游开发"],
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
        rows.append(
            (
                i + 2,
                {
                    "credit_code": make_credit_code(body),
                    "name": name,
                    "region": rng.choice(villages),
                    "address": f"重庆市沙坪坝区{rng.choice(STREETS)}{rng.randint(1, 999)}号",
                    "industry": industry,
                    "economic_code": "",
                    "high_risk": "是" if high and rng.random() < 0.7 else "否",
                    "directly_supervised": "是" if rng.random() < 0.1 else "否",
                    "scale": rng.choice(["小型", "微型", "小型", "中型", "大型"]),
                    "employees": str(rng.randint(3, 800)),
                    "principal": rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                    "principal_phone": f"13{rng.randint(100000000, 999999999)}",
                    "controller": rng.choice(SURNAMES) + rng.choice(GIVEN),
                    "controller_phone": f"139{rng.randint(10000000, 99999999)}",
                    "safety_manager": rng.choice(SURNAMES) + rng.choice(GIVEN),
                    "safety_manager_phone": f"138{rng.randint(10000000, 99999999)}",
                    "standard_grade": rng.choice(["", "三级", "二级", "小微企业达标"]),
                    "liability_insurance": "是" if rng.random() < 0.6 else "否",
                    "status": rng.choice(["在营"] * 12 + ["停产整顿", "关闭"]),
                    "longitude": f"{106.30 + rng.random() * 0.12:.6f}",
                    "latitude": f"{29.55 + rng.random() * 0.12:.6f}",
                    "remarks": "",
                },
                {},
            )
        )
    return rows


def load(stdout=None):
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
    # the demo district has kept its register on the platform since mid-2023 (before the demo hazards begin),
    # so the duties of past periods — statistics reports, self-inspections — are owed and can be seen
    Enterprise.objects.filter(created_at__date__gt=date(2023, 6, 1)).update(created_at=DEMO_REGISTERED)
    first_enterprise = Enterprise.objects.filter(region__code__startswith="500106105").order_by("id").first()
    for username, name, role, code, unit_name in ACCOUNTS:
        if role == Role.ENTERPRISE:
            create_account(username, name, role, code, unit_name, enterprise=first_enterprise)


def summary():
    return f"{Enterprise.objects.count()} 家生产经营单位"
