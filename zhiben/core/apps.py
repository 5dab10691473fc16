from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "zhiben.core"
    label = "core"
    verbose_name = "公共"

    def ready(self):
        from . import hooks  # noqa: F401  (registers with zhiben.core.registry)
