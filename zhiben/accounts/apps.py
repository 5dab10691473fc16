from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "zhiben.accounts"
    label = "accounts"
    verbose_name = "用户与登录"
