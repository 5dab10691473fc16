from django.db import models


class Frequency(models.TextChoices):
    DAY = "day", "每日"
    WEEK = "week", "每周"
    MONTH = "month", "每月"
    QUARTER = "quarter", "每季度"
    YEAR = "year", "每年"


class AppliesTo(models.TextChoices):
    ALL = "all", "全部企业"
    ORDINARY = "ordinary", "一般企业（非高危）"
    HIGH_RISK = "high_risk", "高危行业企业"


class Source(models.TextChoices):
    FORM = "form", "页面填报"
    IMPORT = "import", "Excel导入"
    API = "api", "接口报送"


class State(models.TextChoices):
    DONE = "done", "已完成"
    OPEN = "open", "未完成"
    MISSED = "missed", "漏查"


STATE_TONES = {State.DONE: "green", State.OPEN: "", State.MISSED: "red"}

# The national default (日周月排查; 主要负责人每季度带队, 高危行业每月): seeded by migration 0002, editable.
BASIS = "安全生产治本攻坚三年行动：班组日排查、部门周排查、厂长月排查；主要负责人每季度带队（高危行业领域每月至少1次）"
DEFAULT_DUTIES = [
    # key, name, level, frequency, applies to, sort
    ("team_daily", "班组日排查", "班组", Frequency.DAY, AppliesTo.ALL, 10),
    ("department_weekly", "部门周排查", "部门（车间）", Frequency.WEEK, AppliesTo.ALL, 20),
    ("director_monthly", "厂长月排查", "厂长（总经理）", Frequency.MONTH, AppliesTo.ALL, 30),
    ("principal_quarterly", "主要负责人季度带队检查", "主要负责人", Frequency.QUARTER, AppliesTo.ORDINARY, 40),
    ("principal_monthly", "主要负责人月度带队检查（高危行业）", "主要负责人", Frequency.MONTH, AppliesTo.HIGH_RISK, 50),
]


def seed_duties(duty_model):
    """Create the national default duties that are missing (migration 0002; tests after a flush)."""
    for key, name, level, frequency, applies_to, sort in DEFAULT_DUTIES:
        duty_model.objects.get_or_create(
            key=key,
            defaults={
                "name": name,
                "level": level,
                "frequency": frequency,
                "applies_to": applies_to,
                "sort": sort,
                "basis": BASIS,
            },
        )
