from django import forms

from .choices import Role


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
    days = forms.IntegerField(label="有效天数", min_value=1, max_value=3650, initial=365)


def region_label(region):
    return "\u3000" * max(0, region.level - 1) + f"{region.name}（{region.short_code}）"


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return region_label(obj)


class UserForm(forms.Form):
    """Create (with username and initial password) or edit an account; choices are limited to the actor's scope."""

    username = forms.CharField(label="用户名", max_length=150, help_text="登录用，创建后不能修改。")
    name = forms.CharField(label="姓名", max_length=50, required=False)
    phone = forms.CharField(label="手机号", max_length=20, required=False)
    role = forms.ChoiceField(label="角色", choices=Role.choices)
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
    password = forms.CharField(
        label="初始密码",
        strip=False,
        widget=forms.PasswordInput,
        help_text="至少8位，包含小写字母、大写字母、数字、特殊字符中的3类；用户首次登录须修改。",
    )
    password2 = forms.CharField(label="确认初始密码", strip=False, widget=forms.PasswordInput)

    def __init__(self, *args, actor, instance=None, **kwargs):
        from zhiben.regions.models import Region, Unit

        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": instance.name,
                "phone": instance.phone,
                "role": instance.role,
                "region": instance.region_id,
                "unit": instance.unit_id,
                "enterprise_code": instance.enterprise.credit_code if instance.enterprise_id else "",
            }
        super().__init__(*args, **kwargs)
        self.actor, self.instance = actor, instance
        self.fields["region"].queryset = Region.objects.for_user(actor)
        self.fields["unit"].queryset = Unit.objects.for_user(actor).filter(is_active=True).select_related("region")
        if instance is not None:
            for name in ("username", "password", "password2"):
                del self.fields[name]

    def clean_enterprise_code(self):
        from zhiben.enterprises.models import Enterprise

        code = self.cleaned_data["enterprise_code"].strip().upper()
        if not code:
            return None
        enterprise = Enterprise.objects.for_user(self.actor).filter(credit_code=code).first()
        if enterprise is None:
            raise forms.ValidationError("未找到该统一社会信用代码的企业，或企业不在您的管辖范围内。")
        return enterprise

    def clean_username(self):
        from .services import username_problems

        username = self.cleaned_data["username"].strip()
        problems = username_problems(username)
        if problems:
            raise forms.ValidationError(problems)
        return username

    def clean(self):
        """Run the service's own username and password checks here too, so every problem shows at once."""
        from .models import User
        from .services import assignment_problems, password_problems

        data = super().clean()
        if all(name in data for name in ("role", "region", "unit", "enterprise_code")):
            for field, message in assignment_problems(
                actor=self.actor,
                target=self.instance,
                role=data["role"],
                region=data["region"],
                unit=data["unit"],
                enterprise=data["enterprise_code"],
                phone=data.get("phone", ""),
            ):
                field = "enterprise_code" if field == "enterprise" else field
                if field not in self.errors:
                    self.add_error(field, message)
        if "password" not in self.fields or not data.get("password"):
            return data
        problems = password_problems(
            data["password"], User(username=data.get("username") or "", name=data.get("name") or "")
        )
        for message in problems:
            self.add_error("password", message)
        if data.get("password") != data.get("password2"):
            self.add_error("password2", "两次输入的密码不一致。")
        return data

    def service_values(self):
        data = self.cleaned_data
        return {
            "name": data["name"],
            "phone": data["phone"].strip(),
            "role": data["role"],
            "region": data["region"],
            "unit": data["unit"],
            "enterprise": data["enterprise_code"],
        }


class UserFilterForm(forms.Form):
    q = forms.CharField(label="用户名/姓名/手机", required=False)
    role = forms.ChoiceField(label="角色", choices=[("", "全部")] + Role.choices, required=False)
    region = forms.CharField(label="区划代码", required=False, help_text="含下级")
    active = forms.ChoiceField(label="状态", choices=[("", "全部"), ("1", "启用"), ("0", "已停用")], required=False)
