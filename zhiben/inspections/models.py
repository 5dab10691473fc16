"""Government inspections: checklists, inspections with their items and findings, experts and inspectors,
inspection plans with 双随机 draws.

An inspection copies its checklist's items when it starts (`InspectionItem.text`, `criteria_item`), so a
later edit of the template never rewrites what was checked."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from zhiben.core.crypto import EncryptedTextField, mask_phone
from zhiben.core.models import BaseModel, EvidenceFile, ScopedQuerySet

from .choices import Kind, Result, Status


class ChecklistTemplate(BaseModel):
    """A checklist (检查表) owned by a region: criteria items plus free items, optionally for one industry."""

    SCOPE = {"region": "region_id"}

    name = models.CharField("检查表名称", max_length=200)
    region = models.ForeignKey(
        "regions.Region", verbose_name="制定区划", on_delete=models.PROTECT, related_name="checklist_templates"
    )
    industry = models.ForeignKey(
        "regions.Industry",
        verbose_name="适用行业",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="checklist_templates",
    )
    description = models.TextField("说明", blank=True)
    active = models.BooleanField("启用", default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = verbose_name_plural = "检查表"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("inspections:checklist_detail", args=[self.pk])


class ChecklistTemplateItem(models.Model):
    """One line of a checklist: a criteria item (its text copied at the time) or a free item."""

    template = models.ForeignKey(
        ChecklistTemplate, verbose_name="检查表", on_delete=models.CASCADE, related_name="items"
    )
    sort = models.PositiveIntegerField("排序", default=0)
    criteria_item = models.ForeignKey(
        "hazards.CriteriaItem",
        verbose_name="判定标准条款",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField("检查内容")
    method = models.CharField("检查方法/依据", max_length=300, blank=True)

    class Meta:
        ordering = ["template", "sort", "id"]
        verbose_name = verbose_name_plural = "检查表条目"

    def __str__(self):
        return self.text[:40]


class Inspection(BaseModel):
    """One government inspection of an enterprise (or a place): who, when, how (四不两直, 交叉), the items
    checked and the hazards found. Scoped like the enterprise it inspects."""

    SCOPE = {"region": "region_id", "domain": "industry_id", "enterprise": "enterprise_id"}

    number = models.CharField("检查编号", max_length=40, unique=True)
    kind = models.CharField("检查类型", max_length=12, choices=Kind.choices, default=Kind.SUPERVISION)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.PLANNED)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name="被检查单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    place = models.ForeignKey(
        "hazards.Place",
        verbose_name="被检查场所",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name="所在区划", on_delete=models.PROTECT, related_name="inspections"
    )
    industry = models.ForeignKey(
        "regions.Industry", verbose_name="行业领域", on_delete=models.PROTECT, related_name="inspections"
    )
    unit = models.ForeignKey(
        "regions.Unit", verbose_name="检查单位", on_delete=models.PROTECT, related_name="inspections"
    )
    planned_date = models.DateField("计划检查日期", null=True, blank=True)
    date = models.DateField("检查日期", null=True, blank=True)
    unannounced = models.BooleanField("四不两直（暗查暗访）", default=False)
    cross = models.BooleanField("交叉检查", default=False)
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="检查人员", blank=True, related_name="inspections"
    )
    experts = models.ManyToManyField("Expert", verbose_name="参加专家", blank=True, related_name="inspections")
    plan = models.ForeignKey(
        "InspectionPlan",
        verbose_name="检查计划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    checklist_name = models.CharField("所用检查表", max_length=200, blank=True)
    summary = models.TextField("检查情况", blank=True)
    hazards = models.ManyToManyField(
        "hazards.Hazard", verbose_name="发现的隐患", blank=True, related_name="inspections"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = verbose_name_plural = "监督检查"
        indexes = [
            models.Index(fields=["unit", "date"], name="inspection_unit_date"),
            models.Index(fields=["enterprise", "date"], name="inspection_enterprise_date"),
            models.Index(fields=["region", "date"], name="inspection_region_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(enterprise__isnull=False) | models.Q(place__isnull=False),
                name="inspection_has_enterprise_or_place",
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.subject}"

    def get_absolute_url(self):
        return reverse("inspections:detail", args=[self.pk])

    @property
    def subject(self):
        return self.enterprise or self.place


class InspectionItem(models.Model):
    """One item checked, copied from the checklist when the inspection started (text and criteria item),
    with its result; a failed item may become a hazard (`hazard`)."""

    inspection = models.ForeignKey(Inspection, verbose_name="检查", on_delete=models.CASCADE, related_name="items")
    sort = models.PositiveIntegerField("排序", default=0)
    criteria_item = models.ForeignKey(
        "hazards.CriteriaItem",
        verbose_name="判定标准条款",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField("检查内容")
    method = models.CharField("检查方法/依据", max_length=300, blank=True)
    result = models.CharField("检查结果", max_length=4, choices=Result.choices, blank=True, default=Result.PENDING)
    note = models.TextField("情况说明", blank=True)
    hazard = models.ForeignKey(
        "hazards.Hazard",
        verbose_name="形成的隐患",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["inspection", "sort", "id"]
        verbose_name = verbose_name_plural = "检查条目"

    def __str__(self):
        return self.text[:40]


class InspectionPhoto(EvidenceFile):
    """A photo or document taken during an inspection, optionally about one item."""

    STORAGE_DIR = "evidence"

    inspection = models.ForeignKey(Inspection, verbose_name="检查", on_delete=models.CASCADE, related_name="photos")
    item = models.ForeignKey(
        InspectionItem, verbose_name="检查条目", null=True, blank=True, on_delete=models.CASCADE, related_name="photos"
    )

    class Meta(EvidenceFile.Meta):
        verbose_name = verbose_name_plural = "检查照片"

    def __str__(self):
        return self.original_name


# ---------------------------------------------------------------- people


class Expert(BaseModel):
    """A safety expert in the pool (专家库) for "执法+专家" inspections. An expert employed by an enterprise
    (`enterprise`) never inspects it."""

    SCOPE = {"region": "region_id"}

    name = models.CharField("姓名", max_length=50)
    phone = EncryptedTextField("联系电话", blank=True)
    title = models.CharField("职称/资格", max_length=100, blank=True)
    employer = models.CharField("工作单位", max_length=200, blank=True)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name="任职企业",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="experts",
        help_text="在辖区企业任职的专家不参加对该企业的检查",
    )
    specialties = models.ManyToManyField(
        "regions.Industry", verbose_name="专业领域", blank=True, related_name="experts"
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name="所属区划", on_delete=models.PROTECT, related_name="experts"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="登录账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="expert_profile",
    )
    active = models.BooleanField("在库", default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = verbose_name_plural = "专家"

    def __str__(self):
        return self.name

    @property
    def phone_masked(self):
        return mask_phone(self.phone)


class InspectorCredential(models.Model):
    """A 行政执法证 held by a user: an enforcement inspection needs at least two holders of a valid one."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="执法人员", on_delete=models.CASCADE, related_name="credentials"
    )
    number = models.CharField("执法证号", max_length=50)
    issuer = models.CharField("发证机关", max_length=100, blank=True)
    valid_from = models.DateField("有效期起", null=True, blank=True)
    valid_until = models.DateField("有效期至")

    class Meta:
        ordering = ["user", "-valid_until"]
        verbose_name = verbose_name_plural = "执法证"
        constraints = [models.UniqueConstraint(fields=["number"], name="credential_number_unique")]

    def __str__(self):
        return f"{self.user} {self.number}"

    def valid_on(self, day):
        return (self.valid_from is None or self.valid_from <= day) and day <= self.valid_until


