from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "zhiben.notifications"
    label = "notifications"
    verbose_name = "通知"

    def ready(self):
        from . import hooks  # noqa: F401  (registers with zhiben.core.registry)
