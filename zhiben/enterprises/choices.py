from django.db import models


class Scale(models.TextChoices):
    LARGE = "large", "大型"
    MEDIUM = "medium", "中型"
    SMALL = "small", "小型"
    MICRO = "micro", "微型"


class Status(models.TextChoices):
    OPERATING = "operating", "在营"
    SUSPENDED = "suspended", "停产整顿"
    HALTED = "halted", "停产停业"
    CLOSED = "closed", "关闭"


class StandardGrade(models.TextChoices):
    NONE = "", "未达标"
    ONE = "1", "一级"
    TWO = "2", "二级"
    THREE = "3", "三级"
    SMALL = "s", "小微企业达标"
