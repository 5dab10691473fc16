from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "zhiben.inspections"
    label = "inspections"
    verbose_name = "监督检查"

    def ready(self):
        from . import hooks  # noqa: F401  (registers with zhiben.core.registry)
