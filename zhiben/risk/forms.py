"""Forms of the risk pages; the services check everything again (the score tables, scope, dates)."""

from django import forms

from zhiben.enterprises.forms import EnterpriseInput

from .choices import (
    LEC_C,
    LEC_E,
    LEC_L,
    LS_L,
    LS_S,
    ControlLevel,
    Kind,
    MeasureType,
    Method,
    score_choices,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PICK = [("", "请选择")]


class PointForm(forms.Form):
    enterprise = forms.CharField(
        label="生产经营单位（统一社会信用代码或全称）", max_length=240, widget=EnterpriseInput()
    )
    name = forms.CharField(label="风险点名称", max_length=100)
    kind = forms.ChoiceField(label="类型", choices=PICK + list(Kind.choices))
    location = forms.CharField(label="位置（区域、车间、装置）", max_length=200, required=False)
    factors = forms.CharField(label="危险有害因素", widget=forms.Textarea(attrs={"rows": 3}))
    accident_types = forms.CharField(
        label="可能导致的事故类型", max_length=200, required=False, help_text="如 火灾、其他爆炸、中毒和窒息"
    )
    method = forms.ChoiceField(label="评价方法", choices=Method.choices, widget=forms.RadioSelect, initial=Method.LEC)
    lec_l = forms.ChoiceField(label="LEC：L 事故发生的可能性", choices=PICK + score_choices(LEC_L), required=False)
    lec_e = forms.ChoiceField(
        label="LEC：E 暴露于危险环境的频繁程度", choices=PICK + score_choices(LEC_E), required=False
    )
    lec_c = forms.ChoiceField(
        label="LEC：C 发生事故可能造成的后果", choices=PICK + score_choices(LEC_C), required=False
    )
    ls_l = forms.ChoiceField(label="LS：L 可能性", choices=PICK + score_choices(LS_L), required=False)
    ls_s = forms.ChoiceField(label="LS：S 严重程度", choices=PICK + score_choices(LS_S), required=False)
    exposed = forms.IntegerField(
        label="暴露人数", min_value=0, initial=0, required=False, help_text="达到规定人数直接判定为重大风险"
    )
    criteria_item = forms.ChoiceField(
        label="符合的重大事故隐患判定标准条款（直接判定为重大风险）", choices=(), required=False
    )
    control_level = forms.ChoiceField(
        label="管控层级（不选按等级：重大公司、较大车间、一般班组、低岗位）",
        choices=[("", "按等级")] + list(ControlLevel.choices),
        required=False,
    )
    responsible = forms.CharField(label="管控责任人", max_length=50, required=False)
    next_review = forms.DateField(label="下次评审日期（不填按评审周期）", required=False, widget=DATE)

    def __init__(self, *args, items=(), ask_enterprise=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not ask_enterprise:
            del self.fields["enterprise"]
        self.fields["criteria_item"].choices = [("", "无")] + [
            (str(i.pk), f"{i.standard.name} {i.number} {i.text[:40]}") for i in items
        ]

    def service_data(self):
        """The keys the service reads: the method's own scores as l, e, c or l, s."""
        data = {k: v for k, v in self.cleaned_data.items() if not k.startswith(("lec_", "ls_"))}
        if data.get("method") == Method.LS:
            data.update(l=self.cleaned_data.get("ls_l"), s=self.cleaned_data.get("ls_s"))
        else:
            data.update(
                l=self.cleaned_data.get("lec_l"), e=self.cleaned_data.get("lec_e"), c=self.cleaned_data.get("lec_c")
            )
        return {k: ("" if v is None else v) for k, v in data.items()}


def point_initial(point):
    def shown(value):
        return "" if value is None else format(value.normalize(), "f") if hasattr(value, "normalize") else str(value)

    initial = {
        n: getattr(point, n)
        for n in ("name", "kind", "location", "factors", "accident_types", "method", "exposed", "responsible")
    }
    initial.update(control_level=point.control_level, next_review=point.next_review)
    initial["criteria_item"] = str(point.criteria_item_id or "")
    if point.method == Method.LEC:
        initial.update(lec_l=shown(point.l_score), lec_e=shown(point.e_score), lec_c=shown(point.c_score))
    else:
        initial.update(ls_l=shown(point.l_score), ls_s=str(point.s_score))
    return initial


class MeasureForm(forms.Form):
    type = forms.ChoiceField(label="措施类型", choices=MeasureType.choices)
    control_level = forms.ChoiceField(label="管控层级", choices=ControlLevel.choices)
    text = forms.CharField(label="管控措施", widget=forms.Textarea(attrs={"rows": 2}))
    responsible = forms.CharField(label="责任人", max_length=50)


class ReviewForm(forms.Form):
    reviewed_on = forms.DateField(label="评审日期（不填为今天）", required=False, widget=DATE)
    next_review = forms.DateField(label="下次评审日期（不填按评审周期）", required=False, widget=DATE)
    note = forms.CharField(label="评审结论", max_length=300, required=False)


class PlaceForm(forms.Form):
    x = forms.DecimalField(label="横向位置（%，自左）", min_value=0, max_value=100, decimal_places=2, required=False)
    y = forms.DecimalField(label="纵向位置（%，自上）", min_value=0, max_value=100, decimal_places=2, required=False)


class LinkForm(forms.Form):
    hazard = forms.CharField(label="隐患编号", max_length=40)
    note = forms.CharField(label="说明（哪项管控措施失效）", max_length=200, required=False)


class RetireForm(forms.Form):
    reason = forms.CharField(label="撤销原因", max_length=200)


class PlanForm(forms.Form):
    image = forms.FileField(label="厂区平面图（图片）", widget=forms.ClearableFileInput(attrs={"accept": "image/*"}))


class CiteForm(forms.Form):
    point = forms.ChoiceField(label="管控失效的风险点", choices=())
    note = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(self, *args, points=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["point"].choices = [(str(p.pk), f"{p.name}（{p.level_text}）") for p in points]
