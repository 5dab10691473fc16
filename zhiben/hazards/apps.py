from django.apps import AppConfig


class HazardsConfig(AppConfig):
    name = "zhiben.hazards"
    label = "hazards"
    verbose_name = "隐患"

    def ready(self):
        from . import hooks  # noqa: F401  (registers with zhiben.core.registry)
