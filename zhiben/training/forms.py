"""Forms of the training pages. The services check every value again (the API and imports share them)."""

from django import forms

from zhiben.enterprises.forms import enterprise_field
from zhiben.enterprises.models import Enterprise
from zhiben.regions.models import Region, Unit

from .choices import CertificateKind, PersonKind, ReviewResult, SessionKind, SpecialCategory
from .models import TrainingBody

DAY = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _blank(choices, label="—"):
    return [("", label), *[(v, text) for v, text in choices if v]]


class PersonForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    kind = forms.ChoiceField(label="人员类别", choices=PersonKind.choices)
    enterprise = forms.ModelChoiceField(label="所在企业", queryset=Enterprise.objects.none(), required=False)
    unit = forms.ModelChoiceField(
        label="所在单位（党政领导干部、执法人员）", queryset=Unit.objects.none(), required=False
    )
    post = forms.CharField(label="岗位/职务", max_length=100, required=False)
    special_post = forms.BooleanField(label="特种作业岗位", required=False)
    special_category = forms.ChoiceField(label="作业类别", choices=_blank(SpecialCategory.choices), required=False)
    id_number = forms.CharField(
        label="身份证号", max_length=20, help_text="18 位公民身份号码，保存后加密存储、脱敏显示"
    )

    active = forms.BooleanField(label="在岗", required=False, initial=True)

    def __init__(self, *args, user=None, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        if person is not None:
            self.fields["id_number"].required = False
            self.fields["id_number"].help_text = f"现为 {person.id_masked}；留空不变"
        else:
            del self.fields["active"]
        self.fields["enterprise"] = enterprise_field(user, label=self.fields["enterprise"].label)
        self.fields["unit"].queryset = Unit.objects.for_user(user).filter(is_active=True).order_by("region_id", "name")
        if user is not None and user.enterprise_id:
            del self.fields["unit"]
            self.fields["kind"].choices = [c for c in PersonKind.choices if c[0] in ("worker", "principal", "manager")]

    def data_for_service(self):
        data = dict(self.cleaned_data)
        data["enterprise"] = data.get("enterprise").pk if data.get("enterprise") else ""
        data["unit"] = data.get("unit").pk if data.get("unit") else ""
        data["special_post"] = "1" if data.get("special_post") else ""
        data["active"] = "1" if data.get("active", True) else "0"
        return data


class CertificateForm(forms.Form):
    kind = forms.ChoiceField(label="证书类型", choices=CertificateKind.choices)
    category = forms.ChoiceField(label="作业类别", choices=_blank(SpecialCategory.choices), required=False)
    number = forms.CharField(label="证书编号", max_length=50)
    issuer = forms.CharField(label="发证机关", max_length=100, required=False)
    issued_on = forms.DateField(label="发证日期", widget=DAY)
    expires_on = forms.DateField(label="有效期至", widget=DAY)


class SessionForm(forms.Form):
    title = forms.CharField(label="培训名称", max_length=200)
    kind = forms.ChoiceField(label="培训类型", choices=SessionKind.choices)
    organiser = forms.CharField(label="组织单位", max_length=200)
    body = forms.ModelChoiceField(label="培训机构", queryset=TrainingBody.objects.none(), required=False)
    region = forms.ModelChoiceField(label="所属区划", queryset=Region.objects.none(), required=False)
    enterprise = forms.ModelChoiceField(
        label="企业（企业自行组织时）", queryset=Enterprise.objects.none(), required=False
    )
    held_on = forms.DateField(label="培训日期", widget=DAY)
    hours = forms.DecimalField(label="学时", min_value=0.5, max_digits=5, decimal_places=1)
    topics = forms.CharField(
        label="培训内容", required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="如：重大事故隐患判定标准"
    )
    has_exam = forms.BooleanField(label="有考试", required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = TrainingBody.objects.for_user(user).order_by("name")
        level = user.region.level if user is not None and user.region_id else 1
        self.fields["region"].queryset = Region.objects.for_user(user).filter(level__lte=level + 1).order_by("code")
        self.fields["enterprise"] = enterprise_field(user, label=self.fields["enterprise"].label)
        if user is not None and user.enterprise_id:
            del self.fields["region"]
            del self.fields["enterprise"]

    def data_for_service(self):
        data = dict(self.cleaned_data)
        for key in ("body", "enterprise"):
            data[key] = data[key].pk if data.get(key) else ""
        data["region"] = data["region"].code if data.get("region") else ""
        data["has_exam"] = "1" if data.get("has_exam") else ""
        return data


class AttendanceForm(forms.Form):
    id_number = forms.CharField(label="身份证号", max_length=20)
    attended = forms.ChoiceField(label="到课", choices=[("是", "是"), ("否", "否")])
    score = forms.DecimalField(label="成绩", required=False, max_digits=5, decimal_places=1)
    result = forms.ChoiceField(
        label="考试结果", choices=[("", "未考试"), ("合格", "合格"), ("不合格", "不合格")], required=False
    )


class UploadForm(forms.Form):
    file = forms.FileField(label="签到表文件（.xlsx / .xls / .csv，或 Word 表格 .docx/.doc、PDF 表格）")


class BodyForm(forms.Form):
    name = forms.CharField(label="机构名称", max_length=200)
    credit_code = forms.CharField(label="统一社会信用代码", max_length=18, required=False)
    region = forms.ModelChoiceField(label="所属区划", queryset=Region.objects.none())
    address = forms.CharField(label="地址", max_length=300, required=False)
    contact = forms.CharField(label="联系人", max_length=50, required=False)
    scope = forms.CharField(label="培训范围", max_length=300, required=False)
    review_result = forms.ChoiceField(label="评估结果（对照基本条件）", choices=ReviewResult.choices, required=False)
    reviewed_on = forms.DateField(label="评估日期", required=False, widget=DAY)
    review_note = forms.CharField(label="评估意见", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        level = user.region.level if user is not None and user.region_id else 1
        self.fields["region"].queryset = Region.objects.for_user(user).filter(level__lte=level + 1).order_by("code")

    def data_for_service(self):
        data = dict(self.cleaned_data)
        data["region"] = data["region"].code if data.get("region") else ""
        return data


class RevokeForm(forms.Form):
    revoked_on = forms.CharField(label="注销日期", widget=DAY, required=False)
    reason = forms.CharField(
        label="注销原因", max_length=200, required=False, help_text="如：持证人死亡、证书被依法撤销、伪造证书等"
    )
