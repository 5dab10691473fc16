from django import forms

from .choices import ADMIN_ROLES, Role
from .models import TOKEN_MAX_DAYS


class LoginForm(forms.Form):
    username = forms.CharField(
        label="用户名", max_length=150, widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"})
    )
    password = forms.CharField(
        label="密码", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class TotpForm(forms.Form):
    code = forms.CharField(
        label="动态口令",
        max_length=8,
        widget=forms.TextInput(attrs={"autofocus": True, "inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label="原密码", strip=False, widget=forms.PasswordInput)
    new_password = forms.CharField(label="新密码", strip=False, widget=forms.PasswordInput)
    new_password2 = forms.CharField(label="确认新密码", strip=False, widget=forms.PasswordInput)

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", "两次输入的新密码不一致。")
        return data


class ApiTokenForm(forms.Form):
    name = forms.CharField(label="用途", max_length=100)
    days = forms.IntegerField(
        label="有效天数", min_value=1, max_value=TOKEN_MAX_DAYS, initial=TOKEN_MAX_DAYS, help_text="最长一年。"
    )


class PasswordSetForm(forms.Form):
    """The owner sets their password through a one-time link."""

    password = forms.CharField(
        label="新密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="至少8位，包含小写字母、大写字母、数字、特殊字符中的3类。",
    )
    password2 = forms.CharField(
        label="确认新密码", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )


def region_label(region):
    return "\u3000" * max(0, region.level - 1) + f"{region.name}（{region.short_code}）"


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return region_label(obj)


class GrantFields(forms.Form):
    """Role, jurisdiction, unit and enterprise: what a grant (or a request for one) names."""

    role = forms.ChoiceField(label="角色", choices=Role.choices, required=False)
    region = RegionChoiceField(label="管辖区划", queryset=None, required=False, empty_label="（企业用户按所属企业）")
    unit = forms.ModelChoiceField(
        label="所在单位",
        queryset=None,
        required=False,
        empty_label="（无）",
        help_text="行业监管人员必填：单位决定其监管的行业。",
    )
    enterprise_code = forms.CharField(
        label="所属企业统一社会信用代码", max_length=18, required=False, help_text="仅企业安全管理员填写。"
    )
    reason = forms.CharField(label="申请说明", max_length=200, required=False, help_text="供审批人核实身份与职责。")

    def __init__(self, *args, actor, **kwargs):
        from zhiben.regions.models import Region, Unit

        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["region"].queryset = Region.objects.for_user(actor)
        self.fields["unit"].queryset = Unit.objects.for_user(actor).filter(is_active=True).select_related("region")
        if not actor.can("user.manage") and not actor.is_superuser:
            # the 安委办 grants business roles only
            self.fields["role"].choices = [(r.value, r.label) for r in Role if r not in ADMIN_ROLES]

    def clean_enterprise_code(self):
        from zhiben.enterprises.models import Enterprise

        code = self.cleaned_data["enterprise_code"].strip().upper()
        if not code:
            return None
        enterprise = Enterprise.objects.for_user(self.actor).filter(credit_code=code).first()
        if enterprise is None:
            raise forms.ValidationError("未找到该统一社会信用代码的企业，或企业不在您的管辖范围内。")
        return enterprise

    def grant_values(self):
        data = self.cleaned_data
        return {
            "role": data["role"],
            "region": data["region"],
            "unit": data["unit"],
            "enterprise": data["enterprise_code"],
            "reason": data["reason"],
        }

    def check_grant(self, target, phone=None):
        """Show the service's own grant checks next to their fields, all at once."""
        from .services import assignment_problems

        data = self.cleaned_data
        if not all(name in data for name in ("role", "region", "unit", "enterprise_code")) or not data["role"]:
            return
        for field, message in assignment_problems(
            actor=self.actor,
            target=target,
            role=data["role"],
            region=data["region"],
            unit=data["unit"],
            enterprise=data["enterprise_code"],
            phone=phone,
        ):
            field = "enterprise_code" if field == "enterprise" else field
            if field in self.fields and field not in self.errors:
                self.add_error(field, message)


class UserForm(GrantFields):
    """A new account (by the 系统管理员): who it is, where, and the role asked for (approved by another
    person). No password: a one-time link goes to the owner's phone."""

    username = forms.CharField(label="用户名", max_length=150, help_text="登录用，创建后不能修改。")
    name = forms.CharField(label="姓名", max_length=50, required=False)
    phone = forms.CharField(label="手机号", max_length=20, help_text="本人手机：账号激活链接发送到该手机。")

    field_order = ["username", "name", "phone", "role", "region", "unit", "enterprise_code", "reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].label = "申请授予的角色"
        self.fields[
            "role"
        ].help_text = "业务角色由辖区安委办管理员审批，管理员角色由另一名管理员审批；批准前账号没有任何权限。"

    def clean_username(self):
        from .services import username_problems

        username = self.cleaned_data["username"].strip()
        problems = username_problems(username)
        if problems:
            raise forms.ValidationError(problems)
        return username

    def clean(self):
        data = super().clean()
        if "region" in data and data.get("region") is None and not data.get("enterprise_code"):
            self.add_error("region", "请指定管辖区划。")
        self.check_grant(None, phone=(data.get("phone") or "").strip())
        return data

    def service_values(self):
        data = self.cleaned_data
        values = self.grant_values()
        if values["role"] != Role.ENTERPRISE:
            values["enterprise"] = None
        return {"name": data["name"], "phone": data["phone"].strip(), **values}


class UserEditForm(forms.Form):
    """Name and phone (by the 系统管理员). The phone is never shown in full: an empty field keeps it."""

    name = forms.CharField(label="姓名", max_length=50, required=False)
    phone = forms.CharField(label="手机号", max_length=20, required=False)

    def __init__(self, *args, instance, **kwargs):
        kwargs.setdefault("initial", {"name": instance.name})
        super().__init__(*args, **kwargs)
        self.instance = instance
        self.fields["phone"].help_text = (
            f"当前：{instance.phone_masked}；留空则不修改。修改后会通知本人。" if instance.phone else "尚未登记。"
        )

    def service_values(self):
        data = {"name": self.cleaned_data["name"]}
        if self.cleaned_data["phone"].strip():
            data["phone"] = self.cleaned_data["phone"].strip()
        return data


class GrantForm(GrantFields):
    """A grant on an existing account: applied at once by the 安委办 (business roles), a request when the
    系统管理员 asks (approved by the 安委办 or by another administrator)."""

    def __init__(self, *args, instance, **kwargs):
        if "initial" not in kwargs:
            kwargs["initial"] = {
                "role": instance.role,
                "region": instance.region_id,
                "unit": instance.unit_id,
                "enterprise_code": instance.enterprise.credit_code if instance.enterprise_id else "",
            }
        super().__init__(*args, **kwargs)
        self.instance = instance
        self.fields["role"].help_text = "选“无角色”即撤销该账号的角色。"

    def clean(self):
        data = super().clean()
        if data.get("role") and "region" in data and data.get("region") is None and not data.get("enterprise_code"):
            self.add_error("region", "请指定管辖区划。")
        self.check_grant(self.instance)
        return data


class DecisionForm(forms.Form):
    note = forms.CharField(label="审批意见", max_length=200, required=False)


class UserFilterForm(forms.Form):
    q = forms.CharField(label="用户名/姓名/手机", required=False, help_text="手机号须输入完整号码。")
    role = forms.ChoiceField(
        label="角色",
        choices=[("", "全部"), ("none", Role.NONE.label)] + [(r.value, r.label) for r in Role if r != Role.NONE],
        required=False,
    )
    region = forms.CharField(label="区划代码", required=False, help_text="含下级")
    active = forms.ChoiceField(label="状态", choices=[("", "全部"), ("1", "启用"), ("0", "已停用")], required=False)
