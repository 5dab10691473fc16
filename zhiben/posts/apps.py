from django.apps import AppConfig


class PostsConfig(AppConfig):
    name = "zhiben.posts"
    label = "posts"
    verbose_name = "两单两卡一会"

    def ready(self):
        from . import hooks  # noqa: F401  (registers with zhiben.core.registry)
