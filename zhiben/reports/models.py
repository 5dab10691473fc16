"""Public reports (群众举报): the report with its protected reporter, the messages between reporter and
officials, photos, routing rules, rewards, the designated identity keepers, Open311 keys and the
attempt log that rate limits the public pages."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from zhiben.core.crypto import EncryptedTextField
from zhiben.core.models import BaseModel, EvidenceFile, ScopedQuerySet

from .choices import OPEN, AccidentGrade, Matter, MessageKind, RewardStatus, Source, Status


class Category(models.Model):
    """A kind of report the public chooses (the Open311 service): its regulatory industry routes it to the
    department that supervises that industry (管行业必须管安全); without one it goes to the 属地 安委办."""

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=40)
    description = models.CharField("说明", max_length=200, blank=True)
    industry = models.ForeignKey(
        "regions.Industry", verbose_name="行业领域", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    matter = models.CharField("事项性质", max_length=12, choices=Matter.choices, default=Matter.HAZARD)
    order = models.PositiveSmallIntegerField("排序", default=100)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = verbose_name_plural = "举报类别"

    def __str__(self):
        return self.name


class Report(BaseModel):
    """One report from the public. Name, phone and payment details are encrypted and shown only to a
    designated identity keeper (see services.identity_reveal); enterprises never see reports at all."""

    SCOPE = {"region": "region_id", "domain": "industry_id"}
    SCOPE_DOMAIN_OPTIONAL = True  # a report not yet tied to an industry is seen by every department of its region

    code = models.CharField("举报编号", max_length=20, unique=True)
    secret_hash = models.CharField("查询密码摘要", max_length=64)
    source = models.CharField("来源", max_length=10, choices=Source.choices, default=Source.WEB)
    category = models.ForeignKey(Category, verbose_name="举报类别", on_delete=models.PROTECT, related_name="reports")
    description = models.TextField("举报内容")
    region = models.ForeignKey("regions.Region", verbose_name="所在区划", on_delete=models.PROTECT, related_name="+")
    address = models.CharField("详细地址", max_length=300, blank=True)
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    enterprise_name = models.CharField("被举报单位（举报人填写）", max_length=200, blank=True)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name="被举报单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    industry = models.ForeignKey(
        "regions.Industry", verbose_name="行业领域", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    anonymous = models.BooleanField("匿名", default=True)
    reporter_name = EncryptedTextField("举报人姓名", blank=True)
    reporter_phone = EncryptedTextField("举报人电话", blank=True, index_field="reporter_phone_index")
    reporter_phone_index = models.CharField("举报人电话索引", max_length=64, blank=True, db_index=True, editable=False)
    is_employee = models.BooleanField("举报人系本单位从业人员", default=False)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.RECEIVED)
    unit = models.ForeignKey(
        "regions.Unit", verbose_name="承办单位", null=True, on_delete=models.PROTECT, related_name="reports"
    )
    routed_by = models.CharField("分办依据", max_length=200, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="核查人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    deadline = models.DateField("核查期限")
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    hazard = models.ForeignKey(
        "hazards.Hazard",
        verbose_name="核实形成的隐患",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="public_reports",
    )
    duplicate_of = models.ForeignKey(
        "self", verbose_name="重复于举报", null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates"
    )
    duplicate_hazard = models.ForeignKey(
        "hazards.Hazard", verbose_name="重复于隐患", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    referred_to = models.CharField("移交机关", max_length=100, blank=True)
    suspect = models.CharField("疑似无效的原因", max_length=200, blank=True)
    address_hash = models.CharField("来源地址摘要", max_length=64, blank=True, editable=False)
    device_hash = models.CharField("来源设备摘要", max_length=64, blank=True, editable=False)
    open311_client = models.ForeignKey(
        "reports.Open311Key",
        verbose_name="Open311 应用",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "群众举报"
        indexes = [
            models.Index(fields=["status", "deadline"], name="report_status_deadline"),
            models.Index(fields=["region", "created_at"], name="report_region_created"),
        ]

    def __str__(self):
        return f"{self.code} {self.category}"

    def get_absolute_url(self):
        return reverse("reports:detail", args=[self.pk])

    @property
    def is_open(self):
        return self.status in OPEN

    def is_overdue(self, today):
        return self.is_open and self.deadline < today


class Message(models.Model):
    """A reply to the reporter (they read it with code and secret), an addition from the reporter, or an
    internal note (never shown to the reporter)."""

    report = models.ForeignKey(Report, verbose_name="举报", on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField("类型", max_length=10, choices=MessageKind.choices)
    text = models.TextField("内容")
    status = models.CharField("答复时状态", max_length=10, choices=Status.choices, blank=True)
    at = models.DateTimeField("时间", auto_now_add=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="答复人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit_name = models.CharField("答复单位", max_length=100, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = verbose_name_plural = "举报往来"

    def __str__(self):
        return f"{self.report_id} {self.get_kind_display()}"


class Photo(EvidenceFile):
    STORAGE_DIR = "reports"

    report = models.ForeignKey(Report, verbose_name="举报", on_delete=models.CASCADE, related_name="photos")
    message = models.ForeignKey(
        Message, verbose_name="随补充", null=True, blank=True, on_delete=models.CASCADE, related_name="photos"
    )

    class Meta(EvidenceFile.Meta):
        verbose_name = verbose_name_plural = "举报照片"


class RoutingRule(BaseModel):
    """Reports of `region`'s subtree (and of `category`, when set) go to `unit`. The deepest region wins,
    then a rule naming the category over one that does not."""

    SCOPE = {"region": "region_id"}

    region = models.ForeignKey("regions.Region", verbose_name="适用区划", on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(
        Category, verbose_name="举报类别", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey("regions.Unit", verbose_name="承办单位", on_delete=models.PROTECT, related_name="+")
    note = models.CharField("说明", max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["region_id", "category_id", "id"]
        verbose_name = verbose_name_plural = "举报分办规则"
        constraints = [
            models.UniqueConstraint(fields=["region", "category"], name="report_route_unique"),
            models.UniqueConstraint(
                fields=["region"], condition=models.Q(category__isnull=True), name="report_route_unique_any"
            ),
        ]

    def __str__(self):
        return f"{self.region} {self.category or '全部类别'} → {self.unit}"


class Reward(BaseModel):
    """The reward of one verified report: proposed, approved by a second person, claimed by the reporter
    (with code and secret, giving payment details only then), paid."""

    SCOPE = {"region": "report__region_id", "domain": "report__industry_id"}
    SCOPE_DOMAIN_OPTIONAL = True

    report = models.OneToOneField(Report, verbose_name="举报", on_delete=models.PROTECT, related_name="reward")
    hazard = models.OneToOneField(
        "hazards.Hazard", verbose_name="隐患", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    fine = models.DecimalField("罚款金额（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    deaths = models.PositiveSmallIntegerField("瞒报死亡人数", null=True, blank=True)
    accident_grade = models.CharField("瞒报事故等级", max_length=4, choices=AccidentGrade.choices, blank=True)
    amount = models.DecimalField("奖励金额（元）", max_digits=12, decimal_places=2)
    basis = models.CharField("计算依据", max_length=300)
    status = models.CharField("状态", max_length=10, choices=RewardStatus.choices, default=RewardStatus.PROPOSED)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField("审批时间", null=True, blank=True)
    refused_reason = models.CharField("不予奖励理由", max_length=300, blank=True)
    claimed_at = models.DateTimeField("申领时间", null=True, blank=True)
    payee_name = EncryptedTextField("领奖人", blank=True)
    payee_account = EncryptedTextField("收款账户", blank=True)
    payee_phone = EncryptedTextField("领奖人电话", blank=True)
    paid_at = models.DateTimeField("发放时间", null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发放人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    voucher = models.CharField("发放凭证号", max_length=60, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "举报奖励"

    def __str__(self):
        return f"{self.report.code} ¥{self.amount}"

    def get_absolute_url(self):
        return reverse("reports:detail", args=[self.report_id]) + "#reward"


class Keeper(models.Model):
    """A person designated (by the 安全管理员) to see reporters' identities in their scope: 保密专员."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="保密专员", on_delete=models.CASCADE, related_name="report_keeper"
    )
    designated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="指定人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    designated_at = models.DateTimeField("指定时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "举报保密专员"

    def __str__(self):
        return str(self.user)


class Open311Key(BaseModel):
    """An application allowed to POST reports through Open311 (`api_key`); only the key's hash is kept."""

    SCOPE = {"region": "region_id"}

    name = models.CharField("应用名称", max_length=100)
    key_hash = models.CharField("密钥摘要", max_length=64, unique=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name="可提交的区划", on_delete=models.PROTECT, related_name="+"
    )
    is_active = models.BooleanField("启用", default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = verbose_name_plural = "Open311 应用密钥"

    def __str__(self):
        return self.name


class Attempt(models.Model):
    """One public action (a submission, a failed follow-up login, a used challenge) by a hashed address,
    device or code: counted by the rate limits, pruned after a day by the job."""

    kind = models.CharField("类型", max_length=10)
    key = models.CharField("对象摘要", max_length=64)
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "举报页访问记录"
        indexes = [models.Index(fields=["kind", "key", "at"], name="report_attempt_key")]

    def __str__(self):
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"
