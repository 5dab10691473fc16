from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "zhiben.documents"
    label = "documents"
    verbose_name = "公文"

    def ready(self):
        from . import hooks  # noqa: F401  (registers with zhiben.core.registry)
