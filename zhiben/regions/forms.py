from django import forms

from zhiben.core.filters import form_field

from .choices import UnitKind
from .models import Industry, Region, Unit
from .selectors import UNIT_SORT


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return "\u3000" * max(0, obj.level - 1) + f"{obj.name}（{obj.short_code}）"


class UnitForm(forms.ModelForm):
    """The unit's fields; the region list holds only the actor's jurisdiction. Rules live in the services."""

    region = RegionChoiceField(label="所属区划", queryset=Region.objects.none())
    industries = forms.ModelMultipleChoiceField(
        label="监管行业",
        queryset=Industry.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="行业监管部门的人员只能看到这些行业的生产经营单位。",
    )

    class Meta:
        model = Unit
        fields = ["name", "short_name", "aliases", "kind", "region", "industries", "doc_prefix", "is_active"]

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.for_user(actor)

    def validate_unique(self):
        """Uniqueness is checked by the service, with a message next to the name."""

    def validate_constraints(self):
        """Constraints too (the unique name within a region)."""

    def service_data(self):
        return dict(self.cleaned_data)


class UnitFilterForm(forms.Form):
    q = forms.CharField(label="名称/简称/别名", required=False)
    kind = forms.ChoiceField(label="类型", required=False, choices=[("", "全部")] + UnitKind.choices)
    industry = forms.ModelChoiceField(
        label="监管行业", required=False, queryset=Industry.objects.all(), empty_label="全部"
    )
    region = forms.CharField(label="区划代码", required=False, help_text="含下级")
    active = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), ("1", "启用"), ("0", "停用")])
    sort = form_field(UNIT_SORT)  # set by the list's column headers


class RegionImportForm(forms.Form):
    file = forms.FileField(
        label="区划文件",
        help_text="CSV（UTF-8 或 GB18030）或 Excel（.xlsx/.xls），表头（可在标题行之下）须含“区划代码”和“名称”两列。",
    )
