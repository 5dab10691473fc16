from django.db import models


class Level(models.IntegerChoices):
    PROVINCE = 1, "省级"
    CITY = 2, "市级"
    COUNTY = 3, "区县"
    TOWN = 4, "镇街"
    VILLAGE = 5, "村社区"


class UnitKind(models.TextChoices):
    COMMITTEE_OFFICE = "committee", "安委办"
    DEPARTMENT = "department", "行业监管部门/科室"
    GOVERNMENT = "government", "人民政府"
    VILLAGE = "village", "村社区"
    OTHER = "other", "其他"


# Regulatory industry domains (监管行业领域) seeded by migration; administrators may add more.
DEFAULT_INDUSTRIES = [
    ("hazchem", "危险化学品", True),
    ("metallurgy", "冶金", True),
    ("nonferrous", "有色", False),
    ("building_materials", "建材", False),
    ("machinery", "机械", False),
    ("light", "轻工", False),
    ("textile", "纺织", False),
    ("tobacco", "烟草", False),
    ("commerce", "商贸", False),
    ("gas", "燃气", False),
    ("construction", "建筑施工", True),
    ("fire", "消防", False),
    ("transport", "交通运输", True),
    ("mining", "矿山", True),
    ("fireworks", "烟花爆竹", True),
    ("explosives", "民用爆炸物品", True),
    ("special_equipment", "特种设备", False),
    ("agriculture", "农业农村", False),
    ("water", "水利", False),
    ("power", "电力", False),
    ("culture_tourism", "文化旅游", False),
    ("education", "教育", False),
    ("health", "卫生健康", False),
    ("other", "其他", False),
]
