from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "zhiben.analytics"
    label = "analytics"
    verbose_name = "统计分析"

    def ready(self):
        from . import hooks  # noqa: F401  (registers with zhiben.core.registry)
