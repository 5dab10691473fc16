"""Forms of the “两单两卡一会” pages; the services check every value again (the same rules for every caller)."""

from django import forms

from zhiben.enterprises.forms import enterprise_field
from zhiben.enterprises.models import Enterprise

DAY = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PostForm(forms.Form):
    enterprise = forms.ModelChoiceField(label="企业", queryset=Enterprise.objects.none(), required=False)
    name = forms.CharField(label="岗位名称", max_length=100, required=False)
    team = forms.CharField(label="班组/车间", max_length=100, required=False)

    def __init__(self, *args, user=None, post=None, **kwargs):
        super().__init__(*args, **kwargs)
        if post is not None or (user is not None and user.enterprise_id):
            del self.fields["enterprise"]
        else:
            self.fields["enterprise"] = enterprise_field(user, label=self.fields["enterprise"].label)

    def data_for_service(self):
        data = dict(self.cleaned_data)
        if data.get("enterprise") is not None:
            data["enterprise"] = data["enterprise"].pk
        return data


class CardForm(forms.Form):
    items = forms.CharField(
        label="内容（每行一条）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="保存即生成新版本，原版本保留可查",
    )
    note = forms.CharField(label="修订说明", max_length=200, required=False)


class BriefingForm(forms.Form):
    held_on = forms.CharField(label="日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    team = forms.CharField(label="班组", max_length=100, required=False)
    attendees = forms.CharField(
        label="参会人员", required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="姓名以顿号或逗号分隔"
    )
    attendee_count = forms.CharField(label="参会人数", required=False, help_text="留空按参会人员姓名计数")
    content = forms.CharField(
        label="会议内容",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="讲安全风险、讲操作要点、讲应急处置",
    )
    recorder = forms.CharField(label="记录人", max_length=50, required=False)
