from django.db import models


class Kind(models.TextChoices):
    QUARTERLY = "quarterly", "季度"
    ANNUAL = "annual", "年度"


class ReportStatus(models.TextChoices):
    PENDING = "pending", "未填报"
    DRAFT = "draft", "待签字确认"
    ATTESTED = "attested", "已签字确认"
    SUBMITTED = "submitted", "已报送"


class Compliance(models.TextChoices):
    """Where an enterprise stands for a period (computed from the deadline, never stored)."""

    ON_TIME = "on_time", "按期报送"
    LATE = "late", "逾期报送"
    OVERDUE = "overdue", "逾期未报"
    OPEN = "open", "待报送"
    # registered on the platform only after the deadline: not owed on the platform, not counted as late
    EXEMPT = "exempt", "入驻平台前已到期（不计应报）"


COMPLIANCE_TONES = {
    Compliance.ON_TIME: "green",
    Compliance.LATE: "orange",
    Compliance.OVERDUE: "red",
    Compliance.OPEN: "",
    Compliance.EXEMPT: "",
}

EVENT_LABELS = {
    "generate": "生成统计数据",
    "attest": "主要负责人签字确认",
    "submit": "报送",
    "reminder": "报送提醒",
    "overdue": "逾期未报",
}

# the deadline rule of each kind of report (registered in hooks.py, set on the platform's rules page /rules/)
DEADLINE_RULES = {Kind.QUARTERLY: "duty.quarterly.deadline", Kind.ANNUAL: "duty.annual.deadline"}
