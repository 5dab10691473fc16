from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "zhiben.notifications"
    label = "notifications"
    verbose_name = "通知"

