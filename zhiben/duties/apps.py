from django.apps import AppConfig


class DutiesConfig(AppConfig):
    name = "zhiben.duties"
    label = "duties"
    verbose_name = "法定报送"

    def ready(self):
        from . import hooks  # noqa: F401  (registers with zhiben.core.registry)
