from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "zhiben.core"
    label = "core"
    verbose_name = "公共"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from . import hooks  # noqa: F401  (registers with zhiben.core.registry)
        from .models import Rule
        from .rules import rules_cache_clear

        post_save.connect(rules_cache_clear, sender=Rule, dispatch_uid="rules_cache_clear_save")
        post_delete.connect(rules_cache_clear, sender=Rule, dispatch_uid="rules_cache_clear_delete")
