"""Forms of the public pages (the report, the follow-up login, additions, the reward claim) and of the
officials' actions. The services check everything again; the forms only collect."""

from django import forms

from zhiben.core.evidence import MultipleFileField, MultipleFileInput, photo_attrs
from zhiben.hazards.choices import Category as HazardCategory
from zhiben.hazards.choices import Level

from .choices import AccidentGrade

PHOTO_ACCEPT = "image/jpeg,image/png,image/webp,image/gif"


def photo_field(label="照片（可选，最多6张）"):
    return MultipleFileField(
        label=label,
        required=False,
        widget=MultipleFileInput(attrs={"accept": PHOTO_ACCEPT, "multiple": True} | photo_attrs()),
    )


class ReportForm(forms.Form):
    # the service checks what a report needs and says all that is missing at once (category, place, description);
    # the form only marks those fields for the person filling it in
    marked_required = ("category", "region", "description")
    category = forms.ChoiceField(label="举报什么问题", choices=(), required=False)
    region = forms.CharField(label="在哪里（镇街/村社区）", widget=forms.HiddenInput, required=False)
    address = forms.CharField(
        label="详细地址或位置描述",
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "如：XX路XX号 XX厂后门"}),
    )
    enterprise_name = forms.CharField(label="涉及单位名称（知道的话）", max_length=200, required=False)
    description = forms.CharField(
        label="具体情况",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": "什么地方、什么问题、什么时候看到的（至少10个字）"}),
    )
    photos = photo_field()
    anonymous = forms.ChoiceField(
        label="是否留名",
        choices=[("1", "匿名举报（不留姓名电话）"), ("0", "实名举报")],
        widget=forms.RadioSelect,
        initial="1",
    )
    name = forms.CharField(label="姓名", max_length=50, required=False)
    phone = forms.CharField(label="手机号码", max_length=30, required=False)
    is_employee = forms.BooleanField(label="我是被举报单位的从业人员（内部举报）", required=False)
    latitude = forms.CharField(widget=forms.HiddenInput, required=False)
    longitude = forms.CharField(widget=forms.HiddenInput, required=False)
    enterprise_token = forms.CharField(widget=forms.HiddenInput, required=False)
    challenge = forms.CharField(widget=forms.HiddenInput, required=False)
    counter = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "请选择")] + list(categories)


class TrackForm(forms.Form):
    code = forms.CharField(
        label="举报编号",
        max_length=30,
        widget=forms.TextInput(attrs={"placeholder": "JB-XXXX-XXXX", "autocomplete": "off"}),
    )
    secret = forms.CharField(label="查询密码", max_length=30, widget=forms.PasswordInput(attrs={"autocomplete": "off"}))


class AddForm(forms.Form):
    text = forms.CharField(label="补充情况", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    photos = photo_field("补充照片")


class ClaimForm(forms.Form):
    payee_name = forms.CharField(label="领奖人姓名", max_length=50)
    payee_account = forms.CharField(label="收款账户（银行卡号及开户行）", max_length=60)
    payee_phone = forms.CharField(label="联系电话", max_length=30)


# ---------------------------------------------------------------- officials


class AcceptForm(forms.Form):
    assignee = forms.ChoiceField(label="核查人", required=False, choices=())
    reply = forms.CharField(
        label="告知举报人（可不填，默认告知受理和核查期限）", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", "本人")] + [(str(u.pk), u.display_name) for u in people]


class VerifyForm(forms.Form):
    level = forms.ChoiceField(label="隐患等级", choices=Level.choices, initial=Level.GENERAL)
    hazard_category = forms.ChoiceField(
        label="隐患类别", choices=[("", "—")] + list(HazardCategory.choices), required=False
    )
    industry = forms.ChoiceField(label="行业领域", choices=(), required=False)
    hazard_description = forms.CharField(
        label="核实的隐患描述（进入隐患台账，企业可见；勿写举报人信息）", widget=forms.Textarea(attrs={"rows": 3})
    )
    criteria_other = forms.CharField(label="重大隐患认定理由", required=False)
    deadline = forms.DateField(
        label="整改期限（不填按规则）", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    no_hazard = forms.BooleanField(label="不形成隐患（仅限违法行为、瞒报事故类举报）", required=False)
    reply = forms.CharField(label="核查结果（告知举报人）", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, industries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["industry"].choices = [("", "—")] + [(str(i.pk), i.name) for i in industries]


class ReplyForm(forms.Form):
    reply = forms.CharField(label="答复举报人", widget=forms.Textarea(attrs={"rows": 3}))


class DuplicateForm(forms.Form):
    of = forms.CharField(label="重复于（举报编号 JB-… 或隐患编号 YH…）", max_length=40)
    reply = forms.CharField(label="答复举报人（可不填）", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class TransferForm(forms.Form):
    unit = forms.ChoiceField(label="转交单位", choices=())
    reply = forms.CharField(label="告知举报人（可不填）", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "请选择")] + [(str(u.pk), f"{u.region.name} {u.name}") for u in units]


class ReferForm(forms.Form):
    body = forms.CharField(label="移交机关", max_length=100)
    reply = forms.CharField(label="告知举报人（可不填）", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", max_length=200)


class MessageForm(forms.Form):
    text = forms.CharField(label="内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    internal = forms.BooleanField(label="内部备注（举报人不可见）", required=False)


class RewardForm(forms.Form):
    fine = forms.DecimalField(label="罚款金额（元）", required=False, min_value=0, max_digits=14, decimal_places=2)
    deaths = forms.IntegerField(label="核实瞒报死亡人数（瞒报事故类）", required=False, min_value=0)
    accident_grade = forms.ChoiceField(
        label="瞒报事故等级", choices=[("", "—")] + list(AccidentGrade.choices), required=False
    )


class PayForm(forms.Form):
    voucher = forms.CharField(label="发放凭证号", max_length=60)


class RevealForm(forms.Form):
    reason = forms.CharField(label="查看事由（记入审计日志）", max_length=200)


class RoutingForm(forms.Form):
    region = forms.ChoiceField(label="区划", choices=())
    category = forms.ChoiceField(label="举报类别", choices=(), required=False)
    unit = forms.ChoiceField(label="承办单位", choices=())
    note = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(self, *args, regions=(), categories=(), units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(r.code, r.name) for r in regions]
        self.fields["category"].choices = [("", "全部类别")] + [(str(c.pk), c.name) for c in categories]
        self.fields["unit"].choices = [(str(u.pk), f"{u.region.name} {u.name}") for u in units]


class KeyForm(forms.Form):
    name = forms.CharField(label="应用名称", max_length=100)
    region = forms.ChoiceField(label="可提交的区划", choices=())

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(r.code, r.name) for r in regions]


class KeeperForm(forms.Form):
    username = forms.CharField(label="账号（用户名）", max_length=150)
