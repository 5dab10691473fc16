"""Forms of the accident pages; the services check everything again."""

from django import forms

from zhiben.core.evidence import evidence_field
from zhiben.enterprises.forms import EnterpriseInput

from .choices import PartyKind, Type

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AccidentForm(forms.Form):
    enterprise = forms.CharField(label="事故单位（统一社会信用代码或名称）", required=False, widget=EnterpriseInput())
    place_name = forms.CharField(label="或：场所/单位名称（非登记企业）", max_length=200, required=False)
    region = forms.ChoiceField(label="发生地区划", required=False, choices=())
    industry = forms.ChoiceField(label="行业领域", required=False, choices=())
    address = forms.CharField(label="发生地点", max_length=300, required=False)
    occurred_at = forms.CharField(label="发生时间", widget=DATETIME)
    learned_at = forms.CharField(label="单位负责人知悉时间（不填同发生时间）", required=False, widget=DATETIME)
    reported_at = forms.CharField(label="向本级报告的时间（不填为现在）", required=False, widget=DATETIME)
    recipient = forms.CharField(label="接报人/单位", max_length=100, required=False)
    method = forms.CharField(label="报告方式", max_length=40, required=False, initial="电话")
    type = forms.ChoiceField(label="事故类别", choices=[("", "请选择")] + list(Type.choices))
    road_traffic = forms.BooleanField(label="道路交通事故", required=False)
    deaths = forms.IntegerField(label="死亡人数", min_value=0, initial=0)
    missing = forms.IntegerField(label="失踪人数", min_value=0, initial=0)
    serious_injuries = forms.IntegerField(label="重伤人数（含急性工业中毒）", min_value=0, initial=0)
    minor_injuries = forms.IntegerField(label="轻伤人数", min_value=0, initial=0)
    direct_loss = forms.DecimalField(
        label="直接经济损失（元，可估算）", min_value=0, required=False, max_digits=14, decimal_places=2
    )
    account = forms.CharField(label="事故简要经过", widget=forms.Textarea(attrs={"rows": 4}))
    files = evidence_field("现场照片/材料", shrink=False)  # the investigation may need the photos as taken

    def __init__(self, *args, regions=(), industries=(), enterprise_user=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "—")] + [(r.code, r.name) for r in regions]
        self.fields["industry"].choices = [("", "—")] + [(i.code, i.name) for i in industries]
        if enterprise_user:
            for name in ("enterprise", "place_name", "region", "industry", "reported_at", "recipient", "method"):
                del self.fields[name]


class StepForm(forms.Form):
    reported_at = forms.CharField(label="报告时间（不填为现在）", required=False, widget=DATETIME)
    recipient = forms.CharField(label="接收单位", max_length=100)
    method = forms.CharField(label="方式", max_length=40, required=False, initial="电话")


class SupplementForm(forms.Form):
    deaths = forms.IntegerField(label="死亡人数", min_value=0)
    missing = forms.IntegerField(label="失踪人数", min_value=0)
    serious_injuries = forms.IntegerField(label="重伤人数", min_value=0)
    minor_injuries = forms.IntegerField(label="轻伤人数", min_value=0)
    direct_loss = forms.DecimalField(label="直接经济损失（元）", min_value=0, max_digits=14, decimal_places=2)
    note = forms.CharField(label="补报说明", required=False)


class StartForm(forms.Form):
    lead_unit = forms.CharField(label="牵头单位", max_length=100)
    leader = forms.CharField(label="调查组组长", max_length=50)
    members = forms.CharField(label="成员单位和人员", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    experts = forms.CharField(label="专家", required=False)
    started_on = forms.DateField(label="成立日期", required=False, widget=DATE)


class InvestigationForm(forms.Form):
    members = forms.CharField(label="成员单位和人员", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    experts = forms.CharField(label="专家", required=False)
    causes = forms.CharField(
        label="事故原因（直接原因、间接原因）", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    education_on = forms.DateField(label="警示教育日期", required=False, widget=DATE)
    education_note = forms.CharField(label="警示教育情况（对象、形式、人数）", required=False)


class ExtendForm(forms.Form):
    days = forms.IntegerField(label="延长天数", min_value=1, max_value=60)
    reason = forms.CharField(label="延期理由", max_length=300)


class SubmitForm(forms.Form):
    submitted_on = forms.DateField(label="调查报告提交日期", required=False, widget=DATE)


class ApproveForm(forms.Form):
    approved_on = forms.DateField(label="批复日期", required=False, widget=DATE)
    approval_number = forms.CharField(label="批复文号", max_length=60)


class PartyForm(forms.Form):
    name = forms.CharField(label="责任单位或责任人", max_length=100)
    kind = forms.ChoiceField(label="类型", choices=PartyKind.choices)
    responsibility = forms.CharField(label="责任认定", max_length=300)


class HandleForm(forms.Form):
    handling = forms.CharField(label="处理结果", max_length=300)
    handled_on = forms.DateField(label="处理日期", required=False, widget=DATE)


class MeasureForm(forms.Form):
    text = forms.CharField(label="整改措施", widget=forms.Textarea(attrs={"rows": 2}))
    responsible = forms.CharField(label="责任单位", max_length=100)
    deadline = forms.DateField(label="完成期限", widget=DATE)


class ListForm(forms.Form):
    note = forms.CharField(label="督办要求", max_length=300)


class TargetForm(forms.Form):
    region = forms.ChoiceField(label="区划", choices=())
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    max_larger = forms.IntegerField(label="较大及以上事故起数上限", min_value=0, initial=0)
    max_accidents = forms.IntegerField(label="事故起数上限（可不填）", min_value=0, required=False)
    max_deaths = forms.IntegerField(label="死亡人数上限（可不填）", min_value=0, required=False)
    note = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(r.code, r.name) for r in regions]
