from django.db import models


class Kind(models.TextChoices):
    ACTION_PLAN = "action_plan", "行动方案"
    DUTY_LIST = "duty_list", "职责清单"
    ANNUAL_LIST = "annual_list", "年度任务清单"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"


class UnitRole(models.TextChoices):
    LEAD = "lead", "牵头"
    RESPONSIBLE = "responsible", "负责"
    COOPERATING = "cooperating", "配合"


# the roles that own a task: they report its progress and its completion counts for them
OWNER_ROLES = (UnitRole.LEAD, UnitRole.RESPONSIBLE)


class Recurrence(models.TextChoices):
    ONCE = "once", "一次性"
    YEARLY = "yearly", "每年"
    SEMIANNUAL = "semiannual", "每半年"
    QUARTERLY = "quarterly", "每季度"
    MONTHLY = "monthly", "每月"
    ONGOING = "ongoing", "长期坚持"


class MilestoneStatus(models.TextChoices):
    """What is stored. 逾期 is never stored: it is computed from the due date (`DisplayStatus`)."""

    NOT_STARTED = "not_started", "未开始"
    IN_PROGRESS = "in_progress", "推进中"
    COMPLETED = "completed", "已完成"


class DisplayStatus(models.TextChoices):
    """What a milestone, task or table cell shows on a given day."""

    NOT_STARTED = "not_started", "未开始"
    IN_PROGRESS = "in_progress", "推进中"
    COMPLETED = "completed", "已完成"
    OVERDUE = "overdue", "逾期"
    ONGOING = "ongoing", "长期坚持"  # a standing task without milestones: followed by its progress reports


class ReportStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    ACCEPTED = "accepted", "已采纳"
    RETURNED = "returned", "退回"


class Granularity(models.TextChoices):
    YEAR = "year", "按年"
    QUARTER = "quarter", "按季度"
    MONTH = "month", "按月"


class Direction(models.TextChoices):
    AT_LEAST = "at_least", "不低于"
    AT_MOST = "at_most", "不高于"


REPORT_EVENT_LABELS = {"submit": "提交进展", "accept": "采纳", "return": "退回", "resubmit": "重新提交"}
