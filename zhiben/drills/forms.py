"""Forms of the drill pages; every value is checked again by the services."""

from django import forms

from zhiben.core.evidence import evidence_field
from zhiben.enterprises.forms import enterprise_field
from zhiben.enterprises.models import Enterprise

from .choices import DrillForm, DrillKind, TeamLevel

DAY = forms.DateInput(attrs={"type": "date"})


class DrillEntryForm(forms.Form):
    enterprise = forms.ModelChoiceField(label="企业", queryset=Enterprise.objects.none(), required=False)
    kind = forms.ChoiceField(label="演练类型", choices=[("", "请选择"), *DrillKind.choices], required=False)
    form = forms.ChoiceField(label="演练形式", choices=DrillForm.choices, required=False)
    held_on = forms.CharField(label="演练日期", required=False, widget=DAY)
    participants = forms.CharField(label="参演人数", required=False)
    scenario = forms.CharField(label="演练情景", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    evaluation = forms.CharField(label="评估总结", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    photos = evidence_field("现场照片")
    # checked by the service (its messages name what is missing), marked here for the user filling the form in
    marked_required = ("enterprise", "kind", "held_on", "participants", "scenario")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None and user.enterprise_id:
            del self.fields["enterprise"]
        else:
            self.fields["enterprise"] = enterprise_field(user, label=self.fields["enterprise"].label)

    def data_for_service(self):
        data = {k: v for k, v in self.cleaned_data.items() if k != "photos"}
        if data.get("enterprise") is not None:
            data["enterprise"] = data["enterprise"].pk
        return data


class TeamForm(forms.Form):
    name = forms.CharField(label="队伍名称", required=False)
    level = forms.ChoiceField(label="队伍类别", choices=[("", "请选择"), *TeamLevel.choices], required=False)
    region = forms.CharField(label="所属区划代码", required=False, help_text="镇级填镇街代码，村级填村社区代码")
    industry = forms.CharField(label="专业行业代码", required=False, help_text="行业专业队伍填写，如 hazchem")
    members = forms.CharField(label="队员人数", required=False)
    leader = forms.CharField(label="负责人", required=False)
    established_on = forms.CharField(label="组建日期", required=False, widget=DAY)


class StationForm(forms.Form):
    name = forms.CharField(label="站点名称", required=False)
    region = forms.CharField(label="所属区划代码", required=False)
    address = forms.CharField(label="地址", required=False)
    established_on = forms.CharField(label="建成日期", required=False, widget=DAY)


class EquipmentForm(forms.Form):
    name = forms.CharField(label="装备名称", required=False)
    team = forms.CharField(label="所属队伍编号", required=False)
    station = forms.CharField(label="所属站点编号", required=False)
    quantity = forms.CharField(label="数量", required=False)
    last_inspected_on = forms.CharField(label="上次检验日期", required=False, widget=DAY)
    next_inspection_on = forms.CharField(label="下次检验日期", required=False, widget=DAY)
