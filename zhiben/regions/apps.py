from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "zhiben.regions"
    label = "regions"
    verbose_name = "区划与单位"

    def ready(self):
        from . import hooks  # noqa: F401  (registers with zhiben.core.registry)
