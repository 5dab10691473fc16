from django.db import models


class DutyRole(models.TextChoices):
    LEADER = "leader", "带班领导"
    STAFF = "staff", "值班人员"


class LogKind(models.TextChoices):
    CALL = "call", "来电"
    DOCUMENT = "document", "来文"
    INCIDENT = "incident", "突发事件"
    OTHER = "other", "其他"


class EventKind(models.TextChoices):
    ACCIDENT = "accident", "事故信息"
    EMERGENCY = "emergency", "突发事件"


class ReportStatus(models.TextChoices):
    OPEN = "open", "报送中"
    CLOSED = "closed", "已终报"


class UpdateKind(models.TextChoices):
    FOLLOWUP = "followup", "续报"
    FINAL = "final", "终报"


# The default shift: one 24-hour shift from 08:30 (rule "watch.shifts", per jurisdiction).
DEFAULT_SHIFTS = [{"name": "全天", "start": "08:30"}]
