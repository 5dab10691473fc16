from django.apps import AppConfig


class HazardsConfig(AppConfig):
    name = "zhiben.hazards"
    label = "hazards"
    verbose_name = "隐患"

    def ready(self):
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from zhiben.regions.models import Unit

        from . import hooks  # noqa: F401  (registers with zhiben.core.registry)
        from .services import supervising_cache_clear

        post_save.connect(supervising_cache_clear, sender=Unit, dispatch_uid="supervising_cache_save")
        post_delete.connect(supervising_cache_clear, sender=Unit, dispatch_uid="supervising_cache_delete")
        m2m_changed.connect(
            supervising_cache_clear, sender=Unit.industries.through, dispatch_uid="supervising_cache_industries"
        )
