from django.apps import AppConfig


class EscalationConfig(AppConfig):
    name = "zhiben.escalation"
    label = "escalation"
    verbose_name = "督办升级"
