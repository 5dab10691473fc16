from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "zhiben.plans"
    label = "plans"
    verbose_name = "行动方案"
