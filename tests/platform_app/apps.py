from django.apps import AppConfig


class PlatformAppConfig(AppConfig):
    """A module that exists only in the tests: it plugs a subject of its own into every shared service
    through the registry, exactly as a new business module would, with no change to zhiben/."""

    name = "tests.platform_app"
    label = "platform_app"
    verbose_name = "测试模块"

    def ready(self):
        from . import hooks  # noqa: F401
