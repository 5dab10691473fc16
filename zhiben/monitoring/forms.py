"""Forms of the monitoring pages."""

from django import forms

from zhiben.enterprises.forms import EnterpriseInput

from .choices import Kind, RuleKind, Unit


class DeviceForm(forms.Form):
    enterprise = forms.CharField(
        label="所属单位（统一社会信用代码或全称）", max_length=240, required=False, widget=EnterpriseInput()
    )
    code = forms.CharField(
        label="设备编码", max_length=64, help_text="MQTT 主题中使用，字母、数字、点、下划线或连字符，登记后不能修改"
    )
    name = forms.CharField(label="设备名称", max_length=100)
    kind = forms.ChoiceField(label="监测类型", choices=Kind.choices)
    unit = forms.ChoiceField(label="计量单位", choices=[("", "按监测类型")] + Unit.choices, required=False)
    location = forms.CharField(label="安装位置", max_length=200, required=False)
    rated_power = forms.CharField(
        label="正常生产负荷（kW）", required=False, help_text="用电功率设备必填，用于判断停产整顿期间是否违规生产"
    )


class DeviceEditForm(DeviceForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["enterprise"]
        del self.fields["code"]


class RuleForm(forms.Form):
    kind = forms.ChoiceField(label="规则类型", choices=RuleKind.choices)
    threshold = forms.CharField(
        label="阈值",
        required=False,
        help_text="上限/下限填读数；变化过快填每分钟变化量；停产整顿用电填正常生产负荷的比例（如 0.3）",
    )
    minutes = forms.IntegerField(
        label="持续时间（分钟）",
        required=False,
        min_value=0,
        help_text="越限持续多久才报警（0 为即时）；离线规则为多久未上报",
    )


class CloseForm(forms.Form):
    note = forms.CharField(label="处置情况", widget=forms.Textarea(attrs={"rows": 3}))
