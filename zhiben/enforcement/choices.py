from django.db import models


class Measure(models.TextChoices):
    WARNING = "warning", "警告"
    FINE = "fine", "罚款"
    CONFISCATION = "confiscation", "没收违法所得"
    SUSPENSION = "suspension", "责令停产停业整顿"
    LICENCE_SUSPENDED = "licence_suspended", "暂扣证照"
    LICENCE_REVOKED = "licence_revoked", "吊销证照"
    CLOSURE = "closure", "关闭"


# measures that are a penalty (for the 零处罚 flag). 警告 is one too (行政处罚法 第九条): a unit that decided a
# warning did not "只检查不处罚".
PENALTIES = set(Measure)


class CaseStatus(models.TextChoices):
    FILED = "filed", "立案"
    NOTIFIED = "notified", "已告知"
    DECIDED = "decided", "已决定"
    EXECUTED = "executed", "执行完毕"
    CLOSED = "closed", "结案"
    REVOKED = "revoked", "撤销"


class OrderStatus(models.TextChoices):
    OPEN = "open", "整改中"
    PASSED = "passed", "复查合格"
    FAILED = "failed", "复查不合格"


class ReviewResult(models.TextChoices):
    NONE = "", "未复查"
    PASSED = "passed", "复查合格"
    FAILED = "failed", "复查不合格"
