from django.apps import AppConfig


class EnterprisesConfig(AppConfig):
    name = "zhiben.enterprises"
    label = "enterprises"
    verbose_name = "生产经营单位"
