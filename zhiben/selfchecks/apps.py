from django.apps import AppConfig


class SelfchecksConfig(AppConfig):
    name = "zhiben.selfchecks"
    label = "selfchecks"
    verbose_name = "企业自查"

    def ready(self):
        from . import hooks  # noqa: F401  (registers with zhiben.core.registry)
