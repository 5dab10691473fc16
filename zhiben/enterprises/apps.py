from django.apps import AppConfig


class EnterprisesConfig(AppConfig):
    name = "zhiben.enterprises"
    label = "enterprises"
    verbose_name = "生产经营单位"

    def ready(self):
        from . import hooks  # noqa: F401  (registers with zhiben.core.registry)
