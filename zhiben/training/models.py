"""People (workers and officials) with their identity number encrypted, their certificates, training
sessions with attendance and exam results, and the register of training bodies (安全生产培训机构)."""

from django.db import models
from django.urls import reverse

from zhiben.core.crypto import BlindIndexed, EncryptedTextField, mask_identity
from zhiben.core.models import BaseModel, ScopedQuerySet

from .choices import (
    CertificateKind,
    CertificateState,
    ExamResult,
    PersonKind,
    ReviewResult,
    SessionKind,
    SpecialCategory,
)


class Person(BlindIndexed, BaseModel):
    """A worker of an enterprise or an official of a unit (党政领导干部, 执法人员). The identity number is
    stored encrypted with a blind index beside it (exact lookup, duplicates refused); pages show it masked."""

    SCOPE = {"region": "region_id", "domain": "industry_id", "enterprise": "enterprise_id"}
    SCOPE_DOMAIN_OPTIONAL = True  # officials belong to no industry

    name = models.CharField("姓名", max_length=50)
    kind = models.CharField("人员类别", max_length=12, choices=PersonKind.choices, default=PersonKind.WORKER)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name="企业",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey(
        "regions.Unit", verbose_name="单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey("regions.Region", verbose_name="所属区划", on_delete=models.PROTECT, related_name="+")
    industry = models.ForeignKey(
        "regions.Industry", verbose_name="行业", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    post = models.CharField("岗位/职务", max_length=100, blank=True)
    special_post = models.BooleanField("特种作业岗位", default=False)
    special_category = models.CharField(
        "作业类别", max_length=20, choices=SpecialCategory.choices, blank=True, default=""
    )
    id_number = EncryptedTextField("身份证号", index_field="id_index")
    id_index = models.CharField("身份证号索引", max_length=64, blank=True, editable=False)
    active = models.BooleanField("在岗", default=True)
    hazard = models.ForeignKey(
        "hazards.Hazard",
        verbose_name="未持证隐患",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="特种作业岗位未持证转为的重大隐患（最近一次）",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["region_id", "name", "id"]
        verbose_name = verbose_name_plural = "人员"
        constraints = [
            models.UniqueConstraint(
                fields=["id_index"], condition=~models.Q(id_index=""), name="training_person_unique_identity"
            ),
        ]
        indexes = [models.Index(fields=["kind", "region"], name="training_person_kind_region")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("training:person", args=[self.pk])

    @property
    def id_masked(self):
        return mask_identity(self.id_number)

    @property
    def employer(self):
        return self.enterprise or self.unit


class Certificate(BaseModel):
    """A certificate of a person (特种作业操作证 and others): unique by kind and number."""

    SCOPE = {"region": "region_id", "domain": "industry_id", "enterprise": "enterprise_id"}
    SCOPE_DOMAIN_OPTIONAL = True

    person = models.ForeignKey(Person, verbose_name="持证人", on_delete=models.CASCADE, related_name="certificates")
    region = models.ForeignKey("regions.Region", verbose_name="所属区划", on_delete=models.PROTECT, related_name="+")
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name="企业", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    industry = models.ForeignKey(
        "regions.Industry", verbose_name="行业", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("证书类型", max_length=20, choices=CertificateKind.choices)
    category = models.CharField("作业类别", max_length=20, choices=SpecialCategory.choices, blank=True, default="")
    number = models.CharField("证书编号", max_length=50)
    issuer = models.CharField("发证机关", max_length=100, blank=True)
    issued_on = models.DateField("发证日期")
    expires_on = models.DateField("有效期至")
    revoked = models.BooleanField("已注销", default=False)
    revoked_on = models.DateField("注销日期", null=True, blank=True)
    revoke_reason = models.CharField("注销原因", max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["expires_on", "id"]
        verbose_name = verbose_name_plural = "证书"
        constraints = [
            models.UniqueConstraint(fields=["kind", "number"], name="training_certificate_unique_number"),
            models.CheckConstraint(
                condition=models.Q(expires_on__gt=models.F("issued_on")), name="training_certificate_expires_after"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"

    def get_absolute_url(self):
        return reverse("training:person", args=[self.person_id])

    @property
    def state(self):
        """The certificate's state in `workflow.TRANSITIONS`: 在册 (active) or 已注销 (revoked)."""
        return CertificateState.REVOKED if self.revoked else CertificateState.ACTIVE

    def valid_on(self, day):
        """Valid on `day`: issued, not yet expired, and not revoked by then (a revocation without a date
        voids it throughout)."""
        revoked = self.revoked and (self.revoked_on is None or self.revoked_on <= day)
        return not revoked and self.issued_on <= day <= self.expires_on


class UncertifiedCase(models.Model):
    """A spell during which an active worker on a special-operation post holds no valid certificate of
    the post's category: what the escalation ladder follows (one step of each kind per case). Opened when
    the ladder's job first sees the worker uncertified, resolved when it sees them certified again, off
    the post or gone; a later spell is a new case with a ladder of its own."""

    SCOPE = {"region": "region_id", "domain": "industry_id", "enterprise": "enterprise_id"}
    SCOPE_DOMAIN_OPTIONAL = True

    person = models.ForeignKey(Person, verbose_name="人员", on_delete=models.CASCADE, related_name="uncertified_cases")
    region = models.ForeignKey("regions.Region", verbose_name="所属区划", on_delete=models.PROTECT, related_name="+")
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name="企业", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    industry = models.ForeignKey(
        "regions.Industry", verbose_name="行业", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    since = models.DateField("起算日期", help_text="证书到期日；从未持证的，为平台发现之日")
    reason = models.CharField("情形", max_length=200)
    resolved_on = models.DateField("消除日期", null=True, blank=True)
    created_at = models.DateTimeField("发现时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-since", "-id"]
        verbose_name = verbose_name_plural = "特种作业人员未持证事项"
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=models.Q(resolved_on__isnull=True), name="training_uncertified_one_open"
            ),
        ]

    def __str__(self):
        return f"{self.person.name} 特种作业未持证（{self.since:%Y-%m-%d}起）"

    def get_absolute_url(self):
        return reverse("training:person", args=[self.person_id])


class TrainingBody(BaseModel):
    """A 安全生产培训机构 with the result of its latest review against the basic conditions."""

    SCOPE = {"region": "region_id"}
    SCOPE_ENTERPRISE_SEES_REGION = True

    name = models.CharField("机构名称", max_length=200)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    region = models.ForeignKey("regions.Region", verbose_name="所属区划", on_delete=models.PROTECT, related_name="+")
    address = models.CharField("地址", max_length=300, blank=True)
    contact = models.CharField("联系人", max_length=50, blank=True)
    scope = models.CharField("培训范围", max_length=300, blank=True)
    review_result = models.CharField(
        "评估结果", max_length=10, choices=ReviewResult.choices, blank=True, default=ReviewResult.PENDING
    )
    reviewed_on = models.DateField("评估日期", null=True, blank=True)
    review_note = models.TextField("评估意见", blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["region_id", "name"]
        verbose_name = verbose_name_plural = "培训机构"
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="training_body_unique_name")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("training:bodies") + f"?q={self.name}"


class Session(BaseModel):
    """One training (培训班): type, organiser, training body, date, hours, topics; attendance below."""

    SCOPE = {"region": "region_id", "domain": "industry_id", "enterprise": "enterprise_id"}
    SCOPE_DOMAIN_OPTIONAL = True

    title = models.CharField("培训名称", max_length=200)
    kind = models.CharField("培训类型", max_length=12, choices=SessionKind.choices)
    region = models.ForeignKey("regions.Region", verbose_name="所属区划", on_delete=models.PROTECT, related_name="+")
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name="企业（企业自行组织时）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    industry = models.ForeignKey(
        "regions.Industry", verbose_name="行业", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organiser = models.CharField("组织单位", max_length=200)
    body = models.ForeignKey(
        TrainingBody,
        verbose_name="培训机构",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sessions",
    )
    held_on = models.DateField("培训日期")
    hours = models.DecimalField("学时", max_digits=5, decimal_places=1)
    topics = models.TextField("培训内容", blank=True, help_text="如：重大事故隐患判定标准")
    has_exam = models.BooleanField("有考试", default=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = verbose_name_plural = "培训"
        indexes = [models.Index(fields=["kind", "held_on"], name="training_session_kind_day")]
        constraints = [models.CheckConstraint(condition=models.Q(hours__gt=0), name="training_session_hours")]

    def __str__(self):
        return f"{self.held_on:%Y-%m-%d} {self.title}"

    def get_absolute_url(self):
        return reverse("training:session", args=[self.pk])


class Attendance(models.Model):
    """A person at a session, with the exam result when there was an exam."""

    session = models.ForeignKey(Session, verbose_name="培训", on_delete=models.CASCADE, related_name="attendances")
    person = models.ForeignKey(Person, verbose_name="人员", on_delete=models.PROTECT, related_name="attendances")
    attended = models.BooleanField("到课", default=True)
    score = models.DecimalField("成绩", max_digits=5, decimal_places=1, null=True, blank=True)
    result = models.CharField("考试结果", max_length=10, choices=ExamResult.choices, blank=True, default="")

    class Meta:
        ordering = ["session_id", "id"]
        verbose_name = verbose_name_plural = "参训记录"
        constraints = [models.UniqueConstraint(fields=["session", "person"], name="training_attendance_once")]

    def __str__(self):
        return f"{self.session_id}:{self.person_id}"
