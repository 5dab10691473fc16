from django.apps import AppConfig


class HazardsConfig(AppConfig):
    name = "zhiben.hazards"
    label = "hazards"
    verbose_name = "隐患"
