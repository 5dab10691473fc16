from django import forms

from .selectors import object_type_choices


class AuditFilterForm(forms.Form):
    action = forms.CharField(label="动作（前缀）", required=False, help_text="如 auth. 或 user.update")
    actor = forms.CharField(label="操作人", required=False)
    object_type = forms.ChoiceField(label="对象类型", required=False)
    object_id = forms.CharField(
        label="对象ID", required=False, help_text="选定对象类型时，也列出导入了该对象的批量导入记录"
    )
    date_from = forms.DateField(label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    success = forms.ChoiceField(label="结果", required=False, choices=[("", "全部"), ("1", "成功"), ("0", "失败")])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["object_type"].choices = [("", "全部")] + object_type_choices()

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "截止日期不能早于起始日期。")
        return data
