from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "zhiben.training"
    label = "training"
    verbose_name = "教育培训与持证上岗"

    def ready(self):
        from . import hooks  # noqa: F401  (registers with zhiben.core.registry)
