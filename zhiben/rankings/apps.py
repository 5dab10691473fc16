from django.apps import AppConfig


class RankingsConfig(AppConfig):
    name = "zhiben.rankings"
    label = "rankings"
    verbose_name = "评分排名与晾晒通报"

    def ready(self):
        from . import hooks  # noqa: F401  (registers with zhiben.core.registry)
