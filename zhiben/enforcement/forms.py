"""Forms of the enforcement pages."""

from django import forms

from zhiben.enterprises.forms import EnterpriseInput

from .choices import Measure

DATE = {"type": "date"}


def _date(label, required=False):
    return forms.DateField(label=label, required=required, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))


class CaseForm(forms.Form):
    enterprise = forms.CharField(label="当事单位（统一社会信用代码或全称）", max_length=240, widget=EnterpriseInput())
    violation = forms.CharField(label="违法事实", widget=forms.Textarea(attrs={"rows": 3}))
    legal_basis = forms.CharField(label="法律依据", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    filed_date = _date("立案日期", required=True)
    inspection = forms.IntegerField(required=False, widget=forms.HiddenInput)


class DecideForm(forms.Form):
    measures = forms.MultipleChoiceField(label="处罚措施", choices=Measure.choices, widget=forms.CheckboxSelectMultiple)
    fine = forms.CharField(label="罚款金额（元）", required=False)
    decision_number = forms.CharField(
        label="决定书文号", max_length=60, required=False, help_text="如：沙应急罚〔2026〕12号"
    )
    decision_date = _date("决定日期")


class OrderForm(forms.Form):
    enterprise = forms.CharField(label="被责令单位（统一社会信用代码或全称）", max_length=240, widget=EnterpriseInput())
    items = forms.CharField(
        label="存在的问题和整改要求",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="来自检查时可留空，自动列出不符合项",
    )
    deadline = _date("整改期限", required=True)
    inspection = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ReviewForm(forms.Form):
    passed = forms.ChoiceField(
        label="复查结论", choices=[("1", "复查合格"), ("0", "复查不合格")], widget=forms.RadioSelect
    )
    opinion = forms.CharField(label="复查意见", widget=forms.Textarea(attrs={"rows": 2}))
    new_deadline = _date("新的整改期限（不合格时可再限期）")
    reviewed_on = _date("复查日期")


class CaseEditForm(forms.Form):
    violation = forms.CharField(label="违法事实", widget=forms.Textarea(attrs={"rows": 3}))
    legal_basis = forms.CharField(label="法律依据", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    filed_date = _date("立案日期", required=True)
    inspection = forms.IntegerField(required=False, widget=forms.HiddenInput)


class OrderEditForm(forms.Form):
    items = forms.CharField(label="存在的问题和整改要求", widget=forms.Textarea(attrs={"rows": 4}))
    deadline = _date("整改期限", required=True)
