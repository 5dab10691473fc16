from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "zhiben.plans"
    label = "plans"
    verbose_name = "行动方案"

    def ready(self):
        from . import hooks  # noqa: F401  (registers with zhiben.core.registry)
