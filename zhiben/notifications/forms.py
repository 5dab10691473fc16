from django import forms

from .choices import Channel, DeliveryStatus
from .models import NotificationPreference


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = NotificationPreference
        fields = [
            "sms_enabled",
            "email_enabled",
            "email",
            "wecom_enabled",
            "wecom_userid",
            "dingtalk_enabled",
            "dingtalk_userid",
        ]
        labels = {
            "sms_enabled": "短信通知",
            "email_enabled": "电子邮件通知",
            "wecom_enabled": "企业微信通知",
            "dingtalk_enabled": "钉钉通知",
        }


class OutboxFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="状态",
        required=False,
        choices=[("", "待发送和失败")]
        + [
            (DeliveryStatus.FAILED, "发送失败"),
            (DeliveryStatus.PENDING, "待发送/重试中"),
            (DeliveryStatus.SENDING, "发送中"),
            (DeliveryStatus.SENT, "已发送"),
        ],
    )
    channel = forms.ChoiceField(
        label="渠道", required=False, choices=[("", "全部")] + [c for c in Channel.choices if c[0] != Channel.INBOX]
    )
    q = forms.CharField(
        label="接收人", required=False, help_text="接收人姓名中的文字，或完整的手机号/邮箱", max_length=200
    )
