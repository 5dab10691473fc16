from django.apps import AppConfig


class EnforcementConfig(AppConfig):
    name = "zhiben.enforcement"
    label = "enforcement"
    verbose_name = "行政执法"

    def ready(self):
        from . import hooks  # noqa: F401  (registers with zhiben.core.registry)
