from django.apps import AppConfig


class WatchConfig(AppConfig):
    name = "zhiben.watch"
    label = "watch"
    verbose_name = "值班与信息报送"

    def ready(self):
        from . import hooks  # noqa: F401  (registers with zhiben.core.registry)
