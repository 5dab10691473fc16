"""Hazards (事故隐患): criteria catalogues, places, the hazard record, its events, evidence and extensions."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from zhiben.core.crypto import EncryptedTextField, mask_phone
from zhiben.core.models import BaseModel, EvidenceFile, ScopedQuerySet

from .choices import (
    EVENT_LABELS,
    OPEN_STATUSES,
    OVERDUE_STATUSES,
    AttachmentKind,
    Category,
    Channel,
    ExtensionStatus,
    Level,
    ListingLevel,
    PlaceKind,
    Status,
)


class CriteriaStandard(models.Model):
    """One version of a 重大事故隐患判定标准 (e.g. 工贸企业重大事故隐患判定标准, 应急管理部令第10号)."""

    code = models.SlugField("标准代码", max_length=60)
    version = models.CharField("版本", max_length=20, default="1")
    name = models.CharField("名称", max_length=200)
    doc_number = models.CharField("文号", max_length=100, blank=True)
    issuer = models.CharField("发布机关", max_length=100, blank=True)
    effective_date = models.DateField("施行日期", null=True, blank=True)
    industries = models.ManyToManyField(
        "regions.Industry", verbose_name="适用行业", blank=True, related_name="criteria_standards"
    )
    is_current = models.BooleanField("现行有效", default=True)
    note = models.CharField("说明", max_length=300, blank=True)
    # Who owns the catalogue: none is the national catalogue (kept by the superuser); a town or county
    # adds local items under its own region, applying to hazards in its subtree (criteria.py).
    region = models.ForeignKey(
        "regions.Region",
        verbose_name="制定区划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="criteria_standards",
        help_text="空：国家标准；否则为该区划制定的地方细则，只适用于本区划及下级",
    )

    class Meta:
        ordering = ["name", "-version"]
        verbose_name = verbose_name_plural = "判定标准"
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="criteria_standard_version")]

    def __str__(self):
        return f"{self.name}（{self.doc_number}）" if self.doc_number else self.name


class CriteriaPart(models.Model):
    """A part of a standard (管理类/行业类/专项类, or a chapter)."""

    standard = models.ForeignKey(CriteriaStandard, verbose_name="标准", on_delete=models.CASCADE, related_name="parts")
    number = models.CharField("编号", max_length=40, blank=True)
    title = models.CharField("标题", max_length=200)
    sort = models.PositiveIntegerField("排序", default=0)

    class Meta:
        ordering = ["standard", "sort"]
        verbose_name = verbose_name_plural = "判定标准部分"

    def __str__(self):
        return f"{self.number} {self.title}".strip()


class CriteriaItem(models.Model):
    """One item a 重大 hazard is judged under. Items are never edited in place once cited: a new
    version of the standard gets new rows, so a hazard keeps the exact text it was judged under."""

    standard = models.ForeignKey(CriteriaStandard, verbose_name="标准", on_delete=models.PROTECT, related_name="items")
    part = models.ForeignKey(
        CriteriaPart, verbose_name="部分", null=True, blank=True, on_delete=models.PROTECT, related_name="items"
    )
    number = models.CharField("条款号", max_length=60)
    text = models.TextField("内容")
    sort = models.PositiveIntegerField("排序", default=0)

    class Meta:
        ordering = ["standard", "sort"]
        verbose_name = verbose_name_plural = "判定标准条款"
        constraints = [models.UniqueConstraint(fields=["standard", "number"], name="criteria_item_number")]

    def __str__(self):
        return f"{self.number} {self.text[:40]}"


class PlaceQuerySet(ScopedQuerySet):
    def for_user(self, user):
        """A place has no industry of its own: department staff see only the places where a hazard of
        the industries their unit supervises lies (everyone else: the region subtree, as `SCOPE` says)."""
        qs = super().for_user(user)
        if getattr(user, "limited_to_domains", False) and not user.enterprise_id:
            qs = qs.filter(pk__in=Hazard.objects.for_user(user).filter(place__isnull=False).values("place_id"))
        return qs


class Place(BaseModel):
    """A place with no enterprise behind it: a gas pipe, a self-built house, a public place.

    Scope follows its hazards: see `PlaceQuerySet.for_user`."""

    SCOPE = {"region": "region_id"}

    name = models.CharField("名称", max_length=200)
    kind = models.CharField("类型", max_length=20, choices=PlaceKind.choices, default=PlaceKind.OTHER)
    region = models.ForeignKey(
        "regions.Region", verbose_name="所在区划", on_delete=models.PROTECT, related_name="places"
    )
    address = models.CharField("地址", max_length=300, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)

    objects = PlaceQuerySet.as_manager()

    class Meta:
        ordering = ["region_id", "name"]
        verbose_name = verbose_name_plural = "场所"

    def __str__(self):
        return self.name


def review_overdue_q(today):
    return Q(status=Status.SUBMITTED, historic=False, review_deadline__lt=today)


class HazardQuerySet(ScopedQuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today=None):
        """Overdue hazards (逾期未整改): past the deadline and not reported rectified (OVERDUE_STATUSES); historic
        ledger rows (imported archives) never count."""
        today = today or timezone.localdate()
        return self.filter(status__in=OVERDUE_STATUSES, deadline__lt=today, historic=False)

    def not_overdue(self, today=None):
        today = today or timezone.localdate()
        return self.exclude(Q(status__in=OVERDUE_STATUSES, deadline__lt=today, historic=False))

    def review_overdue(self, today=None):
        """Requests for 销号 left unreviewed past their review deadline (hazard.review_days after the request)."""
        return self.filter(review_overdue_q(today or timezone.localdate()))


class Hazard(BaseModel):
    """An accident hazard from any channel, driven through rectification to sign-off (销号)."""

    SCOPE = {"region": "region_id", "domain": "industry_id", "enterprise": "enterprise_id"}

    number = models.CharField("隐患编号", max_length=40, unique=True)
    # Indexes (Meta.indexes): every index is written on every hazard an import or intake creates, so none is kept that
    # another covers — enterprise and region are the leading columns of hazard_enterprise_status and
    # hazard_region_status_deadline (region lookups are ranges, scoping.subtree_q) — and the references a new hazard
    # does not have (place, criteria item, listing, sign-off, merge, repeat) are indexed where set only.
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name="生产经营单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hazards",
        db_index=False,
    )
    place = models.ForeignKey(
        Place,
        verbose_name="场所",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hazards",
        db_index=False,
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name="所在区划", on_delete=models.PROTECT, related_name="hazards", db_index=False
    )
    industry = models.ForeignKey(
        "regions.Industry", verbose_name="行业领域", on_delete=models.PROTECT, related_name="hazards"
    )
    channel = models.CharField("发现渠道", max_length=20, choices=Channel.choices)
    level = models.CharField("隐患等级", max_length=10, choices=Level.choices, default=Level.GENERAL)
    criteria_item = models.ForeignKey(
        CriteriaItem,
        verbose_name="判定依据条款",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hazards",
        db_index=False,
    )
    criteria_other = models.TextField(
        "其他判定理由", blank=True, help_text="判定标准未列明时，说明认定为重大隐患的理由"
    )
    category = models.CharField("隐患类别", max_length=20, choices=Category.choices, blank=True)
    description = models.TextField("隐患描述")
    location = models.CharField("隐患部位", max_length=300, blank=True)
    found_date = models.DateField("发现日期")
    found_by = models.CharField("发现人", max_length=100, blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上报人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reported_hazards",
    )
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.REPORTED)
    deadline = models.DateField("整改期限", null=True, blank=True)
    original_deadline = models.DateField("原定整改期限", null=True, blank=True)
    # 五落实: 责任、措施、资金、时限(deadline)、预案
    responsible_person = models.CharField("整改责任人", max_length=50, blank=True)
    responsible_phone = EncryptedTextField("责任人电话", blank=True)  # personal data: encrypted at rest
    measures = models.TextField("整改措施", blank=True)
    funds = models.DecimalField("整改资金（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    contingency = models.TextField("应急预案/防范措施", blank=True)
    # 治理方案 (重大隐患, 16号令第15条)
    plan_goal = models.TextField("治理的目标和任务", blank=True)
    plan_method = models.TextField("采取的方法和措施", blank=True)
    plan_resources = models.TextField("经费和物资的落实", blank=True)
    plan_team = models.TextField("负责治理的机构和人员", blank=True)
    plan_schedule = models.TextField("治理的时限和要求", blank=True)
    plan_safety = models.TextField("安全措施和应急预案", blank=True)
    supervising_unit = models.ForeignKey(
        "regions.Unit",
        verbose_name="监管部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervised_hazards",
    )
    listed_level = models.CharField("挂牌督办级别", max_length=10, choices=ListingLevel.choices, blank=True)
    listed_unit = models.ForeignKey(
        "regions.Unit",
        verbose_name="挂牌督办单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="listed_hazards",
        db_index=False,
    )
    listed_at = models.DateTimeField("挂牌时间", null=True, blank=True)
    verified_at = models.DateTimeField("核实时间", null=True, blank=True)
    rectified_date = models.DateField("整改完成日期", null=True, blank=True)
    review_deadline = models.DateField(
        "销号审核期限",
        null=True,
        blank=True,
        help_text="申请销号之日加规则 hazard.review_days：监管部门应在此日前审核（验收）销号申请",
    )
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="销号人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name="合并至",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
        db_index=False,
    )
    repeat_of = models.ForeignKey(
        "self",
        verbose_name="复发自",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="repeats",
        db_index=False,
    )
    occurrence = models.PositiveIntegerField(
        "第几次发现", default=1, help_text="复发的隐患为其复发自的隐患的次数加一：同一隐患屡改屡犯的次数"
    )
    source_ref = models.CharField("来源编号", max_length=100, blank=True, help_text="台账序号、举报编号、检查记录号等")
    remarks = models.TextField("备注", blank=True)
    historic = models.BooleanField(
        "历史台账",
        default=False,
        help_text="安委办导入的历史台账记录：保留原台账状态，不计入按期/逾期统计，不提醒、不督办",
    )

    objects = HazardQuerySet.as_manager()

    class Meta:
        ordering = ["-found_date", "-id"]
        verbose_name = verbose_name_plural = "事故隐患"
        indexes = [
            models.Index(fields=["region", "status", "deadline"], name="hazard_region_status_deadline"),
            models.Index(fields=["enterprise", "status"], name="hazard_enterprise_status"),
            models.Index(fields=["status", "deadline"], name="hazard_status_deadline"),
            models.Index(fields=["found_date"], name="hazard_found_date"),
            # the ledger's default view — open hazards by deadline — reads this in order and stops at a page
            models.Index(
                fields=["deadline", "id"], condition=Q(status__in=OPEN_STATUSES), name="hazard_open_by_deadline"
            ),
            *(
                models.Index(fields=[field], condition=Q(**{f"{field}__isnull": False}), name=f"hazard_{field}_set")
                for field in ("place", "criteria_item", "listed_unit", "closed_by", "merged_into", "repeat_of")
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(enterprise__isnull=False) | Q(place__isnull=False), name="hazard_has_enterprise_or_place"
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.description[:30]}"

    def get_absolute_url(self):
        return reverse("hazards:detail", args=[self.pk])

    @property
    def subject(self):
        return self.enterprise or self.place

    def is_overdue(self, today=None):
        today = today or timezone.localdate()
        return (
            not self.historic
            and self.status in OVERDUE_STATUSES
            and self.deadline is not None
            and self.deadline < today
        )

    def days_overdue(self, today=None):
        today = today or timezone.localdate()
        return (today - self.deadline).days if self.is_overdue(today) else 0

    def review_days_left(self, today=None):
        """Days until the 销号 request is to be reviewed (negative: overdue by so many), or None when none waits."""
        if self.status != Status.SUBMITTED or self.historic or self.review_deadline is None:
            return None
        return (self.review_deadline - (today or timezone.localdate())).days

    @property
    def is_major(self):
        return self.level == Level.MAJOR

    @property
    def responsible_phone_masked(self):
        """The 整改责任人's phone for lists and exports (138****5678); in full only on the detail page."""
        return mask_phone(self.responsible_phone)


