from django.db import models


class Type(models.TextChoices):
    """事故类别 (GB 6441-86 《企业职工伤亡事故分类》)."""

    STRUCK = "struck", "物体打击"
    VEHICLE = "vehicle", "车辆伤害"
    MACHINERY = "machinery", "机械伤害"
    LIFTING = "lifting", "起重伤害"
    ELECTRIC = "electric", "触电"
    DROWNING = "drowning", "淹溺"
    SCALD = "scald", "灼烫"
    FIRE = "fire", "火灾"
    FALL = "fall", "高处坠落"
    COLLAPSE = "collapse", "坍塌"
    ROOF = "roof", "冒顶片帮"
    FLOOD = "flood", "透水"
    BLASTING = "blasting", "放炮"
    POWDER = "powder", "火药爆炸"
    GAS = "gas", "瓦斯爆炸"
    BOILER = "boiler", "锅炉爆炸"
    VESSEL = "vessel", "容器爆炸"
    EXPLOSION = "explosion", "其他爆炸"
    POISONING = "poisoning", "中毒和窒息"
    OTHER = "other", "其他伤害"


class Grade(models.TextChoices):
    GENERAL = "general", "一般事故"
    LARGER = "larger", "较大事故"
    MAJOR = "major", "重大事故"
    EXTRAORDINARY = "extraordinary", "特别重大事故"


GRADE_ORDER = [Grade.GENERAL, Grade.LARGER, Grade.MAJOR, Grade.EXTRAORDINARY]


class Status(models.TextChoices):
    REPORTED = "reported", "已接报"
    INVESTIGATING = "investigating", "调查中"
    SUBMITTED = "submitted", "调查报告已提交"
    APPROVED = "approved", "已批复"
    CLOSED = "closed", "已结案"


OPEN = (Status.REPORTED, Status.INVESTIGATING, Status.SUBMITTED, Status.APPROVED)


class Level(models.TextChoices):
    """Who receives a report along the chain (条例 第九、十条)."""

    COUNTY = "county", "县级人民政府应急管理部门和负有监管职责的部门"
    CITY = "city", "设区的市级人民政府应急管理部门"
    PROVINCE = "province", "省级人民政府应急管理部门"
    STATE = "state", "国务院应急管理部门"


# the level a grade must reach (条例 第十条): 一般 → 设区的市, 较大 → 省, 重大/特别重大 → 国务院
CHAIN = [Level.COUNTY, Level.CITY, Level.PROVINCE, Level.STATE]
REACH = {
    Grade.GENERAL: Level.CITY,
    Grade.LARGER: Level.PROVINCE,
    Grade.MAJOR: Level.STATE,
    Grade.EXTRAORDINARY: Level.STATE,
}


class PartyKind(models.TextChoices):
    ENTERPRISE = "enterprise", "事故单位"
    PERSON = "person", "企业有关人员"
    OFFICIAL = "official", "公职人员（一案双查）"
    DEPARTMENT = "department", "监管部门"
    OTHER = "other", "其他单位"


class MeasureStatus(models.TextChoices):
    OPEN = "open", "落实中"
    DONE = "done", "已落实"


# 四不放过: the four checks a case must pass before it is closed
FOUR_CHECKS = {
    "causes": "事故原因未查清不放过",
    "handled": "责任人员未处理不放过",
    "measures": "整改措施未落实不放过",
    "educated": "有关人员未受到教育不放过",
}
