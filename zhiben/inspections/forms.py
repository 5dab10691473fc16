"""Forms of the inspection pages: the list filter, a new inspection, start/complete, an item's result,
checklists."""

from django import forms
from django.db.models import Count

from zhiben.core.evidence import evidence_field
from zhiben.enterprises.forms import EnterpriseInput
from zhiben.enterprises.selectors import enterprise_from_text
from zhiben.hazards.choices import Level
from zhiben.hazards.models import CriteriaStandard
from zhiben.regions.models import Industry

from .choices import Kind, Result
from .filters import CHECKLIST_FILTERS, INSPECTION_FILTERS
from .selectors import checklists_for, expert_candidates, inspector_candidates

InspectionFilterForm = INSPECTION_FILTERS.form_class("InspectionFilterForm")
ChecklistFilterForm = CHECKLIST_FILTERS.form_class("ChecklistFilterForm")
DATE = {"type": "date"}


class InspectionForm(forms.Form):
    kind = forms.ChoiceField(label="检查类型", choices=Kind.choices)
    enterprise = forms.CharField(
        label="被检查单位（统一社会信用代码或全称）", max_length=240, required=False, widget=EnterpriseInput()
    )
    place = forms.ChoiceField(label="或被检查场所（无企业主体）", required=False)
    industry = forms.ChoiceField(label="场所的行业领域", required=False)
    planned_date = forms.DateField(label="计划检查日期", widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    unannounced = forms.BooleanField(label="四不两直（暗查暗访）", required=False)
    cross = forms.BooleanField(label="交叉检查（跨辖区）", required=False)
    inspectors = forms.MultipleChoiceField(label="检查人员", widget=forms.CheckboxSelectMultiple)
    experts = forms.MultipleChoiceField(
        label="参加专家（执法+专家）", required=False, widget=forms.CheckboxSelectMultiple
    )
    summary = forms.CharField(label="检查事项", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        people = inspector_candidates(user).annotate(n_credentials=Count("credentials"))
        self.fields["inspectors"].choices = [
            (str(u.pk), f"{u.display_name}{'（持执法证）' if u.n_credentials else ''}") for u in people
        ]
        experts = expert_candidates(user)[:200]
        self.fields["experts"].choices = [(str(e.pk), f"{e.name}（{e.title or e.employer}）") for e in experts]
        if "place" in self.fields:
            from zhiben.enterprises.forms import industry_queryset
            from zhiben.hazards.models import Place

            places = Place.objects.for_user(user).select_related("region").order_by("region_id", "name")[:300]
            self.fields["place"].choices = [("", "—")] + [(str(p.pk), f"{p.name}（{p.region.name}）") for p in places]
            self.fields["industry"].choices = [("", "—")] + [(str(i.pk), i.name) for i in industry_queryset(user)]

    def clean(self):
        data = super().clean()
        if "place" in self.fields and not self.errors.get("enterprise"):
            if not data.get("enterprise") and not data.get("place"):
                self.add_error("enterprise", "请填写被检查单位或选择被检查场所。")
            elif data.get("enterprise") and data.get("place"):
                self.add_error("place", "被检查单位与场所只能选一个。")
        return data

    def clean_enterprise(self):
        text = self.cleaned_data["enterprise"].strip()
        if not text and "place" in self.fields:
            return None
        match = enterprise_from_text(self.user, text)
        if match is None:
            raise forms.ValidationError(f"管辖范围内没有代码或名称为“{text}”的单位。")
        return match

    def service_data(self):
        data = dict(self.cleaned_data)
        data["enterprise"] = data["enterprise"].pk if data.get("enterprise") else None
        return data


class StartForm(forms.Form):
    checklist = forms.ChoiceField(label="检查表", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["checklist"].choices = [("", "不使用检查表")] + [
            (str(c.pk), c.name) for c in checklists_for(user).order_by("name")
        ]


class CompleteForm(forms.Form):
    date = forms.DateField(label="检查日期", widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    summary = forms.CharField(label="检查情况", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ItemForm(forms.Form):
    result = forms.ChoiceField(label="检查结果", choices=[c for c in Result.choices if c[0]], widget=forms.RadioSelect)
    note = forms.CharField(label="情况说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    photos = evidence_field("照片")


class MemberForm(forms.Form):
    user = forms.ChoiceField(label="加入检查人员", required=False)
    expert = forms.ChoiceField(label="加入专家", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        people = inspector_candidates(user)
        self.fields["user"].choices = [("", "—")] + [(str(u.pk), u.display_name) for u in people]
        experts = expert_candidates(user)[:200]
        self.fields["expert"].choices = [("", "—")] + [(str(e.pk), e.name) for e in experts]


class HazardForm(forms.Form):
    level = forms.ChoiceField(label="隐患等级", choices=Level.choices)
    deadline = forms.DateField(label="整改期限", required=False, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))


class ChecklistForm(forms.Form):
    name = forms.CharField(label="检查表名称", max_length=200)
    industry = forms.ModelChoiceField(label="适用行业", queryset=Industry.objects.all(), required=False)
    description = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    active = forms.BooleanField(label="启用", required=False, initial=True)


class AddItemsForm(forms.Form):
    standard = forms.ModelChoiceField(
        label="判定标准", queryset=CriteriaStandard.objects.filter(is_current=True), required=False
    )

    def __init__(self, *args, user=None, region_code="", **kwargs):
        """Only the current standards the user may read that apply to the checklist's region."""
        super().__init__(*args, **kwargs)
        if user is not None:
            from zhiben.hazards.criteria import applies_to_region, visible_standards

            code = region_code or user.region_id or ""
            ids = [s.pk for s in visible_standards(user).filter(is_current=True) if applies_to_region(s, code)]
            self.fields["standard"].queryset = CriteriaStandard.objects.filter(pk__in=ids).order_by("code", "version")

    texts = forms.CharField(
        label="自定义检查内容（每行一项）", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
