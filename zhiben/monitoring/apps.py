from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "zhiben.monitoring"
    label = "monitoring"
    verbose_name = "监测预警"

    def ready(self):
        from . import hooks  # noqa: F401  (registers with zhiben.core.registry)
