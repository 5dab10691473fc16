from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "zhiben.regions"
    label = "regions"
    verbose_name = "区划与单位"

    def ready(self):
        from . import hooks  # noqa: F401  (registers with zhiben.core.registry)
        from .models import Industry, Region, Unit
        from .selectors import _children_cache, _domains_cache, _options_cache

        _children_cache.clear_on(Region)
        _options_cache.clear_on(Region, Industry)
        _domains_cache.clear_on(Unit.industries.through, Unit, Industry)
