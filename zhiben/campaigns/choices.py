from django.db import models


class Status(models.TextChoices):
    DRAFT = "draft", "草稿"
    ACTIVE = "active", "进行中"
    CLOSED = "closed", "已结束"


class ColumnType(models.TextChoices):
    TEXT = "text", "文本"
    NUMBER = "number", "数字"
    BOOL = "bool", "是/否"
    CHOICE = "choice", "选项"


class Result(models.TextChoices):
    PASS = "pass", "合格"
    FAIL = "fail", "不合格"
    NA = "na", "不适用"


class TargetKind(models.TextChoices):
    ENTERPRISE = "e", "生产经营单位"
    PLACE = "p", "场所"
