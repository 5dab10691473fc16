from django.apps import AppConfig


class AccidentsConfig(AppConfig):
    name = "zhiben.accidents"
    label = "accidents"
    verbose_name = "生产安全事故"

    def ready(self):
        from . import hooks  # noqa: F401  (registers with zhiben.core.registry)
