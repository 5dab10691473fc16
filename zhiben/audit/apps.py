from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "zhiben.audit"
    label = "audit"
    verbose_name = "审计"

    def ready(self):
        from . import hooks  # noqa: F401  (registers with zhiben.core.registry)
