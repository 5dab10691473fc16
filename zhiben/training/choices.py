from django.db import models


class PersonKind(models.TextChoices):
    WORKER = "worker", "从业人员"
    PRINCIPAL = "principal", "主要负责人"
    MANAGER = "manager", "安全管理人员"
    OFFICIAL = "official", "党政领导干部"
    ENFORCEMENT = "enforcement", "执法人员"
    RESCUE = "rescue", "应急救援人员"


class SpecialCategory(models.TextChoices):
    """特种作业目录（《特种作业人员安全技术培训考核管理规定》附件）的作业类别。"""

    ELECTRICAL = "electrical", "电工作业"
    WELDING = "welding", "焊接与热切割作业"
    HEIGHT = "height", "高处作业"
    REFRIGERATION = "refrigeration", "制冷与空调作业"
    COAL = "coal", "煤矿安全作业"
    MINE = "mine", "金属非金属矿山安全作业"
    PETROLEUM = "petroleum", "石油天然气安全作业"
    METALLURGY = "metallurgy", "冶金（有色）生产安全作业"
    HAZCHEM = "hazchem", "危险化学品安全作业"
    FIREWORKS = "fireworks", "烟花爆竹安全作业"
    OTHER = "other", "其他特种作业"


class CertificateKind(models.TextChoices):
    SPECIAL = "special", "特种作业操作证"
    QUALIFICATION = "qualification", "安全生产知识和管理能力考核合格证"
    EQUIPMENT = "equipment", "特种设备作业人员证"
    OTHER = "other", "其他证书"


class CertificateState(models.TextChoices):
    ACTIVE = "active", "在册"
    REVOKED = "revoked", "已注销"


class SessionKind(models.TextChoices):
    PRINCIPAL = "principal", "主要负责人履职"
    MANAGER = "manager", "安全管理人员"
    WORKER = "worker", "从业人员"
    SPECIAL = "special", "特种作业"
    OFFICIAL = "official", "党政领导干部"
    ENFORCEMENT = "enforcement", "执法人员"
    RESCUE = "rescue", "应急救援"


class ExamResult(models.TextChoices):
    NONE = "", "未考试"
    PASSED = "passed", "合格"
    FAILED = "failed", "不合格"


class ReviewResult(models.TextChoices):
    PENDING = "", "未评估"
    MEETS = "meets", "符合基本条件"
    RECTIFY = "rectify", "限期整改"
    FAILS = "fails", "不符合基本条件"


# 重点行业（主要负责人培训覆盖率的分母）：规则 training.key_industries 的默认值
KEY_INDUSTRIES = ["hazchem", "metallurgy", "mining", "fireworks", "explosives", "construction", "transport", "gas"]