class Conflict(models.Model):
    """A declared conflict of interest (回避): this user or expert never inspects this enterprise."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="人员",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="conflicts",
    )
    expert = models.ForeignKey(
        Expert, verbose_name="专家", null=True, blank=True, on_delete=models.CASCADE, related_name="conflicts"
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name="回避企业", on_delete=models.CASCADE, related_name="conflicts"
    )
    reason = models.CharField("回避理由", max_length=200)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "回避登记"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | models.Q(expert__isnull=False), name="conflict_has_person"
            ),
        ]

    def __str__(self):
        return f"{self.user or self.expert} ↔ {self.enterprise_id}"


# ---------------------------------------------------------------- plans and 双随机 draws


class InspectionPlan(BaseModel):
    """An inspection plan with a 双随机 draw: enterprises drawn from a filtered pool (stratified quotas,
    excluding those inspected recently) and a team of inspectors (and experts) for each, drawn at random.
    The seed and every input are stored, so anyone can re-run the draw and get the same result."""

    SCOPE = {"region": "region_id"}

    name = models.CharField("计划名称", max_length=200)
    unit = models.ForeignKey(
        "regions.Unit", verbose_name="制定单位", on_delete=models.PROTECT, related_name="inspection_plans"
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name="抽查范围", on_delete=models.PROTECT, related_name="inspection_plans"
    )
    kind = models.CharField("检查类型", max_length=12, choices=Kind.choices, default=Kind.ENFORCEMENT)
    start = models.DateField("检查开始日期")
    end = models.DateField("检查结束日期")
    filters = models.JSONField("抽取条件", default=dict, blank=True, help_text="行业、高危、重点监管、规模等")
    quotas = models.JSONField("分层抽取数", default=dict, blank=True, help_text='如 {"hazchem": 3, "construction": 2}')
    exclude_days = models.PositiveIntegerField("排除近期已检查（天）", default=0)
    team_size = models.PositiveSmallIntegerField("每组检查人员数", default=2)
    experts_per_team = models.PositiveSmallIntegerField("每组专家数", default=0)
    seed = models.CharField("随机种子", max_length=64, blank=True)
    inputs = models.JSONField("抽取输入（候选名单）", default=dict, blank=True)
    result = models.JSONField("抽取结果", default=dict, blank=True)
    drawn_at = models.DateTimeField("抽取时间", null=True, blank=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="抽取人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    published_at = models.DateTimeField("公示时间", null=True, blank=True)
    public_token = models.CharField("公示链接令牌", max_length=64, blank=True, db_index=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-start", "-id"]
        verbose_name = verbose_name_plural = "检查计划"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("inspections:plan_detail", args=[self.pk])
