from django.db import models


class Status(models.TextChoices):
    RECEIVED = "received", "待受理"
    VERIFYING = "verifying", "核查中"
    VERIFIED = "verified", "属实"
    UNFOUNDED = "unfounded", "不属实"
    DUPLICATE = "duplicate", "重复举报"
    REFERRED = "referred", "已移交"
    SPAM = "spam", "无效信息"


OPEN = (Status.RECEIVED, Status.VERIFYING)
CLOSED = tuple(s for s in Status if s not in OPEN)


class Matter(models.TextChoices):
    """What a category is about, for the reward schedule (《安全生产领域举报奖励办法》)."""

    HAZARD = "hazard", "事故隐患"
    VIOLATION = "violation", "非法违法生产经营建设行为"
    CONCEALMENT = "concealment", "瞒报谎报事故"


class Source(models.TextChoices):
    WEB = "web", "网页/扫码"
    OPEN311 = "open311", "Open311 接口"
    HOTLINE = "hotline", "电话/来信/来访（工作人员录入）"


class MessageKind(models.TextChoices):
    REPLY = "reply", "答复举报人"
    INFO = "info", "举报人补充"
    NOTE = "note", "内部备注"


class RewardStatus(models.TextChoices):
    PROPOSED = "proposed", "待审批"
    APPROVED = "approved", "已批准，待申领"
    CLAIMED = "claimed", "已申领，待发放"
    PAID = "paid", "已发放"
    REFUSED = "refused", "不予奖励"


class AccidentGrade(models.TextChoices):
    """Grades of a concealed accident, for the per-death reward of 瞒报/谎报."""

    GENERAL = "一般", "一般事故"
    LARGER = "较大", "较大事故"
    MAJOR = "重大", "重大事故"
    EXTRAORDINARY = "特别重大", "特别重大事故"


# The national default categories (Open311 services): code, name, industry code, matter, description.
DEFAULT_CATEGORIES = [
    ("fire", "消防安全隐患", "fire", Matter.HAZARD, "堵塞消防通道、锁闭安全出口、消防设施损坏、违规住人等"),
    ("gas", "燃气安全隐患", "gas", Matter.HAZARD, "餐饮场所燃气泄漏、私接乱改燃气管线、瓶装燃气违规使用等"),
    ("hazchem", "危险化学品", "hazchem", Matter.HAZARD, "危险化学品非法储存、运输、使用，重大危险源管控不到位等"),
    ("construction", "建筑施工", "construction", Matter.HAZARD, "深基坑、高支模、起重机械、脚手架等施工安全隐患"),
    ("transport", "道路交通运输", "transport", Matter.HAZARD, "客货车辆超载超限、非法营运、危险货物违规运输等"),
    (
        "special_equipment",
        "特种设备",
        "special_equipment",
        Matter.HAZARD,
        "电梯、锅炉、压力容器、叉车等带病运行或无证操作",
    ),
    ("mining", "矿山", "mining", Matter.HAZARD, "非法开采、超层越界、无证开采等"),
    ("fireworks", "烟花爆竹", "fireworks", Matter.HAZARD, "非法生产、储存、经营烟花爆竹"),
    ("industry", "工贸企业", "", Matter.HAZARD, "粉尘涉爆、有限空间、金属冶炼、涉氨制冷等隐患"),
    ("building", "自建房和人员密集场所", "", Matter.HAZARD, "经营性自建房违规改扩建、人员密集场所安全隐患"),
    ("illegal", "非法违法生产经营建设", "", Matter.VIOLATION, "无证生产经营、停产整顿期间擅自生产、拒不执行监管指令等"),
    ("concealment", "瞒报谎报事故", "", Matter.CONCEALMENT, "发生生产安全事故后瞒报、谎报、迟报"),
    ("other", "其他安全隐患", "", Matter.HAZARD, "以上类别以外的安全生产问题"),
]


def seed_categories(Category, Industry):
    """Create or refresh the default categories (from the migration, and in tests after a flush)."""
    industries = {i.code: i for i in Industry.objects.all()}
    for order, (code, name, industry, matter, description) in enumerate(DEFAULT_CATEGORIES, start=1):
        Category.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "industry": industries.get(industry),
                "matter": str(matter),
                "description": description,
                "order": order * 10,
            },
        )
