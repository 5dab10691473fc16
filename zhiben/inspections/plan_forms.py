"""Forms of the plan, draw, expert pool, credential and conflict pages (the services validate; these only
collect and present)."""

from django import forms
from django.db.models import Q

from zhiben.accounts.models import User
from zhiben.enterprises.choices import Scale
from zhiben.enterprises.forms import region_choices
from zhiben.regions.models import Industry, Region
from zhiben.risk.choices import POOL_LEVELS

from .choices import Kind
from .draws import SEED_MAX
from .models import Expert
from .plan_selectors import EXPERT_FILTERS, PLAN_FILTERS
from .plan_services import default_exclude_days, unit_people

PlanFilterForm = PLAN_FILTERS.form_class("PlanFilterForm")
ExpertFilterForm = EXPERT_FILTERS.form_class("ExpertFilterForm")
DATE = {"type": "date"}
TRISTATE = [("", "不限"), ("1", "是"), ("0", "否")]


def _regions(user):
    regions = Region.objects.for_user(user).filter(level__lte=4).order_by("code")[:500]
    top = user.region.level if user.region_id else 1
    return region_choices(regions, top)


def _industries():
    return [(i.code, i.name) for i in Industry.objects.order_by("sort", "id")]


class PlanForm(forms.Form):
    name = forms.CharField(label="计划名称", max_length=200)
    region = forms.ChoiceField(label="抽查范围（区划，含下级）")
    kind = forms.ChoiceField(label="检查类型", choices=Kind.choices)
    start = forms.DateField(label="检查开始日期", widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    end = forms.DateField(label="检查结束日期", widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    industries = forms.MultipleChoiceField(
        label="行业范围（不选为全部行业）", required=False, widget=forms.CheckboxSelectMultiple
    )
    high_risk = forms.ChoiceField(label="高危企业", choices=TRISTATE, required=False)
    directly_supervised = forms.ChoiceField(label="重点监管企业", choices=TRISTATE, required=False)
    scales = forms.MultipleChoiceField(
        label="规模（不选为全部）", choices=Scale.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    risk_levels = forms.MultipleChoiceField(
        label="企业最高风险等级（不选为不限）", choices=POOL_LEVELS, required=False, widget=forms.CheckboxSelectMultiple
    )
    exclude_days = forms.IntegerField(label="排除近期已检查企业（天）", min_value=0, max_value=3650, required=False)
    quotas = forms.CharField(
        label="分层抽取数量",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="按行业：危险化学品=3，机械=2（可填行业代码或名称）；不分层：*=5",
    )
    team_size = forms.IntegerField(label="每组检查人员数", min_value=1, max_value=10, initial=2)
    experts_per_team = forms.IntegerField(label="每组专家数", min_value=0, max_value=10, initial=0)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = _regions(user)
        self.fields["industries"].choices = _industries()
        if not self.is_bound and self.initial.get("exclude_days") in (None, ""):
            self.initial["exclude_days"] = default_exclude_days(user.region_id or "")

    @staticmethod
    def initial_for(plan):
        filters = plan.filters or {}
        return {
            "name": plan.name,
            "region": plan.region_id,
            "kind": plan.kind,
            "start": plan.start,
            "end": plan.end,
            "industries": filters.get("industries", []),
            "high_risk": filters.get("high_risk", ""),
            "directly_supervised": filters.get("directly_supervised", ""),
            "scales": filters.get("scales", []),
            "risk_levels": filters.get("risk_levels", []),
            "exclude_days": plan.exclude_days,
            "quotas": "，".join(f"{k}={v}" for k, v in (plan.quotas or {}).items()),
            "team_size": plan.team_size,
            "experts_per_team": plan.experts_per_team,
        }

    def service_data(self):
        return dict(self.cleaned_data)


class DrawForm(forms.Form):
    seed = forms.CharField(
        label="随机种子",
        required=False,
        max_length=200,
        help_text=f"可填公开的数字（如当期彩票开奖号码），最多 {SEED_MAX} 个字符；留空则由系统随机生成",
    )


class ExpertForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    phone = forms.CharField(label="联系电话", max_length=30, required=False)
    title = forms.CharField(label="职称/资格", max_length=100, required=False)
    employer = forms.CharField(label="工作单位", max_length=200, required=False)
    enterprise = forms.CharField(
        label="任职企业（辖区企业的统一社会信用代码或全称，可空）", max_length=200, required=False
    )
    specialties = forms.MultipleChoiceField(label="专业领域", widget=forms.CheckboxSelectMultiple)
    region = forms.ChoiceField(label="所属区划")
    active = forms.BooleanField(label="在库", required=False, initial=True)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["specialties"].choices = _industries()
        self.fields["region"].choices = _regions(user)

    def clean_enterprise(self):
        from zhiben.enterprises.models import Enterprise

        text = self.cleaned_data["enterprise"].strip()
        if not text:
            return ""
        scoped = Enterprise.objects.for_user(self.user)
        match = scoped.filter(credit_code=text.upper()).first() or scoped.filter(name=text).first()
        if match is None:
            raise forms.ValidationError(f"管辖范围内没有代码或名称为“{text}”的企业。")
        return match.pk

    @staticmethod
    def initial_for(expert):
        return {
            "name": expert.name,
            "phone": expert.phone,
            "title": expert.title,
            "employer": expert.employer,
            "enterprise": expert.enterprise.credit_code if expert.enterprise else "",
            "specialties": [i.code for i in expert.specialties.all()],
            "region": expert.region_id,
            "active": expert.active,
        }

    def service_data(self):
        return dict(self.cleaned_data)


class CredentialForm(forms.Form):
    user = forms.ChoiceField(label="执法人员")
    number = forms.CharField(label="执法证号", max_length=50)
    issuer = forms.CharField(label="发证机关", max_length=100, required=False)
    valid_from = forms.DateField(
        label="有效期起", required=False, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d")
    )
    valid_until = forms.DateField(label="有效期至", widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [
            (str(u.pk), u.display_name) for u in unit_people(user).filter(is_active=True).order_by("name", "username")
        ]

    def service_data(self):
        return dict(self.cleaned_data)


class ConflictForm(forms.Form):
    user = forms.ChoiceField(label="检查人员", required=False)
    expert = forms.ChoiceField(label="或 专家", required=False)
    enterprise = forms.CharField(label="回避企业（统一社会信用代码或全称）", max_length=200)
    reason = forms.CharField(label="回避理由", max_length=200, help_text="如：近亲属任该企业主要负责人")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        people = User.objects.for_user(user).filter(is_active=True, enterprise__isnull=True)
        people = people.filter(Q(unit_id=user.unit_id) | Q(pk=user.pk)) if user.unit_id else people
        self.fields["user"].choices = [("", "—")] + [
            (str(u.pk), u.display_name) for u in people.order_by("name", "username")[:300]
        ]
        self.fields["expert"].choices = [("", "—")] + [
            (str(e.pk), f"{e.name}（{e.employer or e.title}）")
            for e in Expert.objects.for_user(user).filter(active=True).order_by("name")[:300]
        ]

    def clean_enterprise(self):
        from zhiben.enterprises.models import Enterprise

        text = self.cleaned_data["enterprise"].strip()
        scoped = Enterprise.objects.for_user(self.user)
        match = scoped.filter(credit_code=text.upper()).first() or scoped.filter(name=text).first()
        if match is None:
            raise forms.ValidationError(f"管辖范围内没有代码或名称为“{text}”的企业。")
        return match.pk

    def service_data(self):
        return dict(self.cleaned_data)
