"""Forms of the self-inspection pages: recording (built for a phone), the compliance filter, import, duties."""

from django import forms
from django.utils import timezone

from zhiben.enterprises.filters import industry_options, region_options

from .choices import AppliesTo, Frequency, State
from .filters import RECORD_FILTERS

RecordFilterForm = RECORD_FILTERS.form_class("RecordFilterForm")


class RecordForm(forms.Form):
    duty = forms.ChoiceField(label="排查类型")
    date = forms.DateField(label="排查日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    inspector = forms.CharField(label="排查负责人", max_length=50)
    participants = forms.CharField(label="参加人员", max_length=200, required=False)
    scope = forms.CharField(label="排查范围", max_length=300, required=False, help_text="如：一车间、危化品仓库")
    result = forms.ChoiceField(
        label="排查结果",
        choices=[("none", "未发现隐患"), ("found", "发现隐患")],
        widget=forms.RadioSelect,
        initial="none",
    )
    findings = forms.CharField(
        label="发现的隐患（每行一条）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "如：二车间配电箱门未关闭\n消防通道堆放杂物"}),
        help_text="每行一条，提交后作为“企业自查上报”的隐患进入整改流程",
    )
    note = forms.CharField(label="情况说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, duties=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["duty"].choices = [(str(d.pk), d.name) for d in duties]
        self.fields["date"].initial = timezone.localdate()

    def service_data(self):
        data = self.cleaned_data
        lines = [line.strip() for line in data["findings"].splitlines() if line.strip()]
        if data["result"] == "none":
            lines = []
        return {
            "duty": data["duty"],
            "date": data["date"],
            "inspector": data["inspector"],
            "participants": data["participants"],
            "scope": data["scope"],
            "note": data["note"],
            "findings": [{"description": line} for line in lines],
        }

    def clean(self):
        data = super().clean()
        if data.get("result") == "found" and not (data.get("findings") or "").strip():
            self.add_error("findings", "选择“发现隐患”时请逐行填写发现的隐患。")
        return data


class ComplianceForm(forms.Form):
    period = forms.CharField(
        label="统计期间", required=False, help_text="2026-11（月）、2026Q4（季度）、2026（年）或 2026-03-01~2026-04-15"
    )
    region = forms.ChoiceField(label="区划", required=False)
    industry = forms.ChoiceField(label="行业", required=False)
    duty = forms.ChoiceField(label="排查类型", required=False)
    state = forms.ChoiceField(
        label="完成情况",
        required=False,
        choices=[("", "全部"), ("undone", "未完成（含漏查）"), *State.choices],
    )

    def __init__(self, *args, user=None, duties=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "全部"), *region_options(user), *self._asked_region(user)]
        self.fields["industry"].choices = [("", "全部"), *industry_options(user), *self._asked_industry(user)]
        self.fields["duty"].choices = [("", "全部"), *[(str(d.pk), d.name) for d in duties]]

    def _asked_region(self, user):
        """A region asked for by address (a figure's link) that the menu does not offer — the user's own, a
        village below a town — is still a choice; the lists stay inside the user's scope."""
        from zhiben.regions.models import Region

        value = self.data.get("region", "") if self.is_bound else ""
        if not value or value in {str(code) for code, _ in region_options(user)}:
            return []
        return [(r.code, r.name) for r in Region.objects.filter(code=value)]

    def _asked_industry(self, user):
        from zhiben.regions.models import Industry

        code = self.data.get("industry") if self.is_bound else ""
        if not code or code in {value for value, _ in industry_options(user)}:
            return []
        return [(i.code, i.name) for i in Industry.objects.filter(code=code)]


class UploadForm(forms.Form):
    file = forms.FileField(label="自查记录表（.xlsx/.xls/.csv，或 Word 表格 .docx/.doc、PDF 表格）")


class DutyForm(forms.Form):
    name = forms.CharField(label="名称", max_length=100)
    level = forms.CharField(label="排查层级", max_length=50, required=False)
    frequency = forms.ChoiceField(label="频次", choices=Frequency.choices)
    applies_to = forms.ChoiceField(label="适用企业", choices=AppliesTo.choices)
    required_percent = forms.IntegerField(label="达标比例（%）", min_value=1, max_value=100, initial=100)
    sort = forms.IntegerField(label="排序", min_value=0, initial=100)
    active = forms.BooleanField(label="启用", required=False, initial=True)
    basis = forms.CharField(label="依据", max_length=300, required=False)
