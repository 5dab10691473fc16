from django.db import models


class Kind(models.TextChoices):
    """What an inspection is; each kind files its findings under its own hazard channel."""

    SUPERVISION = "supervision", "督导检查"
    ENFORCEMENT = "enforcement", "执法检查"
    EXPERT = "expert", "专家指导服务"


class Status(models.TextChoices):
    PLANNED = "planned", "待检查"
    IN_PROGRESS = "in_progress", "检查中"
    COMPLETED = "completed", "已完成"
    CANCELLED = "cancelled", "已取消"


class Result(models.TextChoices):
    PENDING = "", "未检查"
    PASS = "pass", "符合"
    FAIL = "fail", "不符合"
    NOT_APPLICABLE = "na", "不适用"
