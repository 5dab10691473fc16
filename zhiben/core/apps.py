from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "zhiben.core"
    label = "core"
    verbose_name = "公共"

    def ready(self):
        from django.db.models import fields

        # Django 6.1's empty choice of a model field's select is "- Select an option -" with no Chinese
        # translation (issue 25, the import page); Django asks projects to set it here.
        fields.BLANK_CHOICE_LABEL = "请选择"

        from . import hooks  # noqa: F401  (registers with zhiben.core.registry)
        from .models import Rule
        from .rules import _overrides_cache

        _overrides_cache.clear_on(Rule)
