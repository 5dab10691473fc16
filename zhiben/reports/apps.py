from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "zhiben.reports"
    label = "reports"
    verbose_name = "群众举报"

    def ready(self):
        from . import hooks  # noqa: F401  (registers with zhiben.core.registry)
