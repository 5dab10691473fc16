from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "zhiben.regions"
    label = "regions"
    verbose_name = "区划与单位"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from . import hooks  # noqa: F401  (registers with zhiben.core.registry)
        from .models import Region
        from .selectors import children_cache_clear

        post_save.connect(children_cache_clear, sender=Region, dispatch_uid="region_children_save")
        post_delete.connect(children_cache_clear, sender=Region, dispatch_uid="region_children_delete")
