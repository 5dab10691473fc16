from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "zhiben.plans"
    label = "plans"
    verbose_name = "行动方案"

    def ready(self):
        from zhiben.regions.models import Region, Unit

        from . import hooks  # noqa: F401  (registers with zhiben.core.registry)
        from .filters import plan_options_cache
        from .models import Plan

        plan_options_cache.clear_on(Plan, Unit, Region)
