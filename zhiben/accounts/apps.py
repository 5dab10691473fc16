from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "zhiben.accounts"
    label = "accounts"
    verbose_name = "用户与登录"

    def ready(self):
        from . import hooks  # noqa: F401  (registers with zhiben.core.registry)
