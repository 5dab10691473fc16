"""Forms of the enterprise pages: the list filter, create/edit (validated and saved by the services), upload."""

from django import forms
from django.urls import reverse_lazy

from zhiben.core.exceptions import ApplicationError
from zhiben.core.views import PAGE_SIZES
from zhiben.regions.models import Industry, Region
from zhiben.regions.selectors import indented

from . import selectors, services
from .choices import Scale, StandardGrade, Status
from .filters import ENTERPRISE_FILTERS
from .models import Enterprise

SELECT_LIMIT = 300  # a jurisdiction with more enterprises is offered the picker, not a select of them all


class EnterpriseInput(forms.TextInput):
    """A text input for an enterprise's name or code, with suggestions as one types (static/zhiben/picker.js asks
    `enterprises:lookup`); without JavaScript one types the code or the full name."""

    def __init__(self, attrs=None):
        base = {"data-picker": reverse_lazy("enterprises:lookup"), "autocomplete": "off"}
        super().__init__({"placeholder": "输入名称或统一社会信用代码，从提示中选择", **base, **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, Enterprise):
            return selectors.picked_text(value)
        return super().format_value(value)


class EnterpriseField(forms.CharField):
    """An enterprise of the form's user's jurisdiction (`field.user`, set by the form), typed or picked; cleans to
    the Enterprise, or None when left empty."""

    widget = EnterpriseInput

    def __init__(self, *, user=None, **kwargs):
        kwargs.setdefault("max_length", 240)
        super().__init__(**kwargs)
        self.user = user

    def prepare_value(self, value):
        if isinstance(value, int) or (isinstance(value, str) and value.isdigit() and len(value) < 10):
            return selectors.enterprise_from_text(self.user, str(value)) or value
        return value

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        match = selectors.enterprise_from_text(self.user, text)
        if match is None:
            raise forms.ValidationError(f"管辖范围内没有代码或名称为“{text}”的单位。")
        return match


def enterprise_field(user, *, label, required=False, empty_label="---------", help_text=""):
    """The enterprise field of a form for `user`: a select of the jurisdiction's enterprises where there are at most
    SELECT_LIMIT of them, else an EnterpriseField with `help_text` (a district's 30,000 options made a form of
    1.9 MB). Both clean to the Enterprise or None."""
    enterprises = Enterprise.objects.for_user(user).order_by("name")
    if enterprises[SELECT_LIMIT : SELECT_LIMIT + 1].exists():
        return EnterpriseField(user=user, label=label, required=required, help_text=help_text)
    return forms.ModelChoiceField(label=label, queryset=enterprises, required=required, empty_label=empty_label)


# How the detail page and the form group the fields.
GROUPS = [
    (
        "基本信息",
        [
            "name",
            "credit_code",
            "region",
            "address",
            "longitude",
            "latitude",
            "industry",
            "economic_code",
            "scale",
            "employees",
            "status",
        ],
    ),
    (
        "负责人",
        ["principal", "principal_phone", "controller", "controller_phone", "safety_manager", "safety_manager_phone"],
    ),
    ("安全管理", ["high_risk", "directly_supervised", "standard_grade", "liability_insurance", "remarks"]),
]


def label(field):
    return Enterprise._meta.get_field(field).verbose_name


def region_choices(regions, top_level):
    """Regions as select options, indented one full-width space per level below `top_level`."""
    return [(r.code, indented(r.name, r.level, top_level)) for r in regions]


def industry_queryset(user):
    qs = Industry.objects.all()
    return qs.filter(id__in=user.domain_ids) if user.limited_to_domains else qs


class EnterpriseFilterForm(ENTERPRISE_FILTERS.form_class()):
    """The list filter (made from the declaration the selector and the API use) and the page size. The
    page and the export show nothing when a value is invalid (`filters` is then None, the error is on
    its field)."""

    per_page = forms.ChoiceField(label="每页", required=False, choices=[(str(n), f"{n} 条") for n in PAGE_SIZES])

    @property
    def filters(self):
        return self.values()


class EnterpriseForm(forms.Form):
    """Create or edit one enterprise. `clean()` calls the service, which validates, checks scope, saves
    and audits; its errors land on the fields they name. After `is_valid()`, `self.enterprise` is saved."""

    # the service says every missing or wrong value at once (an empty region and a wrong check digit together):
    # these are marked required for the person filling the form in, and left to it
    marked_required = ("credit_code", "name", "region", "industry")
    credit_code = forms.CharField(
        label=label("credit_code"), max_length=18, required=False, help_text="18位，如 91500106MA5U7LXX6L"
    )
    name = forms.CharField(label=label("name"), max_length=200, required=False)
    region = forms.ChoiceField(label=label("region"), required=False)
    address = forms.CharField(label=label("address"), max_length=300, required=False)
    longitude = forms.CharField(
        label=label("longitude"), required=False, widget=forms.NumberInput(attrs={"step": "any"})
    )
    latitude = forms.CharField(label=label("latitude"), required=False, widget=forms.NumberInput(attrs={"step": "any"}))
    industry = forms.ChoiceField(label=label("industry"), required=False)
    economic_code = forms.CharField(
        label=label("economic_code"), max_length=5, required=False, help_text="GB/T 4754-2017，如 C3311"
    )
    scale = forms.ChoiceField(label=label("scale"), required=False, choices=[("", "—"), *Scale.choices])
    employees = forms.IntegerField(label=label("employees"), required=False, min_value=0)
    status = forms.ChoiceField(label=label("status"), choices=Status.choices, initial=Status.OPERATING)
    principal = forms.CharField(label=label("principal"), max_length=50, required=False)
    principal_phone = forms.CharField(
        label=label("principal_phone"), max_length=20, required=False, widget=forms.TextInput(attrs={"type": "tel"})
    )
    controller = forms.CharField(label=label("controller"), max_length=50, required=False)
    controller_phone = forms.CharField(
        label=label("controller_phone"), max_length=20, required=False, widget=forms.TextInput(attrs={"type": "tel"})
    )
    safety_manager = forms.CharField(label=label("safety_manager"), max_length=50, required=False)
    safety_manager_phone = forms.CharField(
        label=label("safety_manager_phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel"}),
    )
    high_risk = forms.BooleanField(label=label("high_risk"), required=False)
    directly_supervised = forms.BooleanField(label=label("directly_supervised"), required=False)
    standard_grade = forms.ChoiceField(label=label("standard_grade"), required=False, choices=StandardGrade.choices)
    liability_insurance = forms.BooleanField(label=label("liability_insurance"), required=False)
    remarks = forms.CharField(
        label=label("remarks"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, user, instance=None, **kwargs):
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    **{f: getattr(instance, f) for f in services.FIELDS if f not in ("region", "industry")},
                    "region": instance.region_id,
                    "industry": instance.industry.code,
                },
            )
        super().__init__(*args, **kwargs)
        self.user, self.instance, self.enterprise = user, instance, None
        regions = list(Region.objects.for_user(user).filter(level__gte=3).order_by("code"))
        if instance is not None and instance.region_id not in {r.code for r in regions}:
            regions.insert(0, instance.region)
        top = min((r.level for r in regions), default=3)
        self.fields["region"].choices = [("", "请选择"), *region_choices(regions, top)]
        industries = list(industry_queryset(user))
        if instance is not None and instance.industry not in industries:
            industries.insert(0, instance.industry)
        self.fields["industry"].choices = [("", "请选择"), *((i.code, i.name) for i in industries)]
        if instance is not None and not services.may_register(user, instance):
            for field in services.REGULATOR_FIELDS:
                self.fields[field].disabled = True
                self.fields[field].help_text = "由监管部门登记维护"

    def groups(self):
        """[(title, [bound fields])] in the order of GROUPS."""
        return [(title, [self[f] for f in fields]) for title, fields in GROUPS]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        payload = {field: data.get(field) for field in services.FIELDS}
        try:
            if self.instance is None:
                self.enterprise = services.enterprise_create(actor=self.user, data=payload)
            else:
                self.enterprise = services.enterprise_update(actor=self.user, enterprise=self.instance, data=payload)
        except ApplicationError as exc:
            for error in exc.errors or [{"message": exc.message}]:
                field = error.get("field")
                self.add_error(field if field in self.fields else None, error["message"])
        return data


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Excel 文件",
        allow_empty_file=True,
        help_text="支持 .xlsx、.xls、WPS 表格（.et）、.ods、.csv、Word 表格（.docx/.doc/.wps）和 PDF 中的表格（有无表格线均可，非扫描件）；"
        "表头可在标题、填报单位等行之下；有多个工作表时读取表头与模板最相符的一个，表头相同（列的顺序可不同）的各工作表（如每镇一表）一并导入，表头不同的会提示未导入；表末的注、填表人、合计等行不计入",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.et,.ods,.csv,.tsv,.docx,.doc,.wps,.rtf,.pdf"}),
    )
