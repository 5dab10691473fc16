from django.db import models


class Channel(models.TextChoices):
    INBOX = "inbox", "站内信"
    SMS = "sms", "短信"
    EMAIL = "email", "电子邮件"
    WECOM = "wecom", "企业微信"
    DINGTALK = "dingtalk", "钉钉"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    SENDING = "sending", "发送中"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"
