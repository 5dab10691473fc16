from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "zhiben.risk"
    label = "risk"
    verbose_name = "风险分级管控"

    def ready(self):
        from . import hooks  # noqa: F401  (registers with zhiben.core.registry)
