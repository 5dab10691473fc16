"""Official documents (公文) issued from the records, and the templates they are written from."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.functional import cached_property

from zhiben.core.models import ScopedQuerySet

from . import kinds


class DocumentTemplate(models.Model):
    """The wording of one kind of document for a jurisdiction.

    `region_code` '' is the national default (seeded by migration); an 安委办 may save its own copy for
    its region, which then applies to every unit in that region's subtree (nearest region wins, as
    for rules and the escalation ladder). Title, body and table use {{placeholders}} of the kind.
    """

    kind = models.CharField("公文种类", max_length=40, choices=kinds.kind_choices)
    region_code = models.CharField("适用区划", max_length=12, blank=True, default="")
    title = models.CharField("标题", max_length=200)
    body = models.TextField("正文", blank=True, help_text="每行一段；可用 {{占位符}}")
    table = models.TextField("表格", blank=True, help_text="审批表用：每行一栏，写作“栏目｜内容”")
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="修改人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["kind", "region_code"]
        verbose_name = verbose_name_plural = "公文模板"
        constraints = [models.UniqueConstraint(fields=["kind", "region_code"], name="document_template_kind_region")]

    def __str__(self):
        return f"{self.get_kind_display()}@{self.region_code or '全国默认'}"


def document_path(instance, filename):
    ext = filename.rsplit(".", 1)[-1]
    digest = instance.pdf_sha256 if ext == "pdf" else instance.docx_sha256
    return f"documents/{instance.year}/{digest[:2]}/{digest}.{ext}"


class Document(models.Model):
    """One issued document: its 发文字号, what it says, the files, and the context it was filled from.

    Numbering: one sequence per issuing unit and calendar year, shared by all kinds (so a unit's
    documents of a year run 1, 2, 3 … without gaps whatever their kind), taken from
    `core.services.next_number` inside the issuing transaction. (unit, year, sequence) is unique.

    `context` freezes everything the text was made from — the placeholder values and the template
    text used — so the same document can be rendered again with the same words even after the subject
    or the template changes. Files are served only by the scoped download view.

    The subject (a hazard, a plan task …: whatever a module registered the kind for) is referenced
    generically by its model label ("hazards.hazard") and id; `subject_repr` keeps how it read when
    the document was issued (for the list and its search).

    Scope as the subject's: the region subtree, the enterprise's own users, and for department staff
    the industries their unit supervises — `industry` is what the kind's `industry(subject)` hook
    gave at issue; a document without one (a kind whose subjects have no industry) is seen by every
    department of the region.
    """

    SCOPE = {"region": "region_id", "domain": "industry_id", "enterprise": "enterprise_id"}
    SCOPE_DOMAIN_OPTIONAL = True

    kind = models.CharField("公文种类", max_length=40, choices=kinds.kind_choices)
    number = models.CharField("发文字号", max_length=60, db_index=True)
    year = models.PositiveSmallIntegerField("年度")
    sequence = models.PositiveIntegerField("序号")
    issuing_unit = models.ForeignKey(
        "regions.Unit", verbose_name="发文单位", on_delete=models.PROTECT, related_name="documents"
    )
    addressee = models.CharField("主送", max_length=200, blank=True)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name="主送企业",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )
    title = models.CharField("标题", max_length=200)
    body = models.TextField("正文", blank=True)
    subject_type = models.CharField("对象类型", max_length=60, blank=True, default="", help_text="如 hazards.hazard")
    subject_id = models.PositiveBigIntegerField("对象ID", null=True, blank=True)
    subject_repr = models.CharField("对象", max_length=200, blank=True, default="")
    region = models.ForeignKey(
        "regions.Region", verbose_name="所在区划", on_delete=models.PROTECT, related_name="documents"
    )
    industry = models.ForeignKey(
        "regions.Industry",
        verbose_name="行业领域",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    template = models.ForeignKey(
        DocumentTemplate,
        verbose_name="模板",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="documents",
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="签发人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_by_name = models.CharField("签发人", max_length=100, blank=True)
    issued_at = models.DateTimeField("签发时间")
    docx = models.FileField("Word 文件", upload_to=document_path, max_length=200)
    docx_sha256 = models.CharField("Word SHA-256", max_length=64)
    pdf = models.FileField("PDF 文件", upload_to=document_path, max_length=200)
    pdf_sha256 = models.CharField("PDF SHA-256", max_length=64)
    context = models.JSONField("签发内容", default=dict)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = verbose_name_plural = "公文"
        constraints = [
            models.UniqueConstraint(fields=["issuing_unit", "year", "sequence"], name="document_unique_number")
        ]
        indexes = [
            models.Index(fields=["region", "issued_at"], name="document_region_issued"),
            models.Index(fields=["subject_type", "subject_id"], name="document_subject"),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        return reverse("documents:detail", args=[self.pk])

    @property
    def is_form(self):
        if "form" in self.context:
            return bool(self.context["form"])
        kind = kinds.find(self.kind)
        return bool(kind and kind.form)

    @cached_property
    def subject(self):
        """The object the document was issued about (unscoped; the document's own scope applies), or None."""
        if not self.subject_type or self.subject_id is None:
            return None
        kind = kinds.find(self.kind)
        if kind is not None and kind.subject_model.lower() == self.subject_type:
            return kind.get_subject(self.subject_id, None)
        return kinds.load_subject(self.subject_type, self.subject_id)

    @property
    def subject_label(self):
        """The Chinese name of the subject's type (隐患 …)."""
        return kinds.subject_label(self.subject_type) if self.subject_type else ""

    @property
    def subject_url(self):
        subject = self.subject
        return kinds.subject_url(subject) if subject is not None else ""

    def file_name(self, ext):
        """Download name: 发文字号 + 标题."""
        return f"{self.number}{self.title}.{ext}".replace("/", "-")
