"""Duty roster (值班表: 领导带班 and 值班人员 per day and shift), duty log (值班日志), handover (交接班), and
event information reports (信息报送) passed up the region chain with the clock of each level."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from zhiben.core.crypto import EncryptedTextField, mask_phone
from zhiben.core.models import BaseModel, ScopedQuerySet
from zhiben.core.scoping import code_level

from .choices import DutyRole, EventKind, LogKind, ReportStatus, UpdateKind

SCOPE = {"region": "region_id"}


class DutyDay(BaseModel):
    """One day of a unit's roster: the subject of the day's shifts, log, handovers and 值班日报."""

    SCOPE = SCOPE

    unit = models.ForeignKey("regions.Unit", verbose_name="值班单位", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("regions.Region", verbose_name="所属区划", on_delete=models.PROTECT, related_name="+")
    day = models.DateField("值班日期")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-day", "unit_id"]
        verbose_name = verbose_name_plural = "值班日"
        constraints = [models.UniqueConstraint(fields=["unit", "day"], name="watch_day_unique_unit_day")]

    def __str__(self):
        return f"{self.unit} {self.day:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("watch:day", args=[self.unit_id, self.day.isoformat()])


class DutySlot(BaseModel):
    """One shift of a duty day: when it starts and ends (fixed when the roster is written, so a later change
    of the shift rule leaves past shifts as they were) and who is on it."""

    SCOPE = SCOPE

    duty_day = models.ForeignKey(DutyDay, verbose_name="值班日", on_delete=models.CASCADE, related_name="slots")
    unit = models.ForeignKey("regions.Unit", verbose_name="值班单位", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("regions.Region", verbose_name="所属区划", on_delete=models.PROTECT, related_name="+")
    shift = models.CharField("班次", max_length=20)
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = verbose_name_plural = "值班班次"
        constraints = [
            models.UniqueConstraint(fields=["unit", "starts_at"], name="watch_slot_unique_unit_start"),
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="watch_slot_ends_after"),
        ]
        indexes = [models.Index(fields=["unit", "starts_at", "ends_at"], name="watch_slot_unit_time")]

    def __str__(self):
        return f"{self.unit} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M} {self.shift}"

    def people_of(self, role):
        return [p for p in self.people.all() if p.role == role]

    @property
    def leaders(self):
        return self.people_of(DutyRole.LEADER)

    @property
    def staff(self):
        return self.people_of(DutyRole.STAFF)


class DutyPerson(models.Model):
    """A person on a shift: a name and a phone (encrypted), linked to an account when one matches."""

    slot = models.ForeignKey(DutySlot, verbose_name="班次", on_delete=models.CASCADE, related_name="people")
    role = models.CharField("职责", max_length=10, choices=DutyRole.choices)
    name = models.CharField("姓名", max_length=50)
    phone = EncryptedTextField("联系电话", blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    position = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        ordering = ["slot_id", "role", "position", "id"]
        verbose_name = verbose_name_plural = "值班人员"

    def __str__(self):
        return f"{self.get_role_display()} {self.name}"

    @property
    def phone_masked(self):
        return mask_phone(self.phone)


class DutyLogEntry(BaseModel):
    """An entry of the duty log (值班日志): a call, a document received, an incident, anything else."""

    SCOPE = SCOPE

    duty_day = models.ForeignKey(DutyDay, verbose_name="值班日", on_delete=models.PROTECT, related_name="entries")
    unit = models.ForeignKey("regions.Unit", verbose_name="值班单位", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("regions.Region", verbose_name="所属区划", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("时间")
    kind = models.CharField("类型", max_length=10, choices=LogKind.choices)
    content = models.TextField("内容")
    recorded_by_name = models.CharField("记录人", max_length=100)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = verbose_name_plural = "值班日志"
        indexes = [models.Index(fields=["unit", "at"], name="watch_log_unit_at")]

    def __str__(self):
        return f"{timezone.localtime(self.at):%Y-%m-%d %H:%M} {self.get_kind_display()}"


class Handover(BaseModel):
    """A handover at the end of a shift: who handed over to whom, and the items still open."""

    SCOPE = SCOPE

    duty_day = models.ForeignKey(DutyDay, verbose_name="值班日", on_delete=models.PROTECT, related_name="handovers")
    unit = models.ForeignKey("regions.Unit", verbose_name="值班单位", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("regions.Region", verbose_name="所属区划", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("交接时间")
    from_slot = models.ForeignKey(
        DutySlot, verbose_name="交班班次", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_slot = models.ForeignKey(
        DutySlot, verbose_name="接班班次", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handed_by = models.CharField("交班人", max_length=100)
    taken_by = models.CharField("接班人", max_length=100)
    open_items = models.TextField("未办结事项", blank=True)
    note = models.TextField("交接说明", blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = verbose_name_plural = "交接班记录"
        indexes = [models.Index(fields=["unit", "at"], name="watch_handover_unit_at")]

    def __str__(self):
        return f"{timezone.localtime(self.at):%Y-%m-%d %H:%M} {self.handed_by}→{self.taken_by}"

    @property
    def open_item_lines(self):
        return [line.strip() for line in self.open_items.splitlines() if line.strip()]


class GapNotice(models.Model):
    """The claim that a roster gap (a unit's day without a leader or staff) was notified: once per unit and day."""

    unit = models.ForeignKey("regions.Unit", verbose_name="值班单位", on_delete=models.CASCADE, related_name="+")
    day = models.DateField("缺口日期")
    at = models.DateTimeField("提醒时间", auto_now_add=True)

    class Meta:
        ordering = ["-day", "unit_id"]
        verbose_name = verbose_name_plural = "值班缺口提醒"
        constraints = [models.UniqueConstraint(fields=["unit", "day"], name="watch_gap_notice_once")]

    def __str__(self):
        return f"{self.unit_id} {self.day}"


# ---------------------------------------------------------------- information reports


def user_level(user):
    """The level of the user's jurisdiction (1 province … 5 village), None without one."""
    return code_level(user.region_id) if getattr(user, "region_id", None) else None


class EventReportQuerySet(ScopedQuerySet):
    def for_user(self, user):
        """In the user's region subtree, and only once the report has reached the user's own level: a county
        sees a town's report when the town has passed it on."""
        qs = super().for_user(user)
        if user is None or not user.is_authenticated or user.is_superuser:
            return qs
        level = user_level(user)
        return qs.filter(reached_level__lte=level) if level else qs.none()


class EventReport(BaseModel):
    """An event information report (突发事件/事故信息): what, where, when, casualties and measures; created at
    the lowest level and passed up the region chain (`ReportLevel` rows), with 续报 and 终报 (`ReportUpdate`)."""

    SCOPE = SCOPE

    number = models.CharField("编号", max_length=40, unique=True)
    kind = models.CharField("类别", max_length=10, choices=EventKind.choices, default=EventKind.EMERGENCY)
    title = models.CharField("事件名称", max_length=100)
    description = models.TextField("基本情况")
    region = models.ForeignKey("regions.Region", verbose_name="事发地", on_delete=models.PROTECT, related_name="+")
    place = models.CharField("具体地点", max_length=200, blank=True)
    occurred_at = models.DateTimeField("发生时间")
    deaths = models.PositiveIntegerField("死亡（人）", default=0)
    missing = models.PositiveIntegerField("失踪（人）", default=0)
    injured = models.PositiveIntegerField("受伤（人）", default=0)
    measures = models.TextField("已采取的措施", blank=True)
    reporter_unit = models.ForeignKey(
        "regions.Unit", verbose_name="报告单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reporter_name = models.CharField("报告人", max_length=100, blank=True)
    origin_level = models.PositiveSmallIntegerField("首报层级")
    top_level = models.PositiveSmallIntegerField("报至层级")
    reached_level = models.PositiveSmallIntegerField("已报至层级")
    status = models.CharField("状态", max_length=10, choices=ReportStatus.choices, default=ReportStatus.OPEN)
    closed_at = models.DateTimeField("终报时间", null=True, blank=True)

    objects = EventReportQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = verbose_name_plural = "信息报送"
        indexes = [models.Index(fields=["status", "occurred_at"], name="watch_report_status_time")]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        return reverse("watch:report_detail", args=[self.pk])

    @property
    def casualties(self):
        parts = [f"死亡 {self.deaths} 人", f"失踪 {self.missing} 人", f"受伤 {self.injured} 人"]
        return "，".join(parts)


class ReportLevel(models.Model):
    """One level of a report's chain: when it received the report, by when it must pass it on (and send the
    书面报告), and when it did. The top level only receives."""

    report = models.ForeignKey(EventReport, verbose_name="信息", on_delete=models.CASCADE, related_name="levels")
    region = models.ForeignKey("regions.Region", verbose_name="层级", on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField("层级")
    received_at = models.DateTimeField("接报时间")
    deadline_at = models.DateTimeField("应上报时间", null=True, blank=True)
    passed_at = models.DateTimeField("上报时间", null=True, blank=True)
    passed_by_name = models.CharField("上报人", max_length=100, blank=True)
    written_deadline_at = models.DateTimeField("书面报告应报时间", null=True, blank=True)
    written_at = models.DateTimeField("书面报告时间", null=True, blank=True)
    written_by_name = models.CharField("书面报告人", max_length=100, blank=True)

    class Meta:
        ordering = ["-level"]
        verbose_name = verbose_name_plural = "信息报送层级"
        constraints = [models.UniqueConstraint(fields=["report", "level"], name="watch_level_unique")]
        indexes = [models.Index(fields=["passed_at", "deadline_at"], name="watch_level_clock")]

    def __str__(self):
        return f"{self.report_id} {self.region_id}"

    def get_absolute_url(self):
        return self.report.get_absolute_url()

    @property
    def is_top(self):
        return self.deadline_at is None

    def late(self, now=None):
        """Passed on after its deadline, or not passed on and the deadline gone (an open report)."""
        if self.deadline_at is None:
            return False
        if self.passed_at is not None:
            return self.passed_at > self.deadline_at
        return self.report.status == ReportStatus.OPEN and (now or timezone.now()) > self.deadline_at

    def written_late(self, now=None):
        if self.written_deadline_at is None:
            return False
        if self.written_at is not None:
            return self.written_at > self.written_deadline_at
        return self.report.status == ReportStatus.OPEN and (now or timezone.now()) > self.written_deadline_at

    def elapsed_minutes(self, now=None):
        """Minutes from receipt to passing on (to `now` while not passed on)."""
        end = self.passed_at or (now or timezone.now())
        return max(int((end - self.received_at).total_seconds() // 60), 0)


class ReportUpdate(models.Model):
    """A 续报 or the 终报 of a report: its own time and text, and the casualty figures when they changed."""

    report = models.ForeignKey(EventReport, verbose_name="信息", on_delete=models.CASCADE, related_name="updates")
    kind = models.CharField("类型", max_length=10, choices=UpdateKind.choices)
    at = models.DateTimeField("报送时间")
    text = models.TextField("内容")
    deaths = models.PositiveIntegerField("死亡（人）", null=True, blank=True)
    missing = models.PositiveIntegerField("失踪（人）", null=True, blank=True)
    injured = models.PositiveIntegerField("受伤（人）", null=True, blank=True)
    unit = models.ForeignKey(
        "regions.Unit", verbose_name="报送单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by_name = models.CharField("报送人", max_length=100)
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = verbose_name_plural = "续报与终报"

    def __str__(self):
        return f"{self.report_id} {self.get_kind_display()}"
