"""Action plans (行动方案), duty lists and annual task lists: plan → 行动 → 重点任务 → 具体任务, with
the units that carry each task, its milestones, progress reports, indicators and filings (备案)."""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from zhiben.core.models import BaseModel, EvidenceFile, ScopedQuerySet

from .choices import (
    REPORT_EVENT_LABELS,
    Direction,
    DisplayStatus,
    Kind,
    MilestoneStatus,
    PlanStatus,
    Recurrence,
    ReportStatus,
    UnitRole,
)


def number_text(value):
    """Decimal("90.00") → "90", Decimal("92.50") → "92.5"."""
    if value is None:
        return ""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


class PlanQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """The plans `user` may open: in scope, and drafts only for those who manage plans."""
        qs = self.for_user(user)
        return qs if user.can("plan.manage") else qs.filter(status=PlanStatus.PUBLISHED)

    def published(self):
        return self.filter(status=PlanStatus.PUBLISHED)


class Plan(BaseModel):
    """One plan document of one jurisdiction: an action plan, a duty list or an annual task list.

    Lists are versioned: every version of the same list shares `series`; `previous` is the version
    it replaces. `parent` is the upper level's plan this one implements (a town plan → the district's).
    """

    SCOPE = {"region": "region_id"}

    title = models.CharField("名称", max_length=200)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices, default=Kind.ACTION_PLAN)
    region = models.ForeignKey(
        "regions.Region", verbose_name="所属区划", on_delete=models.PROTECT, related_name="plans"
    )
    issuing_unit = models.ForeignKey(
        "regions.Unit",
        verbose_name="印发单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="issued_plans",
    )
    start_year = models.PositiveSmallIntegerField("起始年度")
    end_year = models.PositiveSmallIntegerField("截止年度")
    series = models.CharField("清单系列", max_length=32, db_index=True)
    version = models.PositiveSmallIntegerField("版本", default=1)
    previous = models.ForeignKey(
        "self", verbose_name="上一版本", null=True, blank=True, on_delete=models.PROTECT, related_name="next_versions"
    )
    parent = models.ForeignKey(
        "self", verbose_name="上级方案", null=True, blank=True, on_delete=models.SET_NULL, related_name="child_plans"
    )
    status = models.CharField("状态", max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发布人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    source_filename = models.CharField("来源文件", max_length=200, blank=True)
    source_sha256 = models.CharField("来源文件摘要", max_length=64, blank=True)
    layout = models.CharField("来源版式", max_length=10, blank=True, help_text="table（表格）或 prose（正文）")
    import_warnings = models.JSONField("导入提示", default=list, blank=True)
    note = models.TextField("备注", blank=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["-start_year", "region_id", "-id"]
        verbose_name = verbose_name_plural = "行动方案"
        constraints = [
            models.CheckConstraint(condition=Q(end_year__gte=models.F("start_year")), name="plan_year_range"),
            models.UniqueConstraint(fields=["series", "version"], name="plan_series_version"),
        ]
        indexes = [models.Index(fields=["region", "kind", "status"], name="plan_region_kind_status")]

    def __str__(self):
        version = f"（第{self.version}版）" if self.version > 1 else ""
        return f"{self.title}{version}"

    def get_absolute_url(self):
        return reverse("plans:detail", args=[self.pk])

    @property
    def years(self):
        return list(range(self.start_year, self.end_year + 1))

    @property
    def year_label(self):
        return f"{self.start_year}年" if self.start_year == self.end_year else f"{self.start_year}—{self.end_year}年"

    @property
    def is_published(self):
        return self.status == PlanStatus.PUBLISHED


class PlanAction(models.Model):
    """A 行动 (or, in a duty list, a leader's or department's block of duties)."""

    plan = models.ForeignKey(Plan, verbose_name="方案", on_delete=models.CASCADE, related_name="actions")
    sort = models.PositiveIntegerField("排序", default=0)
    title = models.CharField("行动名称", max_length=300)

    class Meta:
        ordering = ["plan", "sort", "id"]
        verbose_name = verbose_name_plural = "行动"

    def __str__(self):
        return self.title or "（未分行动）"


class KeyTask(models.Model):
    """A 重点任务 inside an action."""

    plan = models.ForeignKey(Plan, verbose_name="方案", on_delete=models.CASCADE, related_name="key_tasks")
    action = models.ForeignKey(PlanAction, verbose_name="行动", on_delete=models.CASCADE, related_name="key_tasks")
    sort = models.PositiveIntegerField("排序", default=0)
    title = models.CharField("重点任务", max_length=500)

    class Meta:
        ordering = ["action", "sort", "id"]
        verbose_name = verbose_name_plural = "重点任务"

    def __str__(self):
        return self.title


class Task(BaseModel):
    """A 具体任务: its text, its deadline as written and as dates or a recurrence, its units.

    `parent_task` is the upper-level plan's task this one implements ("配合区相关部门…")."""

    SCOPE = {"region": "plan__region_id"}

    plan = models.ForeignKey(Plan, verbose_name="方案", on_delete=models.CASCADE, related_name="tasks")
    action = models.ForeignKey(PlanAction, verbose_name="行动", on_delete=models.CASCADE, related_name="tasks")
    key_task = models.ForeignKey(
        KeyTask, verbose_name="重点任务", null=True, blank=True, on_delete=models.CASCADE, related_name="tasks"
    )
    sort = models.PositiveIntegerField("序号", default=0)
    content = models.TextField("具体任务")
    deadline_text = models.CharField("完成时间（原文）", max_length=200, blank=True)
    due_dates = models.JSONField("完成时限", default=list, blank=True, help_text="ISO 日期列表")
    recurrence = models.CharField("周期", max_length=12, choices=Recurrence.choices, blank=True)
    source = models.CharField("原文位置", max_length=100, blank=True)
    parent_task = models.ForeignKey(
        "self",
        verbose_name="落实上级任务",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="implementing_tasks",
    )
    units = models.ManyToManyField(
        "regions.Unit", through="TaskUnit", verbose_name="责任单位", blank=True, related_name="plan_tasks"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "sort", "id"]
        verbose_name = verbose_name_plural = "具体任务"
        indexes = [models.Index(fields=["plan", "sort"], name="plan_task_sort")]

    def __str__(self):
        return f"{self.sort}. {self.content[:40]}"

    def get_absolute_url(self):
        return reverse("plans:task", args=[self.pk])

    @property
    def dates(self):
        return [date.fromisoformat(d) for d in self.due_dates or []]

    @property
    def recurrence_label(self):
        return Recurrence(self.recurrence).label if self.recurrence in Recurrence.values else ""


class TaskUnit(models.Model):
    """A unit on a task with its role (牵头/负责/配合). `name` is the name as the plan writes it;
    `unit` is the unit it was matched to (empty for a collective like "镇安委会有关成员单位")."""

    task = models.ForeignKey(Task, verbose_name="任务", on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(
        "regions.Unit",
        verbose_name="单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plan_assignments",
    )
    name = models.CharField("原文名称", max_length=100)
    role = models.CharField("角色", max_length=12, choices=UnitRole.choices, default=UnitRole.RESPONSIBLE)
    sort = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        ordering = ["task", "sort", "id"]
        verbose_name = verbose_name_plural = "任务责任单位"
        constraints = [models.UniqueConstraint(fields=["task", "name"], name="task_unit_name_once")]
        indexes = [models.Index(fields=["unit", "role"], name="task_unit_unit_role")]

    def __str__(self):
        return f"{self.display_name}（{self.get_role_display()}）"

    @property
    def display_name(self):
        return self.unit.name if self.unit_id else self.name


class MilestoneQuerySet(ScopedQuerySet):
    def overdue(self, today=None):
        """Past due and not completed; a 长期坚持 task's milestones are never overdue (issue 25)."""
        today = today or timezone.localdate()
        return (
            self.filter(due_date__lt=today)
            .exclude(status=MilestoneStatus.COMPLETED)
            .exclude(task__recurrence=Recurrence.ONGOING)
        )

    def due(self, today=None):
        today = today or timezone.localdate()
        return self.filter(due_date__lte=today)


class Milestone(models.Model):
    """One period of a task (a year, a quarter, a dated deadline) with its progress. Whether it is
    overdue is computed from the due date on the day asked, never stored."""

    SCOPE = {"region": "task__plan__region_id"}

    task = models.ForeignKey(Task, verbose_name="任务", on_delete=models.CASCADE, related_name="milestones")
    label = models.CharField("节点", max_length=40)
    period_start = models.DateField("期初", null=True, blank=True)
    due_date = models.DateField("完成时限")
    status = models.CharField(
        "状态", max_length=12, choices=MilestoneStatus.choices, default=MilestoneStatus.NOT_STARTED
    )
    completed_on = models.DateField("完成日期", null=True, blank=True)

    objects = MilestoneQuerySet.as_manager()

    class Meta:
        ordering = ["task", "due_date"]
        verbose_name = verbose_name_plural = "任务节点"
        constraints = [models.UniqueConstraint(fields=["task", "due_date"], name="milestone_task_due_once")]
        indexes = [models.Index(fields=["due_date", "status"], name="milestone_due_status")]

    def __str__(self):
        """The task it belongs to and the period: what an escalation record names."""
        return f"{self.task}（{self.label}）"

    def get_absolute_url(self):
        """A milestone is shown on its task's page."""
        return self.task.get_absolute_url()

    def is_overdue(self, today=None):
        today = today or timezone.localdate()
        if self.status == MilestoneStatus.COMPLETED or self.due_date >= today:
            return False
        return self.task.recurrence != Recurrence.ONGOING

    def days_overdue(self, today=None):
        today = today or timezone.localdate()
        return (today - self.due_date).days if self.is_overdue(today) else 0

    def display_status(self, today=None):
        return DisplayStatus.OVERDUE if self.is_overdue(today) else DisplayStatus(self.status)


class ProgressReport(BaseModel):
    """A responsible unit's report on a task (and the milestone it concerns), reviewed by the 安委办."""

    SCOPE = {"region": "task__plan__region_id"}

    task = models.ForeignKey(Task, verbose_name="任务", on_delete=models.CASCADE, related_name="reports")
    milestone = models.ForeignKey(
        Milestone, verbose_name="节点", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    unit = models.ForeignKey(
        "regions.Unit", verbose_name="报送单位", on_delete=models.PROTECT, related_name="plan_reports"
    )
    text = models.TextField("工作进展")
    percentage = models.PositiveSmallIntegerField("完成进度（%）", default=0)
    status = models.CharField("状态", max_length=10, choices=ReportStatus.choices, default=ReportStatus.PENDING)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="报送人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField("报送时间", default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    review_note = models.TextField("审核意见", blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = verbose_name_plural = "工作进展报告"
        constraints = [models.CheckConstraint(condition=Q(percentage__lte=100), name="progress_percentage_max_100")]
        indexes = [models.Index(fields=["status", "submitted_at"], name="progress_status_submitted")]

    def __str__(self):
        return f"{self.unit} · {self.task_id} · {self.percentage}%"

    def get_absolute_url(self):
        """A report has no page of its own: it is shown, and reviewed, on its task's page."""
        return reverse("plans:task", args=[self.task_id]) + f"#report-{self.pk}"


class ProgressEvent(models.Model):
    """One step of a report's review: the timeline and the audit trail of the transition table."""

    report = models.ForeignKey(ProgressReport, verbose_name="进展报告", on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField("时间", default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField("操作人", max_length=100, blank=True)
    action = models.CharField("动作", max_length=20)
    from_status = models.CharField("原状态", max_length=10, blank=True)
    to_status = models.CharField("新状态", max_length=10, blank=True)
    note = models.TextField("说明", blank=True)
    data = models.JSONField("内容", default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = verbose_name_plural = "进展审核记录"

    def __str__(self):
        return f"{self.report_id} {self.action}"

    @property
    def action_label(self):
        return REPORT_EVENT_LABELS.get(self.action, self.action)


class ProgressAttachment(EvidenceFile):
    """A photo or document backing a progress report, checked by content and kept with its SHA-256."""

    STORAGE_DIR = "plans"

    report = models.ForeignKey(
        ProgressReport, verbose_name="进展报告", on_delete=models.CASCADE, related_name="attachments"
    )

    class Meta(EvidenceFile.Meta):
        verbose_name = verbose_name_plural = "进展佐证材料"

    def __str__(self):
        return self.original_name


class Indicator(BaseModel):
    """A quantitative target ("建成率达到90%", "培训全覆盖" = 100%) and the period it is measured by."""

    SCOPE = {"region": "plan__region_id"}

    plan = models.ForeignKey(Plan, verbose_name="方案", on_delete=models.CASCADE, related_name="indicators")
    task = models.ForeignKey(
        Task, verbose_name="任务", null=True, blank=True, on_delete=models.SET_NULL, related_name="indicators"
    )
    name = models.CharField("指标", max_length=200)
    target_value = models.DecimalField("目标值", max_digits=14, decimal_places=2)
    measure = models.CharField("计量单位", max_length=20, blank=True, default="%")
    direction = models.CharField("达标方向", max_length=10, choices=Direction.choices, default=Direction.AT_LEAST)
    period = models.CharField(
        "统计周期", max_length=10, choices=[("year", "按年"), ("quarter", "按季度")], default="year"
    )
    source_text = models.CharField("原文", max_length=300, blank=True)
    figure_key = models.CharField(
        "关联统计指标",
        max_length=100,
        blank=True,
        help_text="已登记的统计指标键（如 training.principal_coverage），显示实时值",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "id"]
        verbose_name = verbose_name_plural = "量化指标"

    def __str__(self):
        return f"{self.name} {self.get_direction_display()}{self.target_display}"

    @property
    def target_display(self):
        return f"{number_text(self.target_value)}{self.measure}"

    def met_by(self, value):
        if value is None:
            return None
        return value >= self.target_value if self.direction == Direction.AT_LEAST else value <= self.target_value

    @cached_property
    def live(self):
        """The live value of the registered figure this indicator is linked to (`figure_key`), for the plan's
        region and the current year: {"value", "met", "url", "label"}; None when not linked (or the key is
        not registered)."""
        from zhiben.core.registry import registry

        figure = registry["figures"].get(self.figure_key) if self.figure_key else None
        if figure is None:
            return None
        filters = {"region": self.plan.region_id, "year": str(timezone.localdate().year)}
        value = figure.compute(None, filters)
        return {
            "value": value,
            "met": self.met_by(value),
            "url": figure.url(filters) if figure.url else "",
            "label": figure.label,
        }


class IndicatorValue(models.Model):
    """A reported value of an indicator for one period ("2024", "2024Q2"), by a unit."""

    indicator = models.ForeignKey(Indicator, verbose_name="指标", on_delete=models.CASCADE, related_name="values")
    period = models.CharField("统计期", max_length=7)
    value = models.DecimalField("数值", max_digits=14, decimal_places=2)
    unit = models.ForeignKey(
        "regions.Unit", verbose_name="报送单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField("说明", max_length=300, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="报送人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField("报送时间", default=timezone.now)

    class Meta:
        ordering = ["indicator", "period", "id"]
        verbose_name = verbose_name_plural = "指标报送值"
        constraints = [models.UniqueConstraint(fields=["indicator", "period", "unit"], name="indicator_value_once")]

    def __str__(self):
        return f"{self.indicator_id} {self.period} = {self.value}"


class PlanFiling(models.Model):
    """A filing (备案) of one version of a plan or list with the upper level's 安委办."""

    SCOPE = {"region": "plan__region_id"}

    plan = models.ForeignKey(Plan, verbose_name="方案/清单", on_delete=models.PROTECT, related_name="filings")
    version = models.PositiveSmallIntegerField("备案版本")
    to_region = models.ForeignKey("regions.Region", verbose_name="备案至", on_delete=models.PROTECT, related_name="+")
    to_unit = models.ForeignKey(
        "regions.Unit", verbose_name="备案单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="备案人", on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField("备案时间", default=timezone.now)
    note = models.CharField("说明", max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-filed_at", "-id"]
        verbose_name = verbose_name_plural = "备案记录"
        constraints = [models.UniqueConstraint(fields=["plan"], name="plan_filed_once")]

    def __str__(self):
        return f"{self.plan} → {self.to_region}"


class PlanDraft(models.Model):
    """An uploaded plan between upload and "确认导入": the extracted rows as its owner corrects them.
    Only its owner ever reads it; nothing of it reaches the plan tables until confirmed."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="导入人", on_delete=models.CASCADE, related_name="plan_drafts"
    )
    kind = models.CharField("类型", max_length=20, choices=Kind.choices, default=Kind.ACTION_PLAN)
    title = models.CharField("名称", max_length=200, blank=True)
    region = models.ForeignKey("regions.Region", verbose_name="所属区划", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField("方案年度")
    start_year = models.PositiveSmallIntegerField("起始年度")
    end_year = models.PositiveSmallIntegerField("截止年度")
    parent = models.ForeignKey(
        Plan, verbose_name="上级方案", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    previous = models.ForeignKey(
        Plan, verbose_name="上一版本", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    filename = models.CharField("文件名", max_length=200)
    sha256 = models.CharField("文件摘要", max_length=64)
    layout = models.CharField("版式", max_length=10, blank=True)
    rows = models.JSONField("任务行", default=list)
    unit_choices = models.JSONField("单位对应", default=dict, blank=True)
    next_id = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = verbose_name_plural = "导入草稿"

    def __str__(self):
        return f"{self.title or self.filename}（待确认）"

    def get_absolute_url(self):
        return reverse("plans:draft", args=[self.pk])
