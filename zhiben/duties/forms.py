from django import forms

from .choices import Compliance


class AttestForm(forms.Form):
    analysis = forms.CharField(
        label="分析说明",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="本期隐患排查治理情况分析、存在的问题和下一步措施（可选）",
    )
    name = forms.CharField(label="主要负责人姓名", max_length=50, help_text="由主要负责人本人填写姓名，视为签字确认")
    confirmed = forms.BooleanField(label="本人已审阅上述统计数据，确认真实、准确、完整", required=False)


class ComplianceFilterForm(forms.Form):
    period = forms.ChoiceField(label="报告期", required=False)
    region = forms.ChoiceField(label="区划", required=False)
    state = forms.ChoiceField(label="报送情况", required=False, choices=[("", "全部")] + Compliance.choices)
    q = forms.CharField(label="单位名称/信用代码", required=False)

    def __init__(self, *args, periods=(), regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [(p.code, p.label) for p in periods]
        self.fields["region"].choices = [("", "全部")] + [(r.code, r.name) for r in regions]
