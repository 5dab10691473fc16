from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "zhiben.audit"
    label = "audit"
    verbose_name = "审计"
