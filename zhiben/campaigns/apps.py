from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "zhiben.campaigns"
    label = "campaigns"
    verbose_name = "专项整治"

    def ready(self):
        from . import hooks  # noqa: F401  (registers with zhiben.core.registry)
