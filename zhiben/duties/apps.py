from django.apps import AppConfig


class DutiesConfig(AppConfig):
    name = "zhiben.duties"
    label = "duties"
    verbose_name = "法定报送"
