from django import forms

from .choices import Compliance


class AttestForm(forms.Form):
    analysis = forms.CharField(label="分析说明", required=False, widget=forms.Textarea(attrs={"rows": 5}),
                               help_text="本期隐患排查治理情况分析、存在的问题和下一步措施（可选）")
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


class RuleForm(forms.Form):
    MODES = [("month_day", "期满后第几个月的几日前"), ("days", "期满后若干日内")]

    key = forms.CharField(widget=forms.HiddenInput)
    mode = forms.ChoiceField(label="计算方式", choices=MODES, required=False)
    month = forms.IntegerField(label="期满后第几个月", required=False, min_value=1, max_value=12)
    day = forms.IntegerField(label="日", required=False, min_value=1, max_value=31)
    days = forms.IntegerField(label="天数", required=False, min_value=0, max_value=366)

    def value(self, kind):
        """The rule value from the form, or None when a field is missing."""
        data = self.cleaned_data
        if kind == "days":
            return data.get("days")
        if data.get("mode") == "days":
            return {"days": data["days"]} if data.get("days") is not None else None
        if data.get("month") is None or data.get("day") is None:
            return None
        return {"month": data["month"], "day": data["day"]}
