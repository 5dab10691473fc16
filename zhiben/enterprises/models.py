"""The registry of 生产经营单位."""

from django.db import models
from django.urls import reverse

from zhiben.core.crypto import BlindIndexed, EncryptedTextField
from zhiben.core.models import BaseModel, ScopedQuerySet

from .choices import Scale, StandardGrade, Status


def _phone_index(label):
    """The blind-index column of an encrypted phone: a phone typed in full in the search box finds it.
    No database index: the list's text search scans anyway (name icontains), and the import stays fast."""
    return models.CharField(f"{label}检索摘要", max_length=64, blank=True, editable=False)


class Enterprise(BlindIndexed, BaseModel):
    """A 生产经营单位 under supervision, identified by its 统一社会信用代码.

    The contacts' phones are personal data: stored encrypted (core/crypto.py) with a blind index each,
    shown in full on the detail page and the API detail, masked in the list and the Excel export."""

    SCOPE = {"region": "region_id", "domain": "industry_id", "enterprise": "id"}

    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True)
    name = models.CharField("单位名称", max_length=200, db_index=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name="所在区划", on_delete=models.PROTECT, related_name="enterprises"
    )
    address = models.CharField("地址", max_length=300, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    industry = models.ForeignKey(
        "regions.Industry", verbose_name="监管行业", on_delete=models.PROTECT, related_name="enterprises"
    )
    economic_code = models.CharField("国民经济行业代码", max_length=5, blank=True, help_text="GB/T 4754-2017，如 C3311")
    high_risk = models.BooleanField("高危企业", default=False, db_index=True)
    directly_supervised = models.BooleanField("重点监管", default=False)
    scale = models.CharField("规模", max_length=10, choices=Scale.choices, blank=True)
    employees = models.PositiveIntegerField("从业人数", null=True, blank=True)
    principal = models.CharField("主要负责人", max_length=50, blank=True)
    principal_phone = EncryptedTextField("主要负责人电话", blank=True, index_field="principal_phone_index")
    principal_phone_index = _phone_index("主要负责人电话")
    controller = models.CharField("实际控制人", max_length=50, blank=True)
    controller_phone = EncryptedTextField("实际控制人电话", blank=True, index_field="controller_phone_index")
    controller_phone_index = _phone_index("实际控制人电话")
    safety_manager = models.CharField("安全管理人员", max_length=50, blank=True)
    safety_manager_phone = EncryptedTextField("安全管理人员电话", blank=True, index_field="safety_manager_phone_index")
    safety_manager_phone_index = _phone_index("安全管理人员电话")
    standard_grade = models.CharField("标准化等级", max_length=2, choices=StandardGrade.choices, blank=True)
    liability_insurance = models.BooleanField("已投保安责险", default=False)
    status = models.CharField(
        "经营状态", max_length=12, choices=Status.choices, default=Status.OPERATING, db_index=True
    )
    remarks = models.TextField("备注", blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["region_id", "name"]
        verbose_name = verbose_name_plural = "生产经营单位"
        indexes = [models.Index(fields=["region", "industry"], name="ent_region_industry")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("enterprises:detail", args=[self.pk])
