from django.apps import AppConfig


class DrillsConfig(AppConfig):
    name = "zhiben.drills"
    label = "drills"
    verbose_name = "应急演练与救援力量"

    def ready(self):
        from . import hooks  # noqa: F401  (registers with zhiben.core.registry)
