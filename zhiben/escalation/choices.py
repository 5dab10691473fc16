from django.db import models


class Target(models.TextChoices):
    HAZARD = "hazard", "事故隐患"
    PLAN_TASK = "plan_task", "行动方案任务"
    PUBLIC_REPORT = "public_report", "群众举报核查"


class Action(models.TextChoices):
    REMIND = "remind", "提醒"
    LETTER = "letter", "函告"
    BULLETIN = "bulletin", "通报"
    INTERVIEW = "interview", "约谈"
    PROPOSE_LISTING = "propose_listing", "提请挂牌督办"


# The national default ladders (days overdue) per kind of object; an 安委办 may replace them for its jurisdiction.
HAZARD_LADDER = [
    # order, action, name, days overdue, major only, document kind
    (1, Action.REMIND, "逾期提醒", 1, False, ""),
    (2, Action.LETTER, "函告企业", 7, False, "supervision_letter"),
    (3, Action.BULLETIN, "纳入通报", 15, False, ""),
    (4, Action.INTERVIEW, "约谈主要负责人和实际控制人", 30, False, "interview_notice"),
    (5, Action.PROPOSE_LISTING, "提请挂牌督办", 30, True, ""),
]

PLAN_TASK_LADDER = [
    (1, Action.REMIND, "任务逾期提醒", 1, False, ""),
    (2, Action.LETTER, "函告责任单位", 7, False, ""),
    (3, Action.BULLETIN, "纳入通报", 15, False, ""),
    (4, Action.INTERVIEW, "约谈责任单位负责人", 30, False, ""),
]

DEFAULT_LADDERS = {Target.HAZARD: HAZARD_LADDER, Target.PLAN_TASK: PLAN_TASK_LADDER}
