from django.db import models


class Kind(models.TextChoices):
    GAS = "gas", "可燃气体浓度"
    TOXIC = "toxic", "有毒气体浓度"
    TEMPERATURE = "temperature", "温度"
    PRESSURE = "pressure", "压力"
    LEVEL = "level", "液位"
    POWER = "power", "用电功率"
    OTHER = "other", "其他"


class Unit(models.TextChoices):
    LEL = "%LEL", "%LEL"
    PPM = "ppm", "ppm"
    CELSIUS = "℃", "℃"
    MPA = "MPa", "MPa"
    METRE = "m", "m"
    KW = "kW", "kW"


DEFAULT_UNIT = {
    Kind.GAS: Unit.LEL,
    Kind.TOXIC: Unit.PPM,
    Kind.TEMPERATURE: Unit.CELSIUS,
    Kind.PRESSURE: Unit.MPA,
    Kind.LEVEL: Unit.METRE,
    Kind.POWER: Unit.KW,
}


class RuleKind(models.TextChoices):
    ABOVE = "above", "超过上限"
    BELOW = "below", "低于下限"
    RATE = "rate", "变化过快"
    SILENT = "silent", "设备离线"
    POWER = "power", "疑似违规生产"


class AlarmStatus(models.TextChoices):
    RAISED = "raised", "待确认"
    ACKNOWLEDGED = "acknowledged", "已确认"
    CLOSED = "closed", "已关闭"


OPEN = (AlarmStatus.RAISED, AlarmStatus.ACKNOWLEDGED)


class Reason(models.TextChoices):
    """Why a reading was refused (counted per device and reason)."""

    UNKNOWN_DEVICE = "unknown_device", "设备不存在"
    INACTIVE = "inactive", "设备已停用"
    BAD_TOKEN = "bad_token", "令牌无效"
    MALFORMED = "malformed", "数据格式错误"
    BAD_VALUE = "bad_value", "数值无效"
    BAD_TS = "bad_ts", "时间格式错误"
    WRONG_UNIT = "wrong_unit", "计量单位不符"
    FUTURE = "future", "时间超前"
    TOO_OLD = "too_old", "时间过旧"
    TOO_MANY = "too_many", "单批条数超限"
