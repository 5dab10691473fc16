from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "zhiben.documents"
    label = "documents"
    verbose_name = "公文"
