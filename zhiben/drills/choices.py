from django.db import models


class DrillKind(models.TextChoices):
    COMPREHENSIVE = "comprehensive", "综合应急演练"
    SPECIAL = "special", "专项应急演练"
    ONSITE = "onsite", "现场处置方案演练"
    EVACUATION = "evacuation", "疏散逃生演练"


class DrillForm(models.TextChoices):
    LIVE = "live", "实战演练"
    TABLETOP = "tabletop", "桌面推演"


class TeamLevel(models.TextChoices):
    TOWN = "town", "镇级"
    VILLAGE = "village", "村级"
    INDUSTRY = "industry", "行业专业"


KEY_INDUSTRIES = ["hazchem", "mining", "fireworks", "construction", "transport"]
