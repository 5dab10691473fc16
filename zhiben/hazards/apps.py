from django.apps import AppConfig


class HazardsConfig(AppConfig):
    name = "zhiben.hazards"
    label = "hazards"
    verbose_name = "隐患"

    def ready(self):
        from zhiben.regions.models import Unit

        from . import hooks  # noqa: F401  (registers with zhiben.core.registry)
        from .services import _supervising_cache

        _supervising_cache.clear_on(Unit, Unit.industries.through)
