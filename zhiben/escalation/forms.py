from django import forms

from .choices import Action

DOCUMENT_KINDS = [("", "不生成公文"), ("supervision_letter", "督办函（函告）"), ("interview_notice", "约谈通知书"), ("listing_notice", "挂牌督办通知书")]


class StepForm(forms.Form):
    action = forms.ChoiceField(label="措施", choices=Action.choices)
    name = forms.CharField(label="名称", max_length=60)
    days = forms.IntegerField(label="逾期天数", min_value=0, max_value=3650, error_messages={"min_value": "逾期天数不能为负数。"})
    major_only = forms.BooleanField(label="仅重大隐患", required=False)
    document_kind = forms.ChoiceField(label="生成公文", choices=DOCUMENT_KINDS, required=False)


StepFormSet = forms.formset_factory(StepForm, extra=1, can_delete=True)
