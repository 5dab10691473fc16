from django.apps import AppConfig


class EscalationConfig(AppConfig):
    name = "zhiben.escalation"
    label = "escalation"
    verbose_name = "督办升级"

    def ready(self):
        from . import hooks  # noqa: F401  (registers with zhiben.core.registry)
