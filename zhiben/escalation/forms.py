from django import forms

from .choices import Action
from .services import step_documents


class StepForm(forms.Form):
    """One rung of a target's ladder. The documents offered are those its steps may issue (step_documents)."""

    action = forms.ChoiceField(label="措施", choices=Action.choices)
    name = forms.CharField(label="名称", max_length=60)
    days = forms.IntegerField(
        label="逾期天数", min_value=0, max_value=3650, error_messages={"min_value": "逾期天数不能为负数。"}
    )
    major_only = forms.BooleanField(label="仅重大", required=False)
    document_kind = forms.ChoiceField(label="生成公文", required=False)

    def __init__(self, *args, target, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document_kind"].choices = [("", "不生成公文"), *step_documents(target)]
        if target.major_label:
            self.fields["major_only"].label = target.major_label
        else:
            del self.fields["major_only"]


StepFormSet = forms.formset_factory(StepForm, extra=1, can_delete=True)
