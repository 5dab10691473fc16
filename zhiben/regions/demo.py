"""Demo regions and units: 重庆市沙坪坝区 with five towns and their villages, a second county for scope,
and the departments named in 凤凰镇's plan. Idempotent; written through the services."""

from .models import Industry, Region, Unit
from .services import region_import

REGIONS = [
    ("50", "重庆市"),
    ("5001", "市辖区"),
    ("500106", "沙坪坝区"),
    ("500106104", "青木关镇"),
    ("500106105", "凤凰镇"),
    ("500106106", "回龙坝镇"),
    ("500106108", "曾家镇"),
    ("500106112", "中梁镇"),
    ("500106104001", "青木关村"),
    ("500106104002", "关口村"),
    ("500106104003", "四楞碑村"),
    ("500106105001", "凤凰社区"),
    ("500106105002", "凤凰村"),
    ("500106105003", "双碑村"),
    ("500106105004", "大塘村"),
    ("500106105005", "喻家村"),
    ("500106105006", "歌乐山村"),
    ("500106106001", "回龙坝社区"),
    ("500106106002", "五云山村"),
    ("500106106003", "沙坪村"),
    ("500106108001", "曾家社区"),
    ("500106108002", "虎溪村"),
    ("500106108003", "新发村"),
    ("500106112001", "中梁山社区"),
    ("500106112002", "山洞村"),
    ("500107", "九龙坡区"),
    ("500107101", "西彭镇"),
    ("500107101001", "西彭社区"),
    ("500107101002", "真武宫村"),
]

# (name, kind, region code, industries, document prefix)
UNITS = [
    ("沙坪坝区安委办", "committee", "500106", [], "沙安办"),
    (
        "沙坪坝区应急管理局",
        "department",
        "500106",
        [
            "hazchem",
            "metallurgy",
            "nonferrous",
            "building_materials",
            "machinery",
            "light",
            "textile",
            "tobacco",
            "fireworks",
            "mining",
        ],
        "沙应急",
    ),
    ("沙坪坝区住房城乡建委", "department", "500106", ["construction", "gas"], "沙建委"),
    ("沙坪坝区商务委", "department", "500106", ["commerce"], ""),
    ("沙坪坝区交通局", "department", "500106", ["transport"], ""),
    ("沙坪坝区消防救援支队", "department", "500106", ["fire"], ""),
    ("沙坪坝区市场监管局", "department", "500106", ["special_equipment"], ""),
    ("凤凰镇安委办", "committee", "500106105", [], "凤安办"),
    (
        "凤凰镇应急办",
        "department",
        "500106105",
        [
            "hazchem",
            "metallurgy",
            "nonferrous",
            "building_materials",
            "machinery",
            "light",
            "textile",
            "fireworks",
            "fire",
        ],
        "凤应急",
    ),
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


def load(stdout=None):
    region_import(actor=None, rows=[(i, code, name) for i, (code, name) in enumerate(REGIONS, start=1)])
    industries = {i.code: i for i in Industry.objects.all()}
    for name, kind, code, domains, prefix in UNITS:
        unit, _ = Unit.objects.get_or_create(
            region_id=code.ljust(12, "0"), name=name, defaults={"kind": kind, "doc_prefix": prefix}
        )
        unit.industries.set([industries[d] for d in domains])


def summary():
    return f"{Region.objects.count()} 个区划，{Unit.objects.count()} 个单位"