class HazardEvent(models.Model):
    """One step in a hazard's life: the timeline, and the outbox for notifications (notified_at null)."""

    hazard = models.ForeignKey(Hazard, verbose_name="隐患", on_delete=models.CASCADE, related_name="events")
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
    action = models.CharField("动作", max_length=30)
    from_status = models.CharField("原状态", max_length=12, blank=True)
    to_status = models.CharField("新状态", max_length=12, blank=True)
    note = models.TextField("说明", blank=True)
    data = models.JSONField("内容", default=dict, blank=True)
    notified_at = models.DateTimeField("已通知", null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = verbose_name_plural = "隐患处置记录"
        indexes = [
            models.Index(fields=["notified_at"], condition=Q(notified_at__isnull=True), name="hazard_event_outbox")
        ]

    def __str__(self):
        return f"{self.hazard_id} {self.action}"

    @property
    def action_label(self):
        return EVENT_LABELS.get(self.action, self.action)

    @property
    def to_status_label(self):
        return Status(self.to_status).label if self.to_status in Status.values else self.to_status


class HazardAttachment(EvidenceFile):
    """Evidence: a photo or document typed 发现/整改前/整改后/验收材料/治理方案, kept with its SHA-256."""

    STORAGE_DIR = "evidence"

    hazard = models.ForeignKey(Hazard, verbose_name="隐患", on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField("类型", max_length=12, choices=AttachmentKind.choices)

    class Meta(EvidenceFile.Meta):
        verbose_name = verbose_name_plural = "证据材料"

    def __str__(self):
        return f"{self.get_kind_display()} {self.original_name}"


class HazardExtension(models.Model):
    """A request to extend a hazard's deadline, and its decision (history kept)."""

    hazard = models.ForeignKey(Hazard, verbose_name="隐患", on_delete=models.CASCADE, related_name="extensions")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    old_deadline = models.DateField("原期限", null=True)
    new_deadline = models.DateField("申请延至")
    reason = models.TextField("理由")
    status = models.CharField("状态", max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.TextField("审批意见", blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = verbose_name_plural = "延期申请"
        constraints = [
            models.UniqueConstraint(fields=["hazard"], condition=Q(status="pending"), name="one_pending_extension"),
        ]

    def __str__(self):
        return f"{self.hazard_id} → {self.new_deadline}"


# ---------------------------------------------------------------- roll-ups for the figures
#
# Counts of hazards per region, industry and month, kept by database triggers on hazards_hazard (migration
# 0007_tallies): every insert, update and delete — through a service, a bulk import, a raw UPDATE or COPY —
# moves the row's old contribution out and its new one in, in the same transaction. Merged and rejected
# hazards count nowhere. `selectors.hazard_figures` reads them when a period is whole months; the tests of
# test_tallies.py prove them equal to counting the hazards themselves. Renaming a column the triggers read
# (status, level, channel, region_id, industry_id, found_date, deadline, historic, listed_level, repeat_of_id,
# closed_at, rectified_date) means writing the triggers again.


class TallyBase(models.Model):
    SCOPE = {"region": "region_id", "domain": "industry_id"}
    BACKUP = False  # not in a backup: restoring the hazards fills them again through the triggers

    region = models.ForeignKey(
        "regions.Region", verbose_name="区划", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    industry = models.ForeignKey(
        "regions.Industry", verbose_name="行业", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    month = models.DateField("月份")  # its first day

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.region_id} · {self.industry_id} · {self.month:%Y-%m}"


class FoundTally(TallyBase):
    """Hazards by the month they were found: how many, of which major, repeats and each channel; and how
    many of them are open today (major / listed among them)."""

    found = models.IntegerField(default=0)
    major = models.IntegerField(default=0)
    repeat = models.IntegerField(default=0)
    ch_self = models.IntegerField(default=0)
    ch_supervision = models.IntegerField(default=0)
    ch_enforcement = models.IntegerField(default=0)
    ch_public = models.IntegerField(default=0)
    ch_unannounced = models.IntegerField(default=0)
    ch_assigned = models.IntegerField(default=0)
    ch_monitoring = models.IntegerField(default=0)
    open = models.IntegerField(default=0)
    major_open = models.IntegerField(default=0)
    listed_open = models.IntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "隐患按发现月汇总"
        constraints = [models.UniqueConstraint(fields=["region", "industry", "month"], name="found_tally_key")]


class ClosedTally(TallyBase):
    """Closed hazards by the (local) month of their closing: how many, with a deadline, on time, and the sum of
    their days from found to closed."""

    closed = models.IntegerField(default=0)
    with_deadline = models.IntegerField(default=0)
    ontime = models.IntegerField(default=0)
    days_sum = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "隐患按销号月汇总"
        constraints = [models.UniqueConstraint(fields=["region", "industry", "month"], name="closed_tally_key")]


class DueTally(TallyBase):
    """Hazards whose rectification deadline runs (核实后至申请销号前: choices.OVERDUE_STATUSES, not historic) by the
    month of their deadline: overdue is those of the months before this one plus this month's days before today."""

    due = models.IntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "隐患按整改期限月汇总"
        constraints = [models.UniqueConstraint(fields=["region", "industry", "month"], name="due_tally_key")]
