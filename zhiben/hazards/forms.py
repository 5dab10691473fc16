"""Forms only collect input; the services validate and write."""

from django import forms

from zhiben.core.evidence import evidence_field
from zhiben.enterprises.forms import enterprise_field
from zhiben.enterprises.models import Enterprise
from zhiben.regions.models import Industry, Region

from .choices import AttachmentKind, Category, Channel, Level, PlaceKind, Status
from .criteria import visible_items
from .filters import HAZARD_FILTERS
from .models import CriteriaItem

# The ledger's filter form, made from the one declaration the selector and the API use too.
HazardFilterForm = HAZARD_FILTERS.form_class("HazardFilterForm")


class HazardReportForm(forms.Form):
    """Grouped for the template: what field staff always fill, the no-enterprise place, the plan."""

    MAIN = (
        "enterprise",
        "description",
        "location",
        "photos",
        "level",
        "criteria_item",
        "criteria_other",
        "channel",
        "category",
        "found_date",
    )
    PLACE = ("place_name", "place_kind", "region", "industry")
    PLAN = ("deadline", "responsible_person", "measures")

    enterprise = forms.ModelChoiceField(
        label="生产经营单位",
        queryset=Enterprise.objects.none(),
        required=False,
        empty_label="（无主体隐患：填写下方场所）",
    )
    place_name = forms.CharField(
        label="场所名称（无企业时）", required=False, max_length=200, help_text="如：某小区燃气管道、某自建房"
    )
    place_kind = forms.ChoiceField(label="场所类型", choices=[("", "请选择")] + PlaceKind.choices, required=False)
    region = forms.ModelChoiceField(
        label="场所所在村社区",
        queryset=Region.objects.none(),
        required=False,
        to_field_name="code",
        empty_label="请选择",
    )
    industry = forms.ModelChoiceField(
        label="行业领域（无企业时）", queryset=Industry.objects.all(), required=False, empty_label="请选择"
    )
    channel = forms.ChoiceField(label="发现渠道", choices=Channel.choices)
    level = forms.ChoiceField(label="隐患等级", choices=Level.choices, initial=Level.GENERAL)
    criteria_item = forms.ModelChoiceField(
        label="判定依据条款（重大隐患）",
        queryset=CriteriaItem.objects.select_related("standard").order_by("standard__name", "sort"),
        required=False,
        empty_label="请选择（重大隐患必选，或填写下方理由）",
    )
    criteria_other = forms.CharField(
        label="其他认定理由（标准未列明时）", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    category = forms.ChoiceField(label="隐患类别", choices=[("", "—")] + Category.choices, required=False)
    description = forms.CharField(label="隐患描述", widget=forms.Textarea(attrs={"rows": 3}))
    location = forms.CharField(label="隐患部位", required=False, max_length=300)
    found_date = forms.DateField(
        label="发现日期", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    deadline = forms.DateField(
        label="整改期限",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="不填则按规则默认（一般30天，重大90天）",
    )
    responsible_person = forms.CharField(label="整改责任人", required=False, max_length=50)
    measures = forms.CharField(label="整改措施", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    photos = evidence_field("现场照片")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from zhiben.accounts.choices import Role

        self.fields["enterprise"] = enterprise_field(
            user,
            label=self.fields["enterprise"].label,
            empty_label=self.fields["enterprise"].empty_label,
            help_text="无主体隐患（燃气管道、自建房、公共场所等）时留空，填写下方场所",
        )
        self.fields["region"].queryset = Region.objects.for_user(user).filter(level__gte=4)
        self.fields["criteria_item"].queryset = (
            visible_items(user).select_related("standard").order_by("standard__name", "sort")
        )
        # as the service defaults it: a regulator's or grid worker's find is 督导检查 unless they say otherwise (the
        # first choice, 企业自查上报, would count it as the enterprise's own and raise its self-inspection share)
        self.fields["channel"].initial = Channel.SUPERVISION
        if user.role == Role.ENTERPRISE:
            self.fields["channel"].choices = [(Channel.SELF_REPORT, Channel.SELF_REPORT.label)]
            self.fields["channel"].initial = Channel.SELF_REPORT
            for name in ("enterprise", "place_name", "place_kind", "region", "industry"):
                self.fields.pop(name, None)

    def groups(self):
        return [[self[name] for name in group if name in self.fields] for group in (self.MAIN, self.PLACE, self.PLAN)]

    def service_data(self):
        data = dict(self.cleaned_data)
        data.pop("photos", None)
        for key in ("enterprise", "criteria_item", "industry"):
            if data.get(key) is not None:
                data[key] = data[key].pk
        if data.get("region") is not None:
            data["region"] = data["region"].code
        return data


class TransitionForm(forms.Form):
    note = forms.CharField(label="意见/说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    target = forms.CharField(label="合并至隐患编号", required=False, max_length=40)
    rectified_date = forms.DateField(
        label="整改完成日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class PlanForm(forms.Form):
    category = forms.ChoiceField(label="隐患类别", choices=[("", "—")] + Category.choices, required=False)
    location = forms.CharField(label="隐患部位", required=False, max_length=300)
    responsible_person = forms.CharField(label="整改责任人", required=False, max_length=50)
    responsible_phone = forms.CharField(label="责任人电话", required=False, max_length=20)
    measures = forms.CharField(label="整改措施", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    funds = forms.DecimalField(label="整改资金（元）", required=False, min_value=0, max_digits=14, decimal_places=2)
    contingency = forms.CharField(label="应急预案/防范措施", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    plan_goal = forms.CharField(label="治理的目标和任务", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    plan_method = forms.CharField(label="采取的方法和措施", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    plan_resources = forms.CharField(label="经费和物资的落实", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    plan_team = forms.CharField(label="负责治理的机构和人员", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    plan_schedule = forms.CharField(label="治理的时限和要求", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    plan_safety = forms.CharField(label="安全措施和应急预案", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AttachForm(forms.Form):
    kind = forms.ChoiceField(label="材料类型", choices=AttachmentKind.choices)
    files = evidence_field("文件")

    # what is most likely uploaded at each state, chosen to begin with: the photos that let a hazard be closed come
    # while it is rectified (整改后) and reviewed (验收材料), not under 发现
    KIND_BY_STATUS = {
        Status.REPORTED: AttachmentKind.FOUND,
        Status.VERIFIED: AttachmentKind.BEFORE,
        Status.RECTIFYING: AttachmentKind.AFTER,
        Status.SUBMITTED: AttachmentKind.ACCEPTANCE,
    }

    @classmethod
    def for_hazard(cls, hazard):
        return cls(initial={"kind": cls.KIND_BY_STATUS.get(hazard.status, AttachmentKind.OTHER)})


class ExtensionRequestForm(forms.Form):
    new_deadline = forms.DateField(label="申请延至", widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label="延期理由", widget=forms.Textarea(attrs={"rows": 2}))


class ExtensionDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="审批", choices=[("grant", "批准"), ("refuse", "不予批准")], widget=forms.RadioSelect
    )
    note = forms.CharField(label="审批意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class LedgerImportForm(forms.Form):
    file = forms.FileField(label="隐患台账文件（.xlsx/.xls/.csv，或 Word 表格 .docx/.doc、PDF 表格）")
    enterprise = forms.ModelChoiceField(
        label="台账所属单位（文件中无单位列时）", queryset=Enterprise.objects.none(), required=False
    )
    channel = forms.ChoiceField(label="默认发现渠道", choices=Channel.choices, initial=Channel.SELF_REPORT)
    historic = forms.BooleanField(
        label="历史台账",
        required=False,
        help_text="已办结的历史档案：保留台账中的整改、销号状态和日期，标记为历史记录，不计入按期/逾期统计（仅安委办管理员）",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from .services import allowed_channels, may_import_historic

        self.fields["enterprise"] = enterprise_field(
            user, label=self.fields["enterprise"].label, help_text="文件中没有单位列时填写"
        )
        allowed = allowed_channels(user)
        self.fields["channel"].choices = [(value, label) for value, label in Channel.choices if value in allowed]
        if not may_import_historic(user):
            del self.fields["historic"]
